import { describe, expect, it } from '@jest/globals'
import type { CancelOutcome, WaitReport, BatchResult } from '../../src/engine/types.js'
import { buildFailureSummary, buildSummary } from '../../src/report/summary.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import type { Tally } from '../../src/result-files/tally.js'
import { judge } from '../../src/verdict/verdict.js'
import type { FinalStatus } from '../../src/together/status.js'
import { one, oneWait, result, T0 } from '../helpers/batch-result.js'
import { judgeAll } from '../helpers/verdicts.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])

describe('buildSummary', () => {
  it('shows heading, table and timeline of a completed batch', () => {
    const summary = buildSummary(one(result()), judge(result(), FAIL_ON))
    expect(summary.startsWith('## ✅ Together batch batch-1: COMPLETED\n')).toBe(true)
    expect(summary).toContain(`<tr><th align="left">Progress</th><td><code>${'█'.repeat(20)}</code> 100%</td></tr>`)
    expect(summary).toContain('<tr><th align="left">Waited</th><td>3m 05s (8 status checks)</td></tr>')
    expect(summary).toContain('<code>file-out</code>')
    expect(summary).toContain('### Timeline')
    expect(summary).toContain('<tr><td>3m 05s</td><td>COMPLETED</td><td>100%</td></tr>')
  })

  it('escapes server text and stays small for a 1 MB error message', () => {
    const huge = `<script>alert(1)</script>${'x'.repeat(1_000_000)}`
    const failed = result({
      outcome: 'ended-not-completed',
      status: 'FAILED',
      finalStatus: 'FAILED',
      batch: { status: 'FAILED', error: huge, model_id: '![img](http://e.test/x.png)' }
    })
    const summary = buildSummary(one(failed), judge(failed, FAIL_ON))
    expect(summary).not.toContain('<script>')
    expect(summary).not.toContain('![img]')
    expect(Buffer.byteLength(summary)).toBeLessThan(50_000)
  })

  it('headlines timeouts and aborts and shows a pending prediction', () => {
    const timedOut = result({
      outcome: 'timed-out',
      status: 'IN_PROGRESS',
      finalStatus: undefined,
      etaAt: T0 + 185_000 + 240_000
    })
    const summary = buildSummary(one(timedOut), judge(timedOut, FAIL_ON))
    expect(summary).toContain('## ⏱️ Together batch batch-1: IN_PROGRESS (timed out)\n')
    expect(summary).toContain('in ~4m 00s')
    const aborted = result({ outcome: 'aborted', cancel: { reason: 'abort', state: 'failed', error: 'HTTP 500' } })
    expect(buildSummary(one(aborted), judge(aborted, FAIL_ON))).toContain('⛔')
    expect(buildSummary(one(aborted), judge(aborted, FAIL_ON))).toContain('<td>failed: HTTP 500</td>')
  })

  it('summarises a failure before any wait', () => {
    expect(buildFailureSummary("Invalid timeout 'x'")).toBe(
      '## ❌ Wait for Together batch failed\n\nInvalid timeout &#39;x&#39;\n'
    )
  })
})

describe('summary wording', () => {
  const PASS = { ok: true, message: 'ok' }

  it('counts one status check in the singular and several in the plural', () => {
    expect(buildSummary(oneWait(), PASS)).toContain('(1 status check)')
    expect(buildSummary(oneWait({ requests: 3 }), PASS)).toContain('(3 status checks)')
  })

  it.each<[CancelOutcome, string]>([
    [{ reason: 'abort', state: 'answered', status: 'CANCELING' }, 'requested, Together answered CANCELING'],
    [{ reason: 'abort', state: 'no-answer', error: 'no answer within 3s' }, 'sent, no answer: no answer within 3s'],
    [{ reason: 'abort', state: 'not-sent', error: 'no time left' }, 'not sent: no time left'],
    [{ reason: 'timeout', state: 'failed', error: 'HTTP 500' }, 'failed: HTTP 500']
  ])('tells a cancel %j apart from the others', (cancel, text) => {
    const all = oneWait({ outcome: 'aborted', status: 'IN_PROGRESS', finalStatus: undefined, cancel })
    expect(buildSummary(all, { ok: false, message: 'aborted' })).toContain(`<th align="left">Cancel</th><td>${text}`)
  })

  it('heads a COMPLETED batch whose results failed as a failure of its results, not of the batch', () => {
    expect(buildSummary(oneWait(), { ok: false, message: 'gate' })).toContain(
      '## ❌ Together batch b1: COMPLETED (results failed)\n'
    )
    expect(buildSummary(oneWait(), PASS)).toContain('## ✅ Together batch b1: COMPLETED\n')
  })
})

describe('the requests section', () => {
  const FAIL_ON_FAILED = new Set<FinalStatus>(['FAILED'])
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
  const one = all(completed('b1'))
  const counted = new Map([files('b1', tally(998, 2, [['rate_limit', 2, '<b>slow</b> down']]))])

  it('summarises requests and the most common error codes, escaped', () => {
    const summary = buildSummary(one, judgeAll(one, FAIL_ON_FAILED), counted)
    expect(summary).toContain('### Requests\n\n998 succeeded · 2 failed')
    expect(summary).toContain(
      '<tr><td><code>rate_limit</code></td><td>2</td><td>&#60;b&#62;slow&#60;/b&#62; down</td></tr>'
    )
    expect(buildSummary(one, judgeAll(one, FAIL_ON_FAILED))).not.toContain('### Requests')
  })

  it('adds the counts of several batches together and per row', () => {
    const two = all(completed('b1'), completed('b2'))
    const both = new Map([files('b1', tally(10, 0)), files('b2', tally(5, 1, [['x', 1, 'e']]))])
    const summary = buildSummary(two, judgeAll(two, FAIL_ON_FAILED), both)
    expect(summary).toContain('15 succeeded · 1 failed')
    expect(summary).toContain('<td>5 / 1</td>')
  })
})
