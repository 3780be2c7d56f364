import { TogetherError } from '../../src/together/errors.js'
import type { BatchApi, BatchJob, RequestOptions } from '../../src/together/types.js'

/**
 * Virtual time with a timer queue, for code that has several things in flight at once. Nothing waits
 * on the real clock: `run` lets every pending promise settle (one `setImmediate` turn), then jumps the
 * clock to the earliest timer and fires it, until the awaited promise settles.
 */
export function eventLoop(start = Date.UTC(2026, 0, 1)) {
  let now = start
  let seq = 0
  const timers: { at: number; seq: number; fire(): void }[] = []
  /** Every sleep the code under test asked for, in ms. */
  const sleeps: number[] = []

  /** Calls `fire` `ms` from now; returns a function that cancels it. */
  function after(ms: number, fire: () => void): () => void {
    const timer = { at: now + Math.max(0, ms), seq: seq++, fire }
    timers.push(timer)
    return () => {
      const i = timers.indexOf(timer)
      if (i >= 0) timers.splice(i, 1)
    }
  }

  /** Like a real timer: resolves after `ms`, or at once when `signal` aborts. */
  function timer(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      if (signal?.aborted) return resolve()
      const onAbort = (): void => {
        cancel()
        resolve()
      }
      const cancel = after(ms, () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async function run<T>(promise: Promise<T>, maxSteps = 2_000_000): Promise<T> {
    const state = { settled: false }
    const settle = (): void => {
      state.settled = true
    }
    promise.then(settle, settle)
    for (let step = 0; step < maxSteps; step++) {
      await new Promise(resolve => setImmediate(resolve))
      if (state.settled) return promise
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = timers.shift()
      if (!next) throw new Error('deadlock: the promise is pending and no timer is set')
      now = Math.max(now, next.at)
      next.fire()
    }
    throw new Error(`still pending after ${maxSteps} timers`)
  }

  return {
    now: () => now,
    /** Moves the clock without firing timers: a process that was suspended, or a clock that jumped. */
    jump: (ms: number) => void (now += ms),
    sleeps,
    after,
    timer,
    sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
      sleeps.push(ms)
      return timer(ms, signal)
    },
    run
  }
}

export type EventLoop = ReturnType<typeof eventLoop>

/** The client's own bound on a request, whatever the caller asks for (as `TogetherClient` does). */
const CLIENT_TIMEOUT_MS = 30_000

export interface ApiCall {
  method: 'get' | 'cancel' | 'list'
  /** The batch asked about; '' for the list. */
  id: string
  at: number
  options?: RequestOptions
  /** When the answer (or the failure) came back; undefined while in flight. */
  endedAt?: number
}

/** What `GET /v1/batches` answers, `elapsedMs` after the fake started, on its `call`-th request. */
export type ListPlan = (elapsedMs: number, call: number) => BatchJob[] | Error

/**
 * A BatchApi whose answers take virtual time, like the real client: `plan` gives the answer (or the
 * error thrown) and `latency` how long it takes; a request longer than its timeout fails with a
 * `timeout` TogetherError, and an aborted one with `aborted`. With `listPlan` it also lists batches
 * (latency asked for with id ''). Records every call.
 */
export function latentApi(
  loop: EventLoop,
  plan: (id: string, elapsedMs: number, call: number) => BatchJob | Error,
  latency: (id: string, method: ApiCall['method']) => number = () => 0,
  cancelPlan: (id: string) => BatchJob | Error = () => ({ status: 'CANCELING' }),
  listPlan?: ListPlan
) {
  const start = loop.now()
  const calls: ApiCall[] = []
  let inFlight = 0
  let maxInFlight = 0
  const answer = (method: ApiCall['method'], id: string, n: number): unknown => {
    if (method === 'list') return listPlan!(loop.now() - start, n)
    return method === 'get' ? plan(id, loop.now() - start, n) : cancelPlan(id)
  }
  const request = <T>(method: ApiCall['method'], id: string, options?: RequestOptions): Promise<T> =>
    new Promise((resolve, reject) => {
      const call: ApiCall = { method, id, at: loop.now(), options }
      calls.push(call)
      const n = calls.filter(c => c.method === method && c.id === id).length
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      const cleanup: (() => void)[] = []
      const settle = (outcome: unknown): void => {
        cleanup.forEach(c => c())
        inFlight--
        call.endedAt = loop.now()
        if (outcome instanceof Error) reject(outcome)
        else resolve(outcome as T)
      }
      const timeoutMs = Math.min(options?.timeoutMs ?? CLIENT_TIMEOUT_MS, CLIENT_TIMEOUT_MS)
      const what = { get: `GET /batches/${id}`, cancel: `POST /batches/${id}/cancel`, list: 'GET /batches' }[method]
      if (options?.signal?.aborted) return settle(new TogetherError(`${what} was aborted`, { kind: 'aborted' }))
      const onAbort = (): void => settle(new TogetherError(`${what} was aborted`, { kind: 'aborted' }))
      options?.signal?.addEventListener('abort', onAbort, { once: true })
      cleanup.push(() => options?.signal?.removeEventListener('abort', onAbort))
      cleanup.push(
        loop.after(timeoutMs, () =>
          settle(new TogetherError(`${what} got no answer within ${Math.ceil(timeoutMs / 1000)}s`, { kind: 'timeout' }))
        )
      )
      cleanup.push(loop.after(latency(id, method), () => settle(answer(method, id, n))))
    })
  const api: BatchApi = {
    getBatch: (id, options) => request('get', id, options),
    cancelBatch: (id, options) => request('cancel', id, options),
    ...(listPlan && { listBatches: options => request<BatchJob[]>('list', '', options) })
  }
  return { api, calls, maxInFlight: () => maxInFlight }
}
