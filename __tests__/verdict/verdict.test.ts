import { describe, expect, it } from '@jest/globals'
import type { WaitResult } from '../../src/engine/types.js'
import type { FinalStatus } from '../../src/together/status.js'
import { judge, judgeWaits, LISTED } from '../../src/verdict/verdict.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])

function result(batchId: string, outcome: WaitResult['outcome'], extra: Partial<WaitResult> = {}): WaitResult {
  const status = outcome === 'completed' ? 'COMPLETED' : 'IN_PROGRESS'
  return {
    batchId,
    outcome,
    status,
    ...(outcome === 'completed' ? { finalStatus: 'COMPLETED' as const } : {}),
    batch: {
      id: batchId,
      status,
      progress: 40,
      ...(outcome === 'completed' ? { output_file_id: `out-${batchId}` } : {})
    },
    progress: 40,
    startedAt: 0,
    endedAt: 120_000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 2,
    ...extra
  }
}

/** The step's wait verdict over `results`, each judged on its own first, as the step does. */
const waits = (results: WaitResult[], timing = { startedAt: 0, endedAt: 120_000, timeoutMs: 60_000 }) =>
  judgeWaits(
    { results, ...timing },
    results.map(r => judge(r, FAIL_ON))
  )

describe('judgeWaits over several batches', () => {
  it('fails when the wait was aborted, saying so, without the timeout hint', () => {
    const verdict = waits([result('b1', 'completed'), result('b2', 'aborted'), result('b3', 'aborted')])
    expect(verdict).toEqual({
      ok: false,
      message: 'The wait was aborted with 2 not finished: b2 IN_PROGRESS; b3 IN_PROGRESS.'
    })
  })

  it('fails on a timeout, over the longer of the timeout and the time waited, with the hint for batches still answering', () => {
    const verdict = waits([result('b1', 'timed-out')])
    expect(verdict).toEqual({
      ok: false,
      message: "Timed out after 2m 00s with 1 not finished: b1 IN_PROGRESS. Raise the 'timeout' input."
    })
    expect(waits([result('b1', 'timed-out')], { startedAt: 0, endedAt: 1_000, timeoutMs: 180_000 }).message).toMatch(
      /^Timed out after 3m 00s with/
    )
  })

  it('leaves the timeout hint out when no unfinished batch would gain from a longer timeout', () => {
    const limited = result('b1', 'timed-out', { rateLimited: { retryAfterMs: 600_000 } })
    const silent = result('b2', 'timed-out', {
      batch: undefined,
      status: '',
      lastError: { message: 'HTTP 503', status: 503 }
    })
    const verdict = waits([limited, silent])
    expect(verdict.ok).toBe(false)
    expect(verdict.message).not.toContain('Raise')
    expect(verdict.message).toBe(
      'Timed out after 2m 00s with 2 not finished: b1 IN_PROGRESS (rate-limited: Together asked to wait 10m 00s); b2 no check succeeded; last error: HTTP 503.'
    )
    // One batch that was answering is enough for the hint.
    expect(waits([limited, silent, result('b3', 'timed-out')]).message).toMatch(/ Raise the 'timeout' input\.$/)
  })

  it(`lists at most ${LISTED} unfinished batches and counts the rest`, () => {
    const many = Array.from({ length: LISTED + 2 }, (_, i) => result(`t${i}`, 'timed-out'))
    expect(waits(many).message).toBe(
      "Timed out after 2m 00s with 7 not finished: t0 IN_PROGRESS; t1 IN_PROGRESS; t2 IN_PROGRESS; t3 IN_PROGRESS; t4 IN_PROGRESS; and 2 more. Raise the 'timeout' input."
    )
    const exactly = Array.from({ length: LISTED }, (_, i) => result(`t${i}`, 'timed-out'))
    expect(waits(exactly).message).not.toContain('more')
  })

  it('fails a batch that failed even when the others passed, and passes only when every batch passed', () => {
    const failed = result('b2', 'final', { status: 'FAILED', finalStatus: 'FAILED', batch: { status: 'FAILED' } })
    expect(waits([result('b1', 'completed'), failed])).toEqual({
      ok: false,
      message: '1 of 2 batches failed: b2 FAILED.'
    })
    expect(waits([result('b1', 'completed'), result('b2', 'pending')])).toEqual({
      ok: true,
      message: '1 of 2 batches completed, 1 not finished yet (checked once).'
    })
  })

  it('describes each kind of failed batch in the list', () => {
    const verdict = waits([
      result('e1', 'error', { batch: undefined, status: '', error: { message: 'socket hang up' } }),
      result('n1', 'no-output', { status: 'COMPLETED', finalStatus: 'COMPLETED', batch: { status: 'COMPLETED' } }),
      result('f1', 'final', {
        status: 'FAILED',
        finalStatus: 'FAILED',
        batch: { status: 'FAILED', error: 'x'.repeat(100) }
      }),
      result('s1', 'final', { status: '', finalStatus: 'EXPIRED', batch: { status: '' } })
    ])
    expect(verdict).toEqual({
      ok: false,
      message: `4 of 4 batches failed: e1: socket hang up; n1 COMPLETED without output file; f1 FAILED (${'x'.repeat(80)}… (20 more characters)); s1 no status.`
    })
  })
})
