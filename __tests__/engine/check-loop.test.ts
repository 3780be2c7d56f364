import { getEventListeners } from 'node:events'
import { describe, expect, it } from '@jest/globals'
import { runChecks } from '../../src/engine/check-loop.js'
import { Pacer } from '../../src/engine/pacer.js'
import { BatchTracker } from '../../src/engine/tracker.js'
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

  it('leaves no timer pending and no listener on the signal once the wait is aborted', async () => {
    const loop = eventLoop()
    const controller = new AbortController()
    const { api } = latentApi(loop, () => running)
    const pending = new Set<AbortSignal | undefined>()
    const sleep: EngineDeps['sleep'] = async (ms, signal) => {
      pending.add(signal)
      await loop.sleep(ms, signal)
      pending.delete(signal)
    }
    loop.after(5000, () => controller.abort())
    const all = await loop.run(
      waitForBatches(deps(loop, api, sleep, controller.signal), { ...OPTIONS, batchIds: ['a'] })
    )
    expect(all.endedAt - all.startedAt).toBe(5000)
    // Aborted while sleeping until the check at 10 s: that sleep ends with the wait.
    expect(loop.sleeps).toEqual([10_000])
    expect(pending.size).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('starts no check once the deadline has come, even on a timer that fires right at it', async () => {
    const loop = eventLoop()
    const { api, calls } = latentApi(loop, () => running)
    // The last check is due at 1 s; its timer fires 1 s late, at the deadline.
    const late: EngineDeps['sleep'] = (ms, signal) => loop.timer(ms + 1000, signal)
    const all = await loop.run(
      waitForBatches(deps(loop, api, late), { ...OPTIONS, batchIds: ['a'], timeoutMs: 2000, pollIntervalMs: 1000 })
    )
    expect(all.endedAt - all.startedAt).toBe(2000)
    expect(calls.map(c => c.at - all.startedAt)).toEqual([0])
  })
})

describe('starting checks', () => {
  it('checks the batch due earliest first when several are due at once', async () => {
    const loop = eventLoop()
    // a answers 2 s late, so b is due again first; both are due when the process resumes at 20 s.
    const { api, calls } = latentApi(
      loop,
      () => running,
      id => (id === 'a' ? 2000 : 0)
    )
    loop.after(5000, () => loop.jump(15_000))
    const all = await loop.run(waitForBatches(deps(loop, api, loop.sleep), { ...OPTIONS, batchIds: ['a', 'b'] }))
    expect(calls.slice(0, 4).map(c => [c.id, c.at - all.startedAt])).toEqual([
      ['a', 0],
      ['b', 250],
      ['b', 20_000],
      ['a', 20_250]
    ])
  })

  it('keeps at most 16 requests out at once, even when the list request out lets its batches go', async () => {
    const loop = eventLoop()
    const ids = Array.from({ length: 20 }, (_, i) => `b${i}`)
    // The first list reads b15..b19 only: the 15 others get their own GETs, which take 25 s. The next
    // list, at 10 s, is the 16th request out; when it lets b15..b19 go at 15 s, none may start.
    const list = (): BatchJob[] => ids.slice(15).map(id => ({ id, ...running }))
    let lists = 0
    const latency = (_id: string, method: string): number => (method === 'list' ? (lists++ === 0 ? 0 : 20_000) : 25_000)
    const { api, calls, maxInFlight } = latentApi(loop, () => running, latency, undefined, list)
    const all = await loop.run(waitForBatches(deps(loop, api, loop.sleep), { ...OPTIONS, batchIds: ids }))
    expect(
      calls
        .filter(c => c.method === 'list')
        .map(c => c.at - all.startedAt)
        .slice(0, 2)
    ).toEqual([0, 10_000])
    expect(maxInFlight()).toBe(16)
    // The first of b15..b19's own GETs waits for the first answer in, at 25.25 s.
    const released = calls.filter(c => c.method === 'get' && ids.slice(15).includes(c.id))
    expect(released[0]!.at - all.startedAt).toBe(25_250)
  })

  it('reads the list only while enough batches are still waiting, counting none that has ended', async () => {
    const loop = eventLoop()
    const ids = ['a', 'b', 'c', 'd']
    const list = (): BatchJob[] =>
      ids.map(id => (id === 'd' ? { id, status: 'COMPLETED', output_file_id: 'f' } : { id, ...running }))
    const { api, calls } = latentApi(loop, () => running, undefined, undefined, list)
    const all = await loop.run(
      waitForBatches(deps(loop, api, loop.sleep), { ...OPTIONS, batchIds: ids, timeoutMs: 15_000 })
    )
    expect(all.results.map(r => r.outcome)).toEqual(['timed-out', 'timed-out', 'timed-out', 'completed'])
    // d has ended after the first list: three batches wait, each checked with its own GET.
    expect(calls.map(c => [c.method, c.id, c.at - all.startedAt])).toEqual([
      ['list', '', 0],
      ['get', 'a', 10_000],
      ['get', 'b', 10_250],
      ['get', 'c', 10_500],
      ['get', 'a', 14_000]
    ])
  })
})

describe('the list request out', () => {
  it('sleeps straight to the next check while a slow list request is out past its grace', async () => {
    const loop = eventLoop()
    const ids = ['a', 'b', 'c', 'd']
    const { api, calls } = latentApi(
      loop,
      () => running,
      (_id, method) => (method === 'list' ? 20_000 : 0),
      undefined,
      () => ids.map(id => ({ id, ...running }))
    )
    const all = await loop.run(
      waitForBatches(deps(loop, api, loop.sleep), { ...OPTIONS, batchIds: ids, timeoutMs: 12_000 })
    )
    // Held for the list until 5 s, then each batch is checked on its own, one pacer slot apart.
    expect(calls.map(c => [c.method, c.id, c.at - all.startedAt])).toEqual([
      ['list', '', 0],
      ['get', 'a', 5000],
      ['get', 'b', 5250],
      ['get', 'c', 5500],
      ['get', 'd', 5750],
      ['get', 'a', 11_000]
    ])
    expect(loop.sleeps.slice(0, 4)).toEqual([5000, 250, 250, 250])
    expect(Math.min(...loop.sleeps)).toBeGreaterThan(1)
  })
})

describe('the last check', () => {
  it('starts no check after the last check time, even when the pacer does not space checks', async () => {
    const loop = eventLoop()
    const log = recordingLogger()
    const { api, calls } = latentApi(
      loop,
      () => running,
      () => 100
    )
    const start = loop.now()
    const lastCheckAt = start + 15_000
    const options = { pollIntervalMs: 10_000, timeoutMs: 16_000, checkOnce: false, named: false, lastCheckAt }
    const trackers = [new BatchTracker('a', start, log, options)]
    const plan = {
      trackers,
      pacer: new Pacer(Number.POSITIVE_INFINITY),
      pollIntervalMs: 10_000,
      lastCheckAt,
      deadline: start + 16_000,
      afterCheck: () => undefined
    }
    await loop.run(runChecks({ ...deps(loop, api, loop.sleep), log }, plan))
    expect(calls.map(c => c.at - start)).toEqual([0, 10_100, 15_000])
    expect(trackers[0]!.outcome).toBe('timed-out')
  })
})
