import { describe, expect, it } from '@jest/globals'
import { Pacer } from '../../src/engine/pacer.js'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions } from '../../src/engine/types.js'
import { TogetherError, type BatchApi, type BatchJob } from '../../src/together/index.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const OPTIONS: Omit<WaitAllOptions, 'batchIds'> = {
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}

/** A fake API whose batches each follow `plan(id, elapsedMs)`; records every call with its virtual time. */
function fakeApi(clock: { now(): number }, plan: (id: string, elapsed: number, call: number) => BatchJob | Error) {
  const start = clock.now()
  const calls: { id: string; at: number; method: string }[] = []
  const api: BatchApi = {
    getBatch: async id => {
      calls.push({ id, at: clock.now(), method: 'get' })
      const answer = plan(id, clock.now() - start, calls.length)
      if (answer instanceof Error) throw answer
      return answer
    },
    listBatches: async () => [],
    cancelBatch: async id => {
      calls.push({ id, at: clock.now(), method: 'cancel' })
      return { status: 'CANCELING' }
    }
  }
  return { api, calls }
}

const finishesAt =
  (ms: number, failed = false) =>
  (elapsed: number): BatchJob =>
    elapsed >= ms
      ? failed
        ? { status: 'FAILED', error: 'bad input' }
        : { status: 'COMPLETED', progress: 100, output_file_id: 'f' }
      : { status: 'IN_PROGRESS', progress: 10 }

describe('Pacer', () => {
  it('spaces requests and holds everyone during a rate-limit pause', () => {
    const pacer = new Pacer(4)
    expect(pacer.nextSlot()).toBe(Number.NEGATIVE_INFINITY)
    pacer.taken(1000)
    expect(pacer.nextSlot()).toBe(1250)
    pacer.pauseUntil(5000)
    pacer.pauseUntil(3000)
    expect(pacer.nextSlot()).toBe(5000)
  })
})

describe('waitForBatches', () => {
  it('waits until every batch is final and reports each in input order', async () => {
    const clock = virtualClock()
    const log = recordingLogger()
    const plans: Record<string, (e: number) => BatchJob> = {
      'b-slow': finishesAt(5 * 60_000),
      'b-fails': finishesAt(60_000, true),
      'b-fast': finishesAt(0)
    }
    const { api } = fakeApi(clock, (id, elapsed) => plans[id]!(elapsed))
    const all = await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log },
      { ...OPTIONS, batchIds: ['b-slow', 'b-fails', 'b-fast'] }
    )
    expect(all.results.map(r => [r.batchId, r.outcome, r.status])).toEqual([
      ['b-slow', 'completed', 'COMPLETED'],
      ['b-fails', 'final', 'FAILED'],
      ['b-fast', 'completed', 'COMPLETED']
    ])
    expect(all.done).toBe(true)
    expect(log.text('info')).toMatch(/b-fails: \[1m 0\ds\] FAILED/)
    expect(log.text('info')).toMatch(/\] 2\/3 completed · 1 failed · 0 in progress · 100%$/)
  })

  it('never starts more than 4 requests a second, however many batches', async () => {
    const clock = virtualClock()
    const ids = Array.from({ length: 100 }, (_, i) => `b-${i}`)
    const { api, calls } = fakeApi(clock, (_id, elapsed) => finishesAt(3 * 60_000)(elapsed))
    const all = await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log: recordingLogger() },
      { ...OPTIONS, batchIds: ids }
    )
    expect(all.done).toBe(true)
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250)
    // Each batch is still checked at least every poll interval once the first sweep is done.
    for (const id of ids) {
      const times = calls.filter(c => c.id === id).map(c => c.at)
      const spans = times.slice(1).map((t, i) => t - times[i]!)
      expect(Math.max(...spans)).toBeLessThanOrEqual(30_000 + 25_000)
    }
  })

  it('holds every batch after a 429 for as long as the server asked', async () => {
    const clock = virtualClock()
    const limited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 20_000 })
    const { api, calls } = fakeApi(clock, (_id, elapsed, call) => (call === 1 ? limited : finishesAt(0)(elapsed)))
    await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log: recordingLogger() },
      { ...OPTIONS, batchIds: ['a', 'b', 'c'] }
    )
    expect(calls[0]!.id).toBe('a')
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(20_000)
  })

  it('with timeout 0 checks each batch once and marks running ones pending', async () => {
    const clock = virtualClock()
    const plans: Record<string, BatchJob | Error> = {
      running: { status: 'IN_PROGRESS', progress: 40 },
      done: { status: 'COMPLETED', output_file_id: 'f' },
      broken: new TogetherError('HTTP 503', { kind: 'http', status: 503 })
    }
    const { api, calls } = fakeApi(clock, id => plans[id]!)
    const log = recordingLogger()
    const all = await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log },
      { ...OPTIONS, timeoutMs: 0, batchIds: ['running', 'done', 'broken'] }
    )
    expect(calls.map(c => c.id)).toEqual(['running', 'done', 'broken'])
    expect(all.results.map(r => r.outcome)).toEqual(['pending', 'completed', 'pending'])
    expect(all.done).toBe(false)
    expect(clock.now() - all.startedAt).toBeLessThanOrEqual(1000)
    expect(log.text('info')).toContain('Checking Together batch running once')
    expect(log.text('warning')).toBe(
      'Checking batch broken failed: HTTP 503. Not retried: timeout is 0, the next run checks again.'
    )
  })

  it('times out every unfinished batch and cancels each when asked', async () => {
    const clock = virtualClock()
    const { api, calls } = fakeApi(clock, (id, elapsed) =>
      id === 'quick' ? finishesAt(0)(elapsed) : finishesAt(1e9)(elapsed)
    )
    const all = await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log: recordingLogger() },
      { ...OPTIONS, timeoutMs: 120_000, cancelOnTimeout: true, batchIds: ['quick', 'slow-1', 'slow-2'] }
    )
    expect(all.results.map(r => r.outcome)).toEqual(['completed', 'timed-out', 'timed-out'])
    expect(
      calls
        .filter(c => c.method === 'cancel')
        .map(c => c.id)
        .sort()
    ).toEqual(['slow-1', 'slow-2'])
    expect(all.results[1]!.cancel).toEqual({ reason: 'timeout', status: 'CANCELING' })
    expect(Math.max(...calls.filter(c => c.method === 'get').map(c => c.at)) - all.startedAt).toBeLessThan(120_000)
  })

  it('names every batch left running when aborted', async () => {
    const clock = virtualClock()
    const controller = new AbortController()
    const log = recordingLogger()
    const { api } = fakeApi(clock, (_id, elapsed, call) => {
      if (call === 2) controller.abort()
      return finishesAt(1e9)(elapsed)
    })
    const all = await waitForBatches(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log, signal: controller.signal },
      { ...OPTIONS, batchIds: ['x', 'y'] }
    )
    expect(all.results.map(r => r.outcome)).toEqual(['aborted', 'aborted'])
    expect(log.text('info')).toContain('batches x, y are left running')
  })
})
