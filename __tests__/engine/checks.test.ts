import { describe, expect, it } from '@jest/globals'
import { Checks, type Plan } from '../../src/engine/checks.js'
import { Pacer } from '../../src/engine/pacer.js'
import { BatchTracker } from '../../src/engine/tracker.js'
import type { EngineDeps } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchApi, BatchJob, RequestOptions } from '../../src/together/types.js'
import type { ListOptions } from '../../src/together/types.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const T0 = Date.UTC(2026, 0, 1)
const running: BatchJob = { status: 'IN_PROGRESS', progress: 10 }

/** Requests that stay open until the test settles them, so what happens in flight can be seen. */
function pendingApi() {
  const open: { id: string; options?: RequestOptions; settle(answer: BatchJob | BatchJob[] | Error): void }[] = []
  const request =
    <T>(id: string) =>
    (options?: RequestOptions): Promise<T> =>
      new Promise<T>((resolve, reject) =>
        open.push({
          id,
          options,
          settle: answer => (answer instanceof Error ? reject(answer) : resolve(answer as T))
        })
      )
  const api: BatchApi = {
    getBatch: (id, options) => request<BatchJob>(id)(options),
    cancelBatch: async () => ({}),
    listBatches: (options?: ListOptions) => request<BatchJob[]>('list')(options)
  }
  return { api, open }
}

const flush = () => new Promise<void>(resolve => setImmediate(resolve))

function setup(
  ids: string[],
  {
    deadline = T0 + 60_000,
    lastCheckAt = T0 + 59_000,
    signal,
    getBatch,
    canList = true
  }: {
    deadline?: number
    lastCheckAt?: number
    signal?: AbortSignal
    getBatch?: BatchApi['getBatch']
    canList?: boolean
  } = {}
) {
  const clock = virtualClock(T0)
  const log = recordingLogger()
  const { api: pending, open } = pendingApi()
  const api: BatchApi = { ...pending, ...(getBatch && { getBatch }) }
  if (!canList) delete api.listBatches
  const deps: EngineDeps = { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log, signal }
  const trackers = ids.map(
    id =>
      new BatchTracker(id, T0, log, {
        pollIntervalMs: 10_000,
        timeoutMs: 60_000,
        checkOnce: false,
        named: true,
        lastCheckAt: T0 + 59_000
      })
  )
  const pacer = new Pacer(4)
  let afterChecks = 0
  let settled = 0
  const plan: Plan = {
    trackers,
    pacer,
    pollIntervalMs: 10_000,
    lastCheckAt,
    deadline,
    afterCheck: () => {
      afterChecks++
    }
  }
  const checks = new Checks(deps, plan, () => {
    settled++
  })
  return { checks, trackers, pacer, clock, open, counts: () => ({ afterChecks, settled }) }
}

describe('Checks', () => {
  it('sends a batch its own GET bounded by the time left, and hands the answer to its tracker', async () => {
    const { checks, trackers, pacer, clock, open, counts } = setup(['a'])
    const a = trackers[0]!
    clock.advance(1000)
    checks.startOwn(a, clock.now())
    expect(open.map(r => r.id)).toEqual(['a'])
    expect(open[0]!.options?.timeoutMs).toBe(59_000)
    expect(a.checkedAt).toBe(T0 + 1000)
    expect(pacer.nextSlot()).toBe(T0 + 1000 + 250)
    expect(checks.busy()).toBe(1)
    expect(checks.checking(a)).toBe(true)
    open[0]!.settle({ status: 'COMPLETED', output_file_id: 'f' })
    await flush()
    expect(a.outcome).toBe('completed')
    expect(checks.busy()).toBe(0)
    expect(checks.checking(a)).toBe(false)
    expect(counts()).toEqual({ afterChecks: 1, settled: 1 })
  })

  it('sends requests without a timeout of its own when the wait has no deadline (checking once)', () => {
    const { checks, trackers, open } = setup(['a'], { deadline: Number.POSITIVE_INFINITY })
    checks.startOwn(trackers[0]!, T0)
    expect(open[0]!.options?.timeoutMs).toBeUndefined()
  })

  it('bounds a request at 1 ms when the deadline has passed', () => {
    const { checks, trackers, open } = setup(['a'], { deadline: T0 - 5 })
    checks.startOwn(trackers[0]!, T0)
    expect(open[0]!.options?.timeoutMs).toBe(1)
  })

  it('holds every request after a 429 for as long as asked, at most a minute and never past the last check', async () => {
    const { checks, trackers, pacer, open } = setup(['a', 'b'])
    checks.startOwn(trackers[0]!, T0)
    open[0]!.settle(new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 7000 }))
    await flush()
    expect(pacer.nextSlot()).toBe(T0 + 7000)
    checks.startOwn(trackers[1]!, T0)
    open[1]!.settle(new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 3_600_000 }))
    await flush()
    expect(pacer.nextSlot()).toBe(T0 + 59_000)
  })

  it('caps a 429 hold at a minute when the last check is further away', async () => {
    const { checks, trackers, pacer, open } = setup(['a'], { deadline: T0 + 600_000, lastCheckAt: T0 + 595_000 })
    checks.startOwn(trackers[0]!, T0)
    open[0]!.settle(new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 300_000 }))
    await flush()
    expect(pacer.nextSlot()).toBe(T0 + 60_000)
  })

  it('does not count a failure against the batch once the wait is aborted', async () => {
    const controller = new AbortController()
    const { checks, trackers, open, counts } = setup(['a'], { signal: controller.signal })
    checks.startOwn(trackers[0]!, T0)
    controller.abort()
    open[0]!.settle(new TogetherError('HTTP 401', { kind: 'http', status: 401 }))
    await flush()
    expect(trackers[0]!.outcome).toBeUndefined()
    expect(trackers[0]!.requests).toBe(0)
    expect(counts()).toEqual({ afterChecks: 1, settled: 1 })
  })

  it('takes a request that throws at once as a failed check, not an exception', async () => {
    const { checks, trackers, counts } = setup(['a'], {
      getBatch: () => {
        throw new TogetherError('HTTP 403', { kind: 'http', status: 403 })
      }
    })
    checks.startOwn(trackers[0]!, T0)
    await flush()
    expect(trackers[0]!.outcome).toBe('error')
    expect(checks.bug).toBeUndefined()
    expect(counts().settled).toBe(1)
  })

  it('aborts the requests out when dropped, and ignores their late answers', async () => {
    const { checks, trackers, open, counts } = setup(['a', 'b', 'c', 'd'])
    checks.startOwn(trackers[0]!, T0)
    checks.startList(T0)
    expect(checks.busy()).toBe(2)
    checks.dropAll()
    expect(checks.busy()).toBe(0)
    expect(open.map(r => r.options?.signal?.aborted)).toEqual([true, true])
    open[0]!.settle(running)
    open[1]!.settle([{ id: 'b', ...running }])
    await flush()
    expect(trackers.map(t => t.requests)).toEqual([0, 0, 0, 0])
    expect(counts()).toEqual({ afterChecks: 0, settled: 2 })
  })

  it('asks the list only for the batches still waiting, and reads their entries from it', async () => {
    const { checks, trackers, pacer, open } = setup(['a', 'b', 'c', 'd'])
    trackers[3]!.end('aborted')
    checks.startList(T0)
    const only = (open[0]!.options as ListOptions).only
    expect([...(only ?? [])]).toEqual(['a', 'b', 'c'])
    open[0]!.settle(['a', 'b', 'c'].map(id => ({ id, ...running })))
    await flush()
    expect(trackers.map(t => t.requests)).toEqual([1, 1, 1, 0])
    expect(checks.list.flight).toBeUndefined()
    // The list request counts for the pacer like any other.
    expect(pacer.nextSlot()).toBe(T0 + 250)
  })

  it('takes no entry of the list for a batch that has already ended', async () => {
    const { checks, trackers, open } = setup(['a', 'b', 'c', 'd'])
    trackers[3]!.end('aborted')
    checks.startList(T0)
    // The list holds every batch of the account, ended ones too.
    open[0]!.settle(['a', 'b', 'c', 'd'].map(id => ({ id, status: 'COMPLETED', output_file_id: 'f' })))
    await flush()
    expect(trackers.map(t => t.outcome)).toEqual(['completed', 'completed', 'completed', 'aborted'])
    expect(trackers.map(t => t.requests)).toEqual([1, 1, 1, 0])
  })

  it('keeps a batch whose own answer came while the list was out to that answer', async () => {
    const { checks, trackers, clock, open } = setup(['a', 'b', 'c', 'd'])
    checks.startList(T0)
    clock.advance(1000)
    checks.startOwn(trackers[0]!, clock.now())
    open[1]!.settle(running)
    await flush()
    open[0]!.settle(['a', 'b', 'c', 'd'].map(id => ({ id, status: 'COMPLETED', output_file_id: 'f' })))
    await flush()
    expect(trackers.map(t => t.outcome)).toEqual([undefined, 'completed', 'completed', 'completed'])
    expect(trackers[0]!.requests).toBe(1)
  })

  it('lets a batch the list could not read wait for the next list once its own GET is in', async () => {
    const { checks, trackers, clock, open } = setup(['a', 'b', 'c', 'd'])
    checks.startList(T0)
    // No entry for a: it is checked with its own GET.
    open[0]!.settle(['b', 'c', 'd'].map(id => ({ id, ...running })))
    await flush()
    expect(checks.list.holds(trackers[0]!, T0)).toBe(false)
    clock.advance(250)
    checks.startOwn(trackers[0]!, clock.now())
    open[1]!.settle(running)
    await flush()
    clock.advance(10_000)
    checks.startList(clock.now())
    expect(checks.list.holds(trackers[0]!, clock.now())).toBe(true)
  })

  it('does not read the list when the client cannot list batches', () => {
    const { checks, trackers } = setup(['a', 'b', 'c', 'd'], { canList: false })
    expect(checks.list.wanted(trackers, 4, T0)).toBe(false)
  })

  it('keeps a batch checked on its own while the list was out to its own answer', async () => {
    const { checks, trackers, open } = setup(['a', 'b', 'c', 'd'])
    checks.startList(T0)
    checks.startOwn(trackers[0]!, T0)
    open[0]!.settle(['a', 'b', 'c', 'd'].map(id => ({ id, status: 'COMPLETED', output_file_id: 'f' })))
    await flush()
    expect(trackers.map(t => t.outcome)).toEqual([undefined, 'completed', 'completed', 'completed'])
    open[1]!.settle(running)
    await flush()
    expect(trackers[0]!.outcome).toBeUndefined()
    expect(trackers[0]!.requests).toBe(1)
  })

  it('holds every request after a 429 on the list, and records the failure', async () => {
    const { checks, pacer, open, counts } = setup(['a', 'b', 'c', 'd'])
    checks.startList(T0)
    open[0]!.settle(new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 9000 }))
    await flush()
    expect(pacer.nextSlot()).toBe(T0 + 9000)
    expect(counts()).toEqual({ afterChecks: 1, settled: 1 })
  })

  it('counts no failure of the list once the wait is aborted', async () => {
    const controller = new AbortController()
    const { checks, trackers, pacer, open, counts } = setup(['a', 'b', 'c', 'd'], { signal: controller.signal })
    checks.startList(T0)
    controller.abort()
    open[0]!.settle(new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 9000 }))
    await flush()
    expect(pacer.nextSlot()).toBe(T0 + 250)
    // A failed list would leave the batches due now to their own GETs.
    expect(checks.list.wanted(trackers, 4, T0)).toBe(true)
    expect(counts()).toEqual({ afterChecks: 1, settled: 1 })
  })

  it('records a bug thrown while taking in an answer, for the loop to rethrow', async () => {
    const { checks, trackers, open } = setup(['a'])
    const failing = new Error('bug')
    trackers[0]!.onAnswer = () => {
      throw failing
    }
    checks.startOwn(trackers[0]!, T0)
    open[0]!.settle(running)
    await flush()
    expect(checks.bug).toEqual({ error: failing })
  })
})
