import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { summarize } from '../../src/engine/aggregate.js'
import { aggregateLine } from '../../src/engine/messages.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import { commentRows } from '../../src/report/headline.js'
import { judgeBatch, judgeStep } from '../../src/verdict/judge-batch.js'
import { judgeAll } from '../helpers/verdicts.js'
import type { FinalStatus } from '../../src/together/status.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])
const T0 = Date.UTC(2026, 0, 1)

function r(
  batchId: string,
  outcome: BatchResult['outcome'],
  status: string,
  extra: Partial<BatchResult> = {}
): BatchResult {
  const final = ['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'].includes(status) ? (status as FinalStatus) : undefined
  const batch =
    'batch' in extra
      ? extra.batch
      : { status, progress: final ? 100 : 40, output_file_id: outcome === 'completed' ? `out-${batchId}` : undefined }
  return {
    batchId,
    outcome,
    status,
    finalStatus: final,
    batch,
    // As the engine keeps it: the last progress Together sent.
    progress: typeof batch?.progress === 'number' ? batch.progress : undefined,
    startedAt: T0,
    endedAt: T0 + 600_000,
    timeoutMs: 3_600_000,
    timeline: [],
    requests: 3,
    ...extra
  }
}

function all(results: BatchResult[]): WaitReport {
  return {
    results,
    startedAt: T0,
    endedAt: T0 + 600_000,
    timeoutMs: 3_600_000,
    done: results.every(x => x.finalStatus)
  }
}

describe('several batches', () => {
  const mixed = all([
    r('b1', 'completed', 'COMPLETED'),
    r('b2', 'ended-not-completed', 'FAILED', { batch: { status: 'FAILED', error: 'quota exceeded' } }),
    r('b3', 'timed-out', 'IN_PROGRESS')
  ])

  it('counts completed, failed and running batches, and a failed batch as no work done', () => {
    expect(summarize(mixed.results)).toEqual({ total: 3, completed: 1, failed: 1, running: 1, percent: 140 / 3 })
    expect(aggregateLine(300_000, summarize(mixed.results))).toBe(
      '[5m 00s] 1/3 completed · 1 failed · 1 in progress · 46.7%'
    )
  })

  it('counts a running batch at its last known progress when the last answer omitted it', () => {
    const quiet = r('b3', 'timed-out', 'IN_PROGRESS', { batch: { status: 'IN_PROGRESS' }, progress: 40 })
    expect(summarize([mixed.results[0]!, mixed.results[1]!, quiet]).percent).toBe(140 / 3)
  })

  it('fails, listing the failed and the unfinished batches in one line', () => {
    const verdict = judgeAll(mixed, FAIL_ON)
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toBe(
      "1 of 3 batches failed: b2 FAILED (quota exceeded). Timed out after 1h 00m with 1 not finished: b3 IN_PROGRESS. Raise the 'timeout' input."
    )
  })

  it('passes when every batch completed, or is pending after one check', () => {
    expect(judgeAll(all([r('a', 'completed', 'COMPLETED'), r('b', 'completed', 'COMPLETED')]), FAIL_ON)).toEqual({
      ok: true,
      message: '2 of 2 batches completed.'
    })
    expect(judgeAll(all([r('a', 'completed', 'COMPLETED'), r('b', 'pending', 'IN_PROGRESS')]), FAIL_ON).message).toBe(
      '1 of 2 batches completed, 1 not finished yet (checked once).'
    )
  })

  it('names the cause of batches that were never answered or were rate-limited', () => {
    const lastError = { message: 'GET /batches/b2 answered HTTP 503', status: 503 }
    const verdict = judgeAll(
      all([
        r('b1', 'completed', 'COMPLETED'),
        r('b2', 'timed-out', '', { batch: undefined, finalStatus: undefined, lastError }),
        r('b3', 'timed-out', 'IN_PROGRESS', { rateLimited: { retryAfterMs: 3_600_000 } }),
        r('b4', 'error', '', { batch: undefined, error: { message: 'x', kind: 'invalid-response', repeated: 3 } })
      ]),
      FAIL_ON
    )
    expect(verdict.message).toBe(
      '1 of 4 batches failed: b4: the server answered with something that is not a Together batch 3 times: check base-url (expected the API root such as https://api.together.ai/v1). Timed out after 1h 00m with 2 not finished: b2 no check succeeded; last error: GET /batches/b2 answered HTTP 503; b3 IN_PROGRESS (rate-limited: Together asked to wait 1h 00m).'
    )
  })

  it('gives the base-url advice for a 404 about the route with several batches too', () => {
    const error = { message: 'GET /batches/b1 answered HTTP 404: no route', status: 404, routeUnknown: true }
    const verdict = judgeAll(
      all([r('b1', 'error', '', { batch: undefined, error }), r('b2', 'completed', 'COMPLETED')]),
      FAIL_ON
    )
    expect(verdict.message).toBe(
      '1 of 2 batches failed: b1: the server does not know the route (HTTP 404), so the batch was never looked up: check base-url (expected the API root such as https://api.together.ai/v1).'
    )
  })

  it('lists at most five failures and counts the rest', () => {
    const many = all(Array.from({ length: 8 }, (_, i) => r(`f${i}`, 'ended-not-completed', 'EXPIRED')))
    expect(judgeAll(many, FAIL_ON).message).toBe(
      '8 of 8 batches failed: f0 EXPIRED; f1 EXPIRED; f2 EXPIRED; f3 EXPIRED; f4 EXPIRED; and 3 more.'
    )
  })

  it('sets status from the first batch that did not complete, and leaves per-batch scalars empty', () => {
    const outputs = buildOutputs(mixed)
    expect(outputs).toMatchObject({
      status: 'FAILED',
      'output-file-id': '',
      batch: '',
      'timed-out': 'true',
      done: 'false'
    })
    expect(JSON.parse(outputs.batches!)).toEqual([
      {
        id: 'b1',
        status: 'COMPLETED',
        progress: 100,
        output_file_id: 'out-b1',
        error_file_id: null,
        error: null,
        timed_out: false
      },
      {
        id: 'b2',
        status: 'FAILED',
        progress: null,
        output_file_id: null,
        error_file_id: null,
        error: 'quota exceeded',
        timed_out: false
      },
      {
        id: 'b3',
        status: 'IN_PROGRESS',
        progress: 40,
        output_file_id: null,
        error_file_id: null,
        error: null,
        timed_out: true
      }
    ])
    expect(buildOutputs(all([r('a', 'completed', 'COMPLETED'), r('b', 'completed', 'COMPLETED')])).status).toBe(
      'COMPLETED'
    )
  })

  it('summarises with a bar of the completed work and a row per batch, problems first', () => {
    const summary = buildSummary(mixed, judgeAll(mixed, FAIL_ON))
    expect(summary.startsWith('## ❌ Together batches: 1/3 completed\n')).toBe(true)
    // b1 done (100), b2 failed (0), b3 at 40: the bar is not full while a batch failed.
    expect(summary).toContain(
      `<code>${'█'.repeat(9)}${'░'.repeat(11)}</code> 46.7% · 1 completed, 1 failed, 1 not finished · waited 10m 00s`
    )
    expect(summary).toContain(
      [
        '<tr><th>batch</th><th>status</th><th>progress</th><th>output file</th><th>error</th></tr>',
        '<tr><td><code>b2</code></td><td>❌ FAILED</td><td></td><td></td><td>quota exceeded</td></tr>',
        '<tr><td><code>b3</code></td><td>⏱️ IN_PROGRESS (timed out)</td><td>40%</td><td></td><td></td></tr>',
        '<tr><td><code>b1</code></td><td>✅ COMPLETED</td><td>100%</td><td><code>out-b1</code></td><td></td></tr>',
        '</table>'
      ].join('\n')
    )
  })

  it('shows a batch that ended outside fail-on as passed, and one without an output file as failed, as its verdict and comment row do', () => {
    const ended = all([
      r('f-1', 'ended-not-completed', 'FAILED', { batch: { status: 'FAILED', error: 'quota exceeded' } }),
      r('x-2', 'ended-not-completed', 'EXPIRED'),
      r('n-3', 'no-output', 'COMPLETED')
    ])
    const failOn = new Set<FinalStatus>(['EXPIRED'])
    const batches = ended.results.map(b => judgeBatch(b, undefined, undefined, { failOn }))
    expect(batches.map(b => b.ok)).toEqual([true, false, false])
    expect(commentRows(ended.results, batches).map(row => row.icon)).toEqual(['✅', '❌', '❌'])
    const summary = buildSummary(ended, judgeStep(ended, batches), undefined, { batches })
    expect(summary.match(/<tr><td>.*?<\/td><td>.*?<\/td>/g)).toEqual([
      '<tr><td><code>x-2</code></td><td>❌ EXPIRED</td>',
      '<tr><td><code>n-3</code></td><td>❌ COMPLETED (no output file)</td>',
      '<tr><td><code>f-1</code></td><td>✅ FAILED</td>'
    ])
  })

  it('marks every way a wait can end, and leaves out columns no batch fills', () => {
    const ended = all([
      r('c-1', 'completed', 'COMPLETED'),
      r('n-2', 'no-output', 'COMPLETED'),
      r('e-3', 'error', '', { batch: undefined, error: { message: 'HTTP 404' } }),
      r('a-4', 'aborted', 'IN_PROGRESS'),
      r('p-5', 'pending', 'VALIDATING')
    ])
    const summary = buildSummary(ended, judgeAll(ended, FAIL_ON))
    expect(summary.match(/<tr><td>.*<\/tr>/g)).toEqual([
      '<tr><td><code>n-2</code></td><td>❌ COMPLETED (no output file)</td><td>100%</td><td></td><td></td></tr>',
      '<tr><td><code>e-3</code></td><td>❌ unknown (could not be checked)</td><td></td><td></td><td>HTTP 404</td></tr>',
      '<tr><td><code>a-4</code></td><td>⛔ IN_PROGRESS (wait aborted)</td><td>40%</td><td></td><td></td></tr>',
      '<tr><td><code>p-5</code></td><td>🔄 VALIDATING (checked once)</td><td>40%</td><td></td><td></td></tr>',
      '<tr><td><code>c-1</code></td><td>✅ COMPLETED</td><td>100%</td><td><code>out-c-1</code></td><td></td></tr>'
    ])
    const clean = all([r('c-1', 'completed', 'COMPLETED'), r('c-2', 'completed', 'COMPLETED')])
    expect(buildSummary(clean, judgeAll(clean, FAIL_ON))).toContain(
      '<tr><th>batch</th><th>status</th><th>progress</th><th>output file</th></tr>'
    )
  })
})
