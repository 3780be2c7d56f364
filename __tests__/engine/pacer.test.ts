import { describe, expect, it } from '@jest/globals'
import { Pacer } from '../../src/engine/pacer.js'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions, WaitReport } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi } from '../../tools/virtual/event-loop.js'

const OPTIONS: Omit<WaitAllOptions, 'batchIds'> = {
  timeoutMs: 30 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}

/** The engine against `latentApi` in virtual time; answers are instant unless `latency` says otherwise. */
function setup(
  plan: (id: string, elapsed: number, call: number) => BatchJob | Error,
  latency?: (id: string) => number,
  signal?: AbortSignal
) {
  const loop = eventLoop()
  const log = recordingLogger()
  const fake = latentApi(loop, plan, latency)
  const run = (options: Partial<WaitAllOptions> & { batchIds: string[] }): Promise<WaitReport> =>
    loop.run(
      waitForBatches(
        { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log, signal },
        {
          ...OPTIONS,
          ...options
        }
      )
    )
  const gets = (id?: string) => fake.calls.filter(c => c.method === 'get' && (id === undefined || c.id === id))
  return { loop, log, run, gets, ...fake }
}

/** Longest time between the starts of two checks of the same batch. */
function longestGap(times: number[]): number {
  return Math.max(...times.slice(1).map((t, i) => t - times[i]!))
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
    const plans: Record<string, (e: number) => BatchJob> = {
      'b-slow': finishesAt(5 * 60_000),
      'b-fails': finishesAt(60_000, true),
      'b-fast': finishesAt(0)
    }
    const { run, log } = setup((id, elapsed) => plans[id]!(elapsed))
    const all = await run({ batchIds: ['b-slow', 'b-fails', 'b-fast'] })
    expect(all.results.map(r => [r.batchId, r.outcome, r.status])).toEqual([
      ['b-slow', 'completed', 'COMPLETED'],
      ['b-fails', 'ended-not-completed', 'FAILED'],
      ['b-fast', 'completed', 'COMPLETED']
    ])
    expect(all.done).toBe(true)
    expect(log.text('info')).toMatch(/b-fails: \[1m 0\ds\] FAILED/)
    expect(log.text('info')).toMatch(/\] 2\/3 completed · 1 failed · 0 in progress · 66.7%$/)
    expect(log.text('info').match(/2\/3 completed · 1 failed · 0 in progress/g)).toHaveLength(1)
  })

  it('never starts more than 4 requests a second, however many batches', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `b-${i}`)
    const { run, gets } = setup((_id, elapsed) => finishesAt(3 * 60_000)(elapsed))
    const all = await run({ batchIds: ids })
    expect(all.done).toBe(true)
    const calls = gets()
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
    const limited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 20_000 })
    const { run, gets } = setup((id, elapsed, call) => (id === 'a' && call === 1 ? limited : finishesAt(0)(elapsed)))
    await run({ batchIds: ['a', 'b', 'c'] })
    const calls = gets()
    expect(calls[0]!.id).toBe('a')
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(20_000)
  })

  it('with timeout 0 checks each batch once and marks running ones pending', async () => {
    const plans: Record<string, BatchJob | Error> = {
      running: { status: 'IN_PROGRESS', progress: 40 },
      done: { status: 'COMPLETED', output_file_id: 'f' },
      broken: new TogetherError('HTTP 503', { kind: 'http', status: 503 })
    }
    const { run, gets, loop, log } = setup(id => plans[id]!)
    const all = await run({ timeoutMs: 0, batchIds: ['running', 'done', 'broken'] })
    const calls = gets()
    expect(calls.map(c => c.id)).toEqual(['running', 'done', 'broken'])
    expect(all.results.map(r => r.outcome)).toEqual(['pending', 'completed', 'pending'])
    expect(all.done).toBe(false)
    expect(loop.now() - all.startedAt).toBeLessThanOrEqual(1000)
    expect(log.text('info').split('\n')[0]).toBe('Checking 3 Together batches once.')
    expect(log.text('info')).not.toContain('Checking Together batch running once')
    expect(log.text('debug')).toContain('Checking Together batch running once')
    expect(log.text('warning')).toBe(
      'Checking batch broken failed: HTTP 503. Not retried: this step checks once; a later run checks again.'
    )
  })

  it('opens with one line for all batches and leaves the per-batch start lines to debug', async () => {
    const { run, log } = setup(() => finishesAt(0)(0))
    await run({ batchIds: Array.from({ length: 12 }, (_, i) => `b${i}`), timeoutMs: 6 * 3_600_000 })
    const info = log.text('info').split('\n')
    expect(info[0]).toBe('Waiting for 12 Together batches for up to 6h 00m, checking each at least every 30s.')
    expect(info.filter(line => line.startsWith('Waiting for'))).toHaveLength(1)
    expect(log.text('debug').match(/^Waiting for Together batch b\d+ /gm)).toHaveLength(12)
  })

  it('times out every unfinished batch and cancels each when asked', async () => {
    const { run, calls } = setup((id, elapsed) => (id === 'quick' ? finishesAt(0)(elapsed) : finishesAt(1e9)(elapsed)))
    const all = await run({ timeoutMs: 120_000, cancelOnTimeout: true, batchIds: ['quick', 'slow-1', 'slow-2'] })
    expect(all.results.map(r => r.outcome)).toEqual(['completed', 'timed-out', 'timed-out'])
    expect(
      calls
        .filter(c => c.method === 'cancel')
        .map(c => c.id)
        .sort()
    ).toEqual(['slow-1', 'slow-2'])
    expect(all.results[1]!.cancel).toEqual({ reason: 'timeout', state: 'answered', status: 'CANCELING' })
    expect(Math.max(...calls.filter(c => c.method === 'get').map(c => c.at)) - all.startedAt).toBeLessThan(120_000)
  })

  it('names every batch left running when aborted', async () => {
    const controller = new AbortController()
    const { run, log } = setup(
      (id, elapsed) => {
        if (id === 'y') controller.abort()
        return finishesAt(1e9)(elapsed)
      },
      undefined,
      controller.signal
    )
    const all = await run({ batchIds: ['x', 'y'] })
    expect(all.results.map(r => r.outcome)).toEqual(['aborted', 'aborted'])
    expect(log.text('info')).toContain('batches x, y are left running')
  })
})

describe('concurrent checks', () => {
  const never = (): BatchJob => ({ status: 'IN_PROGRESS', progress: 10 })
  const ids = (n: number, prefix = 'b') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)

  it('checks 20 slow-answering batches at every poll interval, not once per sweep', async () => {
    const { run, gets } = setup(never, () => 1000)
    await run({ timeoutMs: 5 * 60_000, pollIntervalMs: 10_000, batchIds: ids(20) })
    for (const id of ids(20)) {
      // The interval runs from the answer, so one request's latency (1 s) and one pacer step (250 ms) on top.
      expect(longestGap(gets(id).map(c => c.at))).toBeLessThanOrEqual(10_000 + 1000 + 250)
    }
    const starts = gets().map(c => c.at)
    expect(Math.min(...starts.slice(1).map((t, i) => t - starts[i]!))).toBeGreaterThanOrEqual(250)
  })

  it('keeps checking the other batches while one request hangs until its timeout', async () => {
    const { run, gets, calls } = setup(never, id => (id === 'stuck' ? Number.POSITIVE_INFINITY : 1000))
    const all = await run({ timeoutMs: 3 * 60_000, pollIntervalMs: 10_000, batchIds: ['stuck', ...ids(5)] })
    for (const id of ids(5)) expect(longestGap(gets(id).map(c => c.at))).toBeLessThanOrEqual(10_000 + 1000 + 250)
    // The hanging batch is retried after each 30 s timeout, never while its previous request is open.
    const stuck = gets('stuck')
    expect(stuck.length).toBeGreaterThanOrEqual(4)
    for (const [i, call] of stuck.slice(1).entries()) expect(call.at).toBeGreaterThanOrEqual(stuck[i]!.endedAt!)
    for (const id of ids(5)) {
      const own = calls.filter(c => c.id === id)
      for (const [i, call] of own.slice(1).entries()) expect(call.at).toBeGreaterThanOrEqual(own[i]!.endedAt!)
    }
    expect(all.results[0]!.lastError?.message).toMatch(/^GET \/batches\/stuck got no answer within \d+s$/)
  })

  it('keeps at most 16 checks in flight, starting the next as one settles', async () => {
    const { run, maxInFlight, gets } = setup(never, () => Number.POSITIVE_INFINITY)
    await run({ timeoutMs: 2 * 60_000, pollIntervalMs: 10_000, batchIds: ids(40) })
    expect(maxInFlight()).toBe(16)
    // The 17th check waits for the first timeout (30 s), not for the whole first round.
    expect(gets('b-16')[0]!.at - gets('b-0')[0]!.at).toBe(30_000)
  })

  it('starts no check after the deadline less a margin, each bounded by the time left', async () => {
    const { run, gets, loop } = setup(never, () => 1000)
    const all = await run({ timeoutMs: 60_000, pollIntervalMs: 10_000, batchIds: ids(20) })
    expect(all.results.every(r => r.outcome === 'timed-out')).toBe(true)
    for (const call of gets()) {
      expect(call.at).toBeLessThanOrEqual(all.startedAt + 59_000)
      expect(call.options?.timeoutMs).toBeLessThanOrEqual(all.startedAt + 60_000 - call.at)
    }
    expect(loop.now() - all.startedAt).toBeLessThanOrEqual(60_000)
  })
})
