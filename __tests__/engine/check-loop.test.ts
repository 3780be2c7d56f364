import { describe, expect, it } from '@jest/globals'
import { waitForBatches } from '../../src/engine/wait.js'
import type { EngineDeps, WaitAllOptions } from '../../src/engine/types.js'
import type { BatchApi, BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi, type EventLoop } from '../../tools/virtual/event-loop.js'

const OPTIONS: WaitAllOptions = {
  batchIds: ['a', 'b', 'c'],
  timeoutMs: 60_000,
  pollIntervalMs: 10_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}
const running: BatchJob = { status: 'IN_PROGRESS', progress: 10 }

function deps(loop: EventLoop, api: BatchApi, sleep: EngineDeps['sleep'], signal?: AbortSignal): EngineDeps {
  return { api, now: loop.now, sleep, random: () => 0.5, log: recordingLogger(), signal }
}

describe('sleeping', () => {
  it('does not flood Together when the timer fires after 1 ms, whatever was asked', async () => {
    const loop = eventLoop()
    const { api, calls } = latentApi(loop, () => running)
    let sleeps = 0
    const broken: EngineDeps['sleep'] = (_ms, signal) => (sleeps++, loop.timer(1, signal))
    const all = await loop.run(waitForBatches(deps(loop, api, broken), { ...OPTIONS, timeoutMs: 30_000 }))
    expect(all.results.map(r => r.outcome)).toEqual(['timed-out', 'timed-out', 'timed-out'])
    // Each batch at 0, 10 and 20 s, and once more just before the deadline: the poll interval still holds.
    expect(calls.length).toBeLessThanOrEqual(3 * 4)
    for (const id of OPTIONS.batchIds) {
      const times = calls.filter(c => c.id === id).map(c => c.at - all.startedAt)
      for (const [i, t] of times.slice(1).entries()) expect(t - times[i]!).toBeGreaterThanOrEqual(8000)
    }
    expect(sleeps).toBeGreaterThan(1000)
  })

  it('still makes the final check before the deadline when its timer fires a few ms late', async () => {
    const loop = eventLoop()
    const { api, calls } = latentApi(loop, () => running)
    const jittery: EngineDeps['sleep'] = (ms, signal) => loop.timer(ms + 5, signal)
    const all = await loop.run(
      waitForBatches(deps(loop, api, jittery), { ...OPTIONS, batchIds: ['a'], timeoutMs: 2000, pollIntervalMs: 1000 })
    )
    const times = calls.map(c => c.at - all.startedAt)
    expect(times).toHaveLength(2)
    expect(times[1]).toBeGreaterThan(1000)
    expect(times[1]).toBeLessThan(2000)
  })

  it('reads the clock after a sleep that ends late, and starts no check past the deadline', async () => {
    const loop = eventLoop()
    const { api, calls } = latentApi(loop, () => running)
    const late: EngineDeps['sleep'] = (ms, signal) => loop.timer(ms * 3, signal)
    const all = await loop.run(waitForBatches(deps(loop, api, late), OPTIONS))
    expect(all.results.map(r => r.outcome)).toEqual(['timed-out', 'timed-out', 'timed-out'])
    for (const call of calls) expect(call.at - all.startedAt).toBeLessThanOrEqual(59_000)
  })

  it('sleeps in pieces Node timers can hold when poll-interval is 25 days', async () => {
    const loop = eventLoop()
    const day = 86_400_000
    const { api, calls } = latentApi(loop, (_id, elapsed) =>
      elapsed >= 26 * day ? { status: 'COMPLETED', output_file_id: 'f' } : running
    )
    const all = await loop.run(
      waitForBatches(deps(loop, api, loop.sleep), {
        ...OPTIONS,
        batchIds: ['a'],
        timeoutMs: 60 * day,
        pollIntervalMs: 25 * day
      })
    )
    expect(all.results[0]!.outcome).toBe('completed')
    // Node fires a timer of more than 2^31-1 ms after 1 ms.
    expect(Math.max(...loop.sleeps)).toBeLessThanOrEqual(2 ** 31 - 1)
    expect(calls.map(c => (c.at - all.startedAt) / day)).toEqual([0, 25, 50])
  })

  it('returns at once on abort, without waiting for a request that ignores the signal', async () => {
    const loop = eventLoop()
    const controller = new AbortController()
    const api: BatchApi = {
      getBatch: () => new Promise<BatchJob>(() => undefined),
      cancelBatch: async () => ({ status: 'CANCELING' })
    }
    loop.after(5000, () => controller.abort())
    const all = await loop.run(waitForBatches(deps(loop, api, loop.sleep, controller.signal), OPTIONS))
    expect(all.results.map(r => r.outcome)).toEqual(['aborted', 'aborted', 'aborted'])
    expect(all.endedAt - all.startedAt).toBe(5000)
  })
})
