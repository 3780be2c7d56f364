import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import type { BatchJob } from '../../src/together/types.js'
import { one, oneWait, result } from '../helpers/batch-result.js'

const T0 = Date.UTC(2026, 0, 1)

function withBatch(batchId: string, batch: BatchJob): BatchResult {
  return {
    batchId,
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch,
    progress: 100,
    startedAt: T0,
    endedAt: T0 + 1000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 1
  }
}

const all = (...results: BatchResult[]): WaitReport => ({
  results,
  startedAt: T0,
  endedAt: T0 + 1000,
  timeoutMs: 60_000,
  done: true
})

describe('buildOutputs', () => {
  it('gives the input file one batch names as input-file-id', () => {
    const outputs = buildOutputs(all(withBatch('b1', { status: 'COMPLETED', input_file_id: 'file-in' })))
    expect(outputs['input-file-id']).toBe('file-in')
  })

  it('leaves input-file-id to the submit step when the batch names none, or with several batches', () => {
    expect(buildOutputs(all(withBatch('b1', { status: 'COMPLETED' })))).not.toHaveProperty('input-file-id')
    const several = all(
      withBatch('b1', { status: 'COMPLETED', input_file_id: 'file-1' }),
      withBatch('b2', { status: 'COMPLETED', input_file_id: 'file-2' })
    )
    expect(buildOutputs(several)).not.toHaveProperty('input-file-id')
  })
})

describe('buildOutputs of one batch', () => {
  it('sets every output, with the batch as JSON', () => {
    const outputs = buildOutputs(one(result()))
    expect(outputs).toMatchObject({
      status: 'COMPLETED',
      'output-file-id': 'file-out',
      'error-file-id': 'file-err',
      progress: '100',
      error: '',
      'timed-out': 'false'
    })
    expect(JSON.parse(outputs.batch!).model_id).toBe('Qwen/Qwen3.5-9B')
  })

  it('keeps partial output of an expired batch and flags timeouts', () => {
    expect(buildOutputs(one(result({ outcome: 'ended-not-completed', status: 'EXPIRED' })))['output-file-id']).toBe(
      'file-out'
    )
    expect(
      buildOutputs(one(result({ outcome: 'timed-out', batch: undefined, status: '', finalStatus: undefined })))
    ).toEqual({
      status: '',
      'output-file-id': '',
      'error-file-id': '',
      progress: '',
      error: '',
      batch: '',
      'timed-out': 'true',
      'output-path': '',
      'error-path': '',
      'succeeded-requests': '',
      'failed-requests': '',
      'prompt-tokens': '',
      'completion-tokens': '',
      'total-tokens': '',
      'estimated-cost': '',
      batches:
        '[{"id":"batch-1","status":"","progress":null,"output_file_id":null,"error_file_id":null,"error":null,"timed_out":true}]',
      done: 'false'
    })
  })

  it('bounds huge fields', () => {
    const outputs = buildOutputs(one(result({ batch: { status: 'FAILED', error: 'e'.repeat(100_000) } })))
    expect(outputs.error!.length).toBeLessThanOrEqual(4096)
    expect(outputs.batch!.length).toBeLessThan(5000)
  })
})

describe('result files in the outputs', () => {
  const one = all(
    withBatch('b1', { status: 'COMPLETED', progress: 100, output_file_id: 'out-b1', error_file_id: 'err-b1' })
  )
  const files: BatchFiles = {
    outputPath: '/tmp/r/b1-output.jsonl',
    errorPath: '/tmp/r/b1-errors.jsonl',
    tally: { succeeded: 998, failed: 2, codes: new Map([['rate_limit', { count: 2, example: '<b>slow</b> down' }]]) }
  }
  const counted = new Map([['b1', files]])

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
})

describe('status and progress in the outputs', () => {
  const PASS = { ok: true, message: 'ok' }

  it("uses the engine's progress (COMPLETED without progress is 100) in the summary and the outputs", () => {
    const all = oneWait({ progress: 100, batch: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } })
    expect(buildSummary(all, PASS)).toContain('<th align="left">Progress</th>')
    expect(buildOutputs(all).progress).toBe('100')
    expect(JSON.parse(buildOutputs(all).batches ?? '')[0].progress).toBe(100)
  })

  it('puts only plain status words into the outputs: anything else the server said reads UNKNOWN', () => {
    const hostile = 'RUNNING\n$(curl evil)'
    const all = oneWait({ outcome: 'timed-out', status: hostile, finalStatus: undefined })
    expect(buildOutputs(all).status).toBe('UNKNOWN')
    expect(JSON.parse(buildOutputs(all).batches ?? '')[0].status).toBe('UNKNOWN')
    expect(buildOutputs(oneWait({ outcome: 'timed-out', status: 'IN_PROGRESS', finalStatus: undefined })).status).toBe(
      'IN_PROGRESS'
    )
  })
})
