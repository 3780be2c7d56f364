import { getEventListeners } from 'node:events'
import { describe, expect, it } from '@jest/globals'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import type { Logger } from '../../src/util/effects.js'
import { OPTIONS, completed, oneBatchWait, running, waitForBatch } from '../helpers/one-batch.js'
import { recordingLogger, virtualClock, type Step } from '../helpers/virtual-time.js'
import { PROFILES } from '../../tools/bench/profiles.js'
import { adaptive, fixedInterval } from '../../tools/bench/virtual.js'
import { eventLoop, latentApi } from '../../tools/virtual/event-loop.js'

describe('waitForBatches on one batch', () => {
  it('checks at once and returns completed with the output file when the batch is already done', async () => {
    const { run, calls, start } = oneBatchWait([completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    expect(result.batch?.output_file_id).toBe('file-out')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.at).toBe(start)
  })

  it('never leaves more than poll-interval between two checks while nothing changes', async () => {
    const { run, calls } = oneBatchWait([running(), running(), running(), running(), completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    expect(gaps).toHaveLength(4)
    for (const gap of gaps) expect(gap).toBeGreaterThan(0)
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(30_000)
  })

  it('warns once about an unknown status and keeps waiting', async () => {
    const { run, log } = oneBatchWait([{ status: 'PAUSED' }, { status: 'PAUSED' }, { status: 'PAUSED' }, completed])
    expect((await run()).outcome).toBe('completed')
    const warnings = log.lines.filter(l => l.level === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain("unknown status 'PAUSED'")
  })

  it('treats a missing status as still running', async () => {
    const { run, log } = oneBatchWait([{ progress: 5 }, completed])
    expect((await run()).outcome).toBe('completed')
    expect(log.text('warning')).toContain('reported no status')
  })

  it('says when a failure leaves no time to retry before the deadline', async () => {
    const hang = new TogetherError('GET /batches/batch-1 got no answer within 3s', { kind: 'timeout' })
    const { run, log } = oneBatchWait([running(5), hang], { timeoutMs: 4000, pollIntervalMs: 2000 })
    expect((await run()).outcome).toBe('timed-out')
    expect(log.text('warning')).toContain('got no answer within 3s. No time left to retry.')
  })

  it('stops at the deadline with the last status and makes no request past it', async () => {
    const { run, calls, clock, start } = oneBatchWait([running(42)], { timeoutMs: 95_000 })
    const result = await run()
    expect(result.outcome).toBe('timed-out')
    expect(result.status).toBe('IN_PROGRESS')
    expect(result.batch?.progress).toBe(42)
    expect(clock.now() - start).toBeLessThanOrEqual(95_000)
    for (const call of calls) {
      expect(call.at).toBeLessThan(start + 95_000)
      expect(call.options?.timeoutMs).toBeLessThanOrEqual(start + 95_000 - call.at)
    }
    // The last check comes shortly before the deadline, so a batch finishing late is still seen.
    expect(calls.at(-1)!.at).toBeGreaterThanOrEqual(start + 90_000)
  })

  it('retries transient errors with backoff and honours retry-after', async () => {
    const rateLimited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 7000 })
    const unavailable = new TogetherError('HTTP 503', { kind: 'http', status: 503 })
    const reset = new TogetherError('socket hang up', { kind: 'network' })
    const { run, calls, log } = oneBatchWait([rateLimited, unavailable, reset, completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    expect(calls).toHaveLength(4)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(7000)
    expect(calls[3]!.at - calls[2]!.at).toBeGreaterThan(calls[2]!.at - calls[1]!.at)
    expect(log.lines.filter(l => l.level === 'warning')).toHaveLength(3)
    expect(log.text('warning')).toContain('Retrying in 7s')
  })

  it('stops when aborted and leaves the batch running without cancel-on-abort', async () => {
    const controller = new AbortController()
    const { run, calls, log } = oneBatchWait(
      [
        running(1),
        () => {
          controller.abort()
          return running(2) as never
        }
      ],
      {},
      controller.signal
    )
    const result = await run()
    expect(result.outcome).toBe('aborted')
    expect(calls.filter(c => c.method === 'cancel')).toHaveLength(0)
    expect(log.text('info')).toContain('batch batch-1 is left running')
  })

  it('cancels the batch on abort when cancel-on-abort is set, bounded to a few seconds', async () => {
    const controller = new AbortController()
    controller.abort()
    const { run, calls } = oneBatchWait([running(1)], { cancelOnAbort: true }, controller.signal)
    const result = await run()
    expect(result.outcome).toBe('aborted')
    const cancel = calls.find(c => c.method === 'cancel')
    expect(cancel?.options?.timeoutMs).toBeLessThanOrEqual(3000)
    expect(result.cancel).toEqual({ reason: 'abort', state: 'answered', status: 'CANCELING' })
  })

  it('leaves no listener on the step signal once the wait is over', async () => {
    const controller = new AbortController()
    const { run } = oneBatchWait([running(1), completed], {}, controller.signal)
    expect((await run()).outcome).toBe('completed')
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('cancels on timeout when cancel-on-timeout is set and records a failed cancel', async () => {
    const { run } = oneBatchWait(
      [running(3)],
      { timeoutMs: 5000, pollIntervalMs: 1000, cancelOnTimeout: true },
      undefined,
      new Error('HTTP 500')
    )
    const result = await run()
    expect(result.outcome).toBe('timed-out')
    expect(result.cancel).toEqual({ reason: 'timeout', state: 'failed', error: 'HTTP 500' })
  })

  it('does not cancel on timeout unless asked', async () => {
    const { run, calls } = oneBatchWait([running(3)], { timeoutMs: 5000, pollIntervalMs: 1000 })
    expect((await run()).cancel).toBeUndefined()
    expect(calls.some(c => c.method === 'cancel')).toBe(false)
  })

  it('logs a line only when status or progress changes, with a heartbeat after a long quiet stretch', async () => {
    const steps: Step[] = [running(10), running(10), running(20), ...Array<Step>(12).fill(running(20)), completed]
    const { run, log } = oneBatchWait(steps, { timeoutMs: 3_600_000 })
    await run()
    const info = log.lines.filter(l => l.level === 'info').map(l => l.message)
    expect(info[0]).toMatch(/^Waiting for Together batch batch-1/)
    expect(info.filter(l => / IN_PROGRESS 10%/.test(l))).toHaveLength(1)
    expect(info.filter(l => / IN_PROGRESS 20%/.test(l))).toHaveLength(1)
    expect(info.filter(l => l.includes('still IN_PROGRESS at 20%'))).toHaveLength(1)
    expect(info.some(l => l.includes('COMPLETED 100%'))).toBe(true)
  })

  it('notices a linearly progressing batch soon after it finishes (ETA-aware)', async () => {
    const clock = virtualClock()
    const start = clock.now()
    const finishAt = start + 20 * 60_000 + 7_300
    const api = {
      getBatch: async () => {
        const t = clock.now()
        if (t >= finishAt) return { status: 'COMPLETED', progress: 100, output_file_id: 'f' }
        return { status: 'IN_PROGRESS', progress: Math.round(((t - start) / (finishAt - start)) * 10000) / 100 }
      },
      cancelBatch: async () => ({})
    }
    const log = recordingLogger()
    const result = await waitForBatch(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log },
      { ...OPTIONS, timeoutMs: 3_600_000 }
    )
    expect(result.outcome).toBe('completed')
    expect(result.endedAt - finishAt).toBeLessThanOrEqual(3000)
    expect(result.requests).toBeLessThanOrEqual(Math.ceil((20 * 60) / 30) + 3)
    expect(log.text('info')).toMatch(/ETA ~\d+m/)
  })
})

/** Batches finishing `finishAt[id]` ms after the start, on an event loop; the log keeps when each line came. */
function severalBatches(finishAt: Record<string, number>, options: Partial<WaitAllOptions> = {}) {
  const loop = eventLoop()
  const start = loop.now()
  const controller = new AbortController()
  const written: { atMs: number; message: string }[] = []
  const record = (message: string): void => void written.push({ atMs: loop.now() - start, message })
  const log: Logger = { info: record, warning: record, debug: () => undefined }
  const { api, calls } = latentApi(loop, (id, elapsedMs) =>
    elapsedMs >= finishAt[id]!
      ? { status: 'COMPLETED', progress: 100, output_file_id: `out-${id}` }
      : { status: 'IN_PROGRESS', progress: 40 }
  )
  const deps = { api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log, signal: controller.signal }
  const all: WaitAllOptions = { ...OPTIONS, batchIds: Object.keys(finishAt), ...options }
  const run = () => loop.run(waitForBatches(deps, all))
  return { loop, controller, written, calls, run }
}

describe('waitForBatches on several batches', () => {
  it('writes the aggregate line a minute after the last one while checking, and once more at the end', async () => {
    const { written, run } = severalBatches({ a: 90_000, b: 150_000 })
    expect((await run()).done).toBe(true)
    // a is checked at 0, 30, 60, 90 s; b 250 ms after each, then alone at 120.25 and 150.25 s.
    const aggregate = written.filter(l => / completed · /.test(l.message))
    expect(aggregate.map(l => [l.atMs, l.message.split(' completed')[0]])).toEqual([
      [60_000, '[1m 00s] 0/2'],
      [120_250, '[2m 00s] 1/2'],
      [150_250, '[2m 30s] 2/2']
    ])
  })

  it('on abort cancels only the batches still running', async () => {
    const { loop, controller, calls, run } = severalBatches({ a: 90_000, b: 150_000 }, { cancelOnAbort: true })
    loop.after(100_000, () => controller.abort())
    const all = await run()
    expect(all.results.map(r => [r.outcome, r.cancel?.state])).toEqual([
      ['completed', undefined],
      ['aborted', 'answered']
    ])
    expect(calls.filter(c => c.method === 'cancel').map(c => c.id)).toEqual(['b'])
  })
})

// The polling policy on the benchmark's job profiles, in virtual time: deterministic counts, no clock.
const POLL = 30_000

describe.each(PROFILES.map(p => [p.name, p] as const))('polling a %s batch', (_name, profile) => {
  it.each([3 * 60_000 + 11_000, 40 * 60_000 + 7_000, 5 * 3_600_000 + 23_000])(
    'over %i ms costs at most 10 %% more requests than fixed-interval polling, and never notices later',
    async duration => {
      const ours = await adaptive(profile, duration, POLL)
      const fixed = fixedInterval(duration, POLL)
      expect(ours.requests).toBeLessThanOrEqual(Math.ceil(fixed.requests * 1.1))
      // A profile whose progress says when it will end must be noticed within 3 s, whatever fixed polling does.
      expect(ours.delayMs).toBeLessThanOrEqual(profile.informative ? 3000 : Math.max(fixed.delayMs, 3000))
    }
  )
})
