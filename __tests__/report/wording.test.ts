import { describe, expect, it } from '@jest/globals'
import type { CancelOutcome, WaitReport, BatchResult } from '../../src/engine/types.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'

const T0 = Date.UTC(2026, 0, 1)

function one(overrides: Partial<BatchResult> = {}): WaitReport {
  const r: BatchResult = {
    batchId: 'b1',
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: { id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' },
    startedAt: T0,
    endedAt: T0 + 5000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 1,
    ...overrides
  }
  return { results: [r], startedAt: T0, endedAt: r.endedAt, timeoutMs: r.timeoutMs, done: true }
}

const PASS = { ok: true, message: 'ok' }

describe('summary wording', () => {
  it('counts one status check in the singular and several in the plural', () => {
    expect(buildSummary(one(), PASS)).toContain('(1 status check)')
    expect(buildSummary(one({ requests: 3 }), PASS)).toContain('(3 status checks)')
  })

  it.each<[CancelOutcome, string]>([
    [{ reason: 'abort', state: 'answered', status: 'CANCELING' }, 'requested, Together answered CANCELING'],
    [{ reason: 'abort', state: 'no-answer', error: 'no answer within 3s' }, 'sent, no answer: no answer within 3s'],
    [{ reason: 'abort', state: 'not-sent', error: 'no time left' }, 'not sent: no time left'],
    [{ reason: 'timeout', state: 'failed', error: 'HTTP 500' }, 'failed: HTTP 500']
  ])('tells a cancel %j apart from the others', (cancel, text) => {
    const all = one({ outcome: 'aborted', status: 'IN_PROGRESS', finalStatus: undefined, cancel })
    expect(buildSummary(all, { ok: false, message: 'aborted' })).toContain(`<th align="left">Cancel</th><td>${text}`)
  })

  it('heads a COMPLETED batch whose results failed as a failure of its results, not of the batch', () => {
    expect(buildSummary(one(), { ok: false, message: 'gate' })).toContain(
      '## ❌ Together batch b1: COMPLETED, but its results failed'
    )
    expect(buildSummary(one(), PASS)).toContain('## ✅ Together batch b1: COMPLETED\n')
  })

  it("uses the engine's progress (COMPLETED without progress is 100) in the summary and the outputs", () => {
    const all = one({ progress: 100, batch: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } })
    expect(buildSummary(all, PASS)).toContain('<th align="left">Progress</th>')
    expect(buildOutputs(all).progress).toBe('100')
    expect(JSON.parse(buildOutputs(all).batches ?? '')[0].progress).toBe(100)
  })

  it('puts only plain status words into the outputs: anything else the server said reads UNKNOWN', () => {
    const hostile = 'RUNNING\n$(curl evil)'
    const all = one({ outcome: 'timed-out', status: hostile, finalStatus: undefined })
    expect(buildOutputs(all).status).toBe('UNKNOWN')
    expect(JSON.parse(buildOutputs(all).batches ?? '')[0].status).toBe('UNKNOWN')
    expect(buildOutputs(one({ outcome: 'timed-out', status: 'IN_PROGRESS', finalStatus: undefined })).status).toBe(
      'IN_PROGRESS'
    )
  })
})
