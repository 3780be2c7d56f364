import { describe, expect, it } from '@jest/globals'
import { payloadLine, startLine } from '../../src/engine/messages.js'
import { BatchTracker } from '../../src/engine/tracker.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { completed, oneBatchWait, running } from '../helpers/one-batch.js'
import { recordingLogger } from '../helpers/virtual-time.js'

// A batch's decisions as the engine drives them: one batch, scripted answers, virtual time.
describe('a batch tracked through the wait', () => {
  it.each([
    ['FAILED', 'FAILED'],
    ['expired', 'EXPIRED'],
    ['CANCELLED', 'CANCELLED'],
    ['Canceled', 'CANCELLED']
  ])('ends with outcome final for status %s, read as %s', async (raw, normal) => {
    const { run } = oneBatchWait([running(10), { status: raw, error: 'boom', error_file_id: 'file-err' }])
    const result = await run()
    expect(result.outcome).toBe('ended-not-completed')
    expect(result.finalStatus).toBe(normal)
    expect(result.status).toBe(normal)
  })

  it('reads statuses case-insensitively', async () => {
    const { run } = oneBatchWait([{ status: 'completed', output_file_id: 'f' }])
    expect((await run()).outcome).toBe('completed')
  })

  it('re-checks a COMPLETED batch without output file twice, then reports no-output', async () => {
    const { run, calls } = oneBatchWait([{ status: 'COMPLETED', error_file_id: 'file-err' }])
    const result = await run()
    expect(result.outcome).toBe('no-output')
    expect(calls).toHaveLength(3)
    expect(result.batch?.error_file_id).toBe('file-err')
  })

  it('accepts an output file id that appears on a re-check', async () => {
    const { run, calls } = oneBatchWait([{ status: 'COMPLETED' }, completed])
    expect((await run()).outcome).toBe('completed')
    expect(calls).toHaveLength(2)
  })

  it('keeps waiting through CANCELING without a warning', async () => {
    const { run, log } = oneBatchWait([{ status: 'CANCELING' }, { status: 'CANCELLED' }])
    const result = await run()
    expect(result.finalStatus).toBe('CANCELLED')
    expect(log.text('warning')).toBe('')
    expect(result.timeline.map(t => t.status)).toEqual(['CANCELING', 'CANCELLED'])
  })

  it.each([400, 401, 403, 404])('fails at once on HTTP %i without retrying', async status => {
    const { run, calls } = oneBatchWait([
      new TogetherError(`HTTP ${status}`, { kind: 'http', status, serverMessage: 'nope' })
    ])
    const result = await run()
    expect(result.outcome).toBe('error')
    expect(result.error).toEqual({ message: `HTTP ${status}`, status, serverMessage: 'nope', kind: 'http' })
    expect(calls).toHaveLength(1)
  })

  it('reports an unexpected non-Error throw as an error outcome', async () => {
    const { run } = oneBatchWait([
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
        throw 'plain string'
      }
    ])
    const result = await run()
    expect(result.outcome).toBe('error')
    expect(result.error?.message).toBe('plain string')
  })
})

const T0 = Date.UTC(2026, 0, 1)
const POLL = 30_000

function tracker(options: { checkOnce?: boolean; named?: boolean } = {}) {
  const log = recordingLogger()
  const made = new BatchTracker('b1', T0, log, {
    pollIntervalMs: POLL,
    timeoutMs: 600_000,
    checkOnce: options.checkOnce ?? false,
    named: options.named ?? false,
    lastCheckAt: T0 + 595_000
  })
  return { tracker: made, log }
}

const inProgress = (progress?: number): BatchJob => ({ status: 'IN_PROGRESS', progress })
const done: BatchJob = { status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }

describe('BatchTracker', () => {
  it('is due at once, and at the poll interval after a running answer with no prediction', () => {
    const { tracker: t } = tracker()
    expect(t.dueAt).toBe(T0)
    t.onAnswer(inProgress(10), T0 + 1000)
    expect(t.outcome).toBeUndefined()
    expect(t.dueAt).toBe(T0 + 1000 + POLL)
    expect(t.requests).toBe(1)
    expect(t.recheckingOutput).toBe(false)
  })

  it('opens the wait with one start line, and logs every answer in full at debug', () => {
    const { tracker: t, log } = tracker()
    const first: BatchJob = { ...inProgress(10), model_id: 'm-1', endpoint: '/v1/chat/completions' }
    const second: BatchJob = { ...first, progress: 20 }
    t.onAnswer(first, T0)
    t.onAnswer(second, T0 + POLL)
    const start = startLine('b1', first, { timeoutMs: 600_000, pollIntervalMs: POLL })
    expect(log.lines.filter(l => l.message === start)).toEqual([{ level: 'info', message: start }])
    expect(log.lines.filter(l => l.level === 'debug').map(l => l.message)).toEqual([
      payloadLine('b1', first),
      payloadLine('b1', second)
    ])
  })

  it('records the first answer in the timeline even without a status', () => {
    const { tracker: t } = tracker()
    t.onAnswer({ progress: 10 }, T0 + 1000)
    t.onAnswer({ progress: 20 }, T0 + 2000)
    expect(t.result(T0 + 2000).timeline).toEqual([{ atMs: 1000, status: '', progress: 10 }])
  })

  it('reports status, progress, timeline and series of a batch that completed', () => {
    const { tracker: t } = tracker()
    t.onAnswer(inProgress(10), T0)
    t.onAnswer(inProgress(10), T0 + 30_000)
    t.onAnswer(inProgress(60), T0 + 60_000)
    t.onAnswer(done, T0 + 90_000)
    const r = t.result(T0 + 91_000)
    expect(r).toMatchObject({
      batchId: 'b1',
      outcome: 'completed',
      status: 'COMPLETED',
      finalStatus: 'COMPLETED',
      progress: 100,
      startedAt: T0,
      endedAt: T0 + 91_000,
      timeoutMs: 600_000,
      requests: 4
    })
    expect(r.batch).toEqual(done)
    // One timeline entry per status change; one series point per change of progress.
    expect(r.timeline).toEqual([
      { atMs: 0, status: 'IN_PROGRESS', progress: 10 },
      { atMs: 90_000, status: 'COMPLETED', progress: 100 }
    ])
    expect(r.progressSeries).toEqual([
      { atMs: 0, progress: 10 },
      { atMs: 60_000, progress: 60 },
      { atMs: 90_000, progress: 100 }
    ])
    expect(r.etaAt).toBeUndefined()
  })

  it('re-checks COMPLETED without an output file after at most 5 s, and ends no-output on the third', () => {
    const { tracker: t } = tracker()
    const noFile: BatchJob = { status: 'COMPLETED' }
    t.onAnswer(noFile, T0)
    expect(t.recheckingOutput).toBe(true)
    expect(t.dueAt).toBe(T0 + 5000)
    t.onAnswer(noFile, T0 + 5000)
    expect(t.outcome).toBeUndefined()
    t.onAnswer(noFile, T0 + 10_000)
    expect(t.outcome).toBe('no-output')
  })

  it('checking once ends a running batch as pending, and COMPLETED without output as no-output', () => {
    const once = tracker({ checkOnce: true }).tracker
    once.onAnswer(inProgress(5), T0)
    expect(once.outcome).toBe('pending')
    const noFile = tracker({ checkOnce: true }).tracker
    noFile.onAnswer({ status: 'COMPLETED' }, T0)
    expect(noFile.outcome).toBe('no-output')
  })

  it('predicts a finish from steady progress and keeps it in the result', () => {
    const { tracker: t } = tracker()
    for (const [i, p] of [5, 10, 20, 30].entries()) t.onAnswer(inProgress(p), T0 + i * 10_000)
    expect(t.result(T0 + 30_000).etaAt).toBe(T0 + 30_000 + 70_000)
  })

  it('drops the predicted finish once the batch has ended', () => {
    const { tracker: t } = tracker()
    for (const [i, p] of [5, 10, 20, 30].entries()) t.onAnswer(inProgress(p), T0 + i * 10_000)
    t.onAnswer({ status: 'FAILED' }, T0 + 40_000)
    expect(t.result(T0 + 40_000).etaAt).toBeUndefined()
  })

  it('ends as error at once on a lasting failure, without a retry', () => {
    const { tracker: t, log } = tracker()
    const denied = new TogetherError('HTTP 401', { kind: 'http', status: 401, serverMessage: 'bad key' })
    expect(t.onError(denied, T0, () => 0.5)).toBeUndefined()
    expect(t.outcome).toBe('error')
    expect(t.result(T0).error).toEqual({ message: 'HTTP 401', status: 401, serverMessage: 'bad key', kind: 'http' })
    expect(log.text('warning')).toBe('')
    // Never answered: no status to report.
    expect(t.result(T0).status).toBe('')
  })

  it('schedules a retry with backoff after a transient failure, warns, and keeps it as the last error', () => {
    const { tracker: t, log } = tracker()
    t.onAnswer(inProgress(10), T0)
    const unavailable = new TogetherError('HTTP 503', { kind: 'http', status: 503 })
    expect(t.onError(unavailable, T0 + 30_000, () => 0)).toBeUndefined()
    expect(t.outcome).toBeUndefined()
    expect(t.dueAt).toBe(T0 + 30_000 + 500)
    expect(t.requests).toBe(2)
    expect(log.text('warning')).toContain('HTTP 503')
    expect(t.result(T0 + 30_000).lastError?.message).toBe('HTTP 503')
    t.onAnswer(inProgress(20), T0 + 31_000)
    expect(t.result(T0 + 31_000).lastError).toBeUndefined()
  })

  it('returns how long a 429 asked everyone to hold off', () => {
    const { tracker: t } = tracker()
    const limited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 7000 })
    expect(t.onError(limited, T0, () => 0.5)).toBe(7000)
    expect(t.dueAt).toBeGreaterThanOrEqual(T0 + 7000)
  })

  it('records a 429 that asks to wait past the last check, and forgets it after an answer', () => {
    const { tracker: t } = tracker()
    const limited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 3_600_000 })
    t.onError(limited, T0, () => 0.5)
    expect(t.result(T0).rateLimited).toEqual({ retryAfterMs: 3_600_000 })
    t.onAnswer(inProgress(10), T0 + 595_000)
    expect(t.result(T0 + 595_000).rateLimited).toBeUndefined()
  })

  it('ends as error on an unreachable host before any answer, and retries it after one', () => {
    const unreachable = new TogetherError('getaddrinfo ENOTFOUND api.example', { kind: 'unreachable' })
    const first = tracker().tracker
    first.onError(unreachable, T0, () => 0.5)
    expect(first.outcome).toBe('error')
    const later = tracker().tracker
    later.onAnswer(inProgress(10), T0)
    later.onError(unreachable, T0 + 30_000, () => 0.5)
    expect(later.outcome).toBeUndefined()
  })

  it('ends as error after three answers in a row that are not a batch, saying how many', () => {
    const { tracker: t } = tracker()
    const notBatch = new TogetherError('not a batch', { kind: 'invalid-response' })
    t.onError(notBatch, T0, () => 0.5)
    t.onError(notBatch, T0 + 1000, () => 0.5)
    expect(t.outcome).toBeUndefined()
    t.onError(notBatch, T0 + 2000, () => 0.5)
    expect(t.outcome).toBe('error')
    expect(t.result(T0 + 2000).error?.repeated).toBe(3)
  })

  it('keeps the first outcome: an end after the batch ended changes nothing', () => {
    const { tracker: t } = tracker()
    t.onAnswer(done, T0)
    t.end('aborted')
    expect(t.outcome).toBe('completed')
  })

  it('expires as timed-out, or as no-output while re-checking for the output file', () => {
    const running1 = tracker().tracker
    running1.onAnswer(inProgress(10), T0)
    running1.expire()
    expect(running1.outcome).toBe('timed-out')
    const rechecking = tracker().tracker
    rechecking.onAnswer({ status: 'COMPLETED' }, T0)
    rechecking.expire()
    expect(rechecking.outcome).toBe('no-output')
  })

  it('reports an ended wait without an outcome as timed-out', () => {
    const { tracker: t } = tracker()
    t.onAnswer(inProgress(10), T0)
    expect(t.result(T0 + 1000).outcome).toBe('timed-out')
  })

  it('reports the status a cancel was answered with, in the result, the timeline and the batch', () => {
    const { tracker: t } = tracker()
    t.onAnswer(inProgress(40), T0)
    const cancel = { reason: 'timeout', state: 'answered', status: 'CANCELING' } as const
    t.cancelled(cancel, T0 + 5000)
    const r = t.result(T0 + 5000)
    expect(r.status).toBe('CANCELING')
    expect(r.batch?.status).toBe('CANCELING')
    expect(r.cancel).toEqual(cancel)
    expect(r.timeline.at(-1)).toEqual({ atMs: 5000, status: 'CANCELING', progress: 40 })
    expect(r.finalStatus).toBeUndefined()
  })

  it('records a failed cancel without changing the status', () => {
    const { tracker: t } = tracker()
    t.onAnswer(inProgress(40), T0)
    t.cancelled({ reason: 'abort', state: 'failed', error: 'HTTP 500' }, T0 + 1000)
    const r = t.result(T0 + 1000)
    expect(r.status).toBe('IN_PROGRESS')
    expect(r.cancel).toEqual({ reason: 'abort', state: 'failed', error: 'HTTP 500' })
    expect(r.timeline).toHaveLength(1)
  })

  it('takes a status only from a cancel that was answered', () => {
    const { tracker: t } = tracker()
    t.onAnswer(inProgress(40), T0)
    t.cancelled({ reason: 'timeout', state: 'no-answer', error: 'no answer in 10s', status: 'CANCELING' }, T0 + 1000)
    const r = t.result(T0 + 1000)
    expect(r.status).toBe('IN_PROGRESS')
    expect(r.batch?.status).toBe('IN_PROGRESS')
    expect(r.timeline).toHaveLength(1)
  })

  it('reports the status of a cancel answered before any check was, without making up a batch', () => {
    const { tracker: t } = tracker()
    t.cancelled({ reason: 'abort', state: 'answered', status: 'CANCELING' }, T0 + 1000)
    const r = t.result(T0 + 1000)
    expect(r.status).toBe('CANCELING')
    expect(r.batch).toBeUndefined()
  })

  it('names the batch in progress lines when several batches are waited for', () => {
    const progressLine = (named: boolean): string | undefined => {
      const { tracker: t, log } = tracker({ named })
      t.onAnswer(inProgress(10), T0)
      return log.lines.filter(l => l.level === 'info').at(-1)?.message
    }
    expect(progressLine(false)).toBe('[0s] IN_PROGRESS 10%')
    expect(progressLine(true)).toBe('b1: [0s] IN_PROGRESS 10%')
  })
})
