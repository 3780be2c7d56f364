import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import { combine } from '../../src/verdict/judge-batch.js'
import { judgeAll, judgeResults } from '../helpers/verdicts.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import type { Tally } from '../../src/result-files/tally.js'
import type { FinalStatus } from '../../src/together/status.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED'])

const completed = (batchId: string): BatchResult => ({
  batchId,
  outcome: 'completed',
  status: 'COMPLETED',
  finalStatus: 'COMPLETED',
  batch: { status: 'COMPLETED', progress: 100, output_file_id: `out-${batchId}`, error_file_id: `err-${batchId}` },
  startedAt: 0,
  endedAt: 60_000,
  timeoutMs: 3_600_000,
  timeline: [],
  requests: 2
})

const all = (...results: BatchResult[]): WaitReport => ({
  results,
  startedAt: 0,
  endedAt: 60_000,
  timeoutMs: 3_600_000,
  done: true
})

const tally = (succeeded: number, failed: number, codes: [string, number, string][] = []): Tally => ({
  succeeded,
  failed,
  codes: new Map(codes.map(([code, count, example]) => [code, { count, example }]))
})

const files = (batchId: string, t: Tally): [string, BatchFiles] => [
  batchId,
  { outputPath: `/tmp/r/${batchId}-output.jsonl`, errorPath: `/tmp/r/${batchId}-errors.jsonl`, tally: t }
]

describe('results in the verdict, outputs and summary', () => {
  const one = all(completed('b1'))
  const counted = new Map([files('b1', tally(998, 2, [['rate_limit', 2, '<b>slow</b> down']]))])

  it('passes under the gate and fails over it, naming counts and codes', () => {
    expect(judgeResults(one, counted, { count: 2 })).toBeUndefined()
    expect(judgeResults(one, counted, undefined)).toBeUndefined()
    const over = judgeResults(one, counted, { percent: 0.1 })!
    expect(over).toEqual({
      ok: false,
      message:
        'Batch b1 completed, but 2 of its 1000 requests failed (0.2%), more than max-failed-requests allows (0.1%); most common: rate_limit ×2.'
    })
    expect(combine(judgeAll(one, FAIL_ON), over)).toBe(over)
  })

  it('says the batch itself ended well and shows the limit, with counts in the singular where one', () => {
    const single = new Map([files('b1', tally(0, 1))])
    expect(judgeResults(one, single, { count: 0 })?.message).toBe(
      'Batch b1 completed, but 1 of its 1 request failed (100%), more than max-failed-requests allows (0).'
    )
    const failed = all({ ...completed('b1'), outcome: 'ended-not-completed', status: 'FAILED', finalStatus: 'FAILED' })
    expect(judgeResults(failed, counted, { count: 1 })?.message).toMatch(
      /^Batch b1 ended FAILED, and 2 of its 1000 requests failed \(0\.2%\), more than max-failed-requests allows \(1\);/
    )
  })

  it('fails when a file could not be fetched', () => {
    const verdict = judgeResults(one, new Map([['b1', { error: 'HTTP 404' }]]), undefined)
    expect(verdict?.message).toBe('Could not fetch the results of batch b1: HTTP 404.')
  })

  it('keeps the wait failure first and adds the result-file problem after it', () => {
    const waitFailure = { ok: false, message: 'wait failed.' }
    expect(combine(waitFailure, { ok: false, message: 'gate.' })).toEqual({ ok: false, message: 'wait failed. gate.' })
    expect(combine(waitFailure, undefined)).toBe(waitFailure)
  })

  it('sets paths and counts for one batch and in each batches entry', () => {
    const outputs = buildOutputs(one, counted)
    expect(outputs).toMatchObject({
      'output-path': '/tmp/r/b1-output.jsonl',
      'error-path': '/tmp/r/b1-errors.jsonl',
      'succeeded-requests': '998',
      'failed-requests': '2'
    })
    expect(JSON.parse(outputs.batches!)[0]).toMatchObject({
      output_path: '/tmp/r/b1-output.jsonl',
      succeeded_requests: 998,
      failed_requests: 2
    })
    expect(buildOutputs(one)).toMatchObject({ 'output-path': '', 'succeeded-requests': '' })
  })

  it('summarises requests and the most common error codes, escaped', () => {
    const summary = buildSummary(one, judgeAll(one, FAIL_ON), counted)
    expect(summary).toContain('### Requests\n\n998 succeeded · 2 failed')
    expect(summary).toContain(
      '<tr><td><code>rate_limit</code></td><td>2</td><td>&#60;b&#62;slow&#60;/b&#62; down</td></tr>'
    )
    expect(buildSummary(one, judgeAll(one, FAIL_ON))).not.toContain('### Requests')
  })

  it('adds the counts of several batches together and per row', () => {
    const two = all(completed('b1'), completed('b2'))
    const both = new Map([files('b1', tally(10, 0)), files('b2', tally(5, 1, [['x', 1, 'e']]))])
    const summary = buildSummary(two, judgeAll(two, FAIL_ON), both)
    expect(summary).toContain('15 succeeded · 1 failed')
    expect(summary).toContain('<td>5 / 1</td>')
  })
})
