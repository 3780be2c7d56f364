import { TogetherError } from './errors.js'

/** A bound that aborts its signal, with a `timeout` TogetherError as the reason, once `ms` have passed. */
export interface TimeLimit {
  readonly signal: AbortSignal
  /** Stops the timer; nothing of the limit is left pending afterwards. */
  clear(): void
}

export function timeLimit(ms: number, message: string): TimeLimit {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new TogetherError(message, { kind: 'timeout' })), Math.max(1, ms))
  return { signal: controller.signal, clear: () => clearTimeout(timer) }
}

/** A bound on a pause: armed when data is due, pushed back by `touch()` each time some arrives. */
export interface IdleLimit extends TimeLimit {
  arm(): void
  touch(): void
}

export function idleLimit(ms: number, message: string): IdleLimit {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const clear = (): void => clearTimeout(timer)
  return {
    signal: controller.signal,
    clear,
    arm: () => {
      clear()
      timer = setTimeout(() => controller.abort(new TogetherError(message, { kind: 'timeout' })), Math.max(1, ms))
    },
    touch: () => timer?.refresh()
  }
}

/** A signal that aborts, with the same reason, as soon as any of `signals` does. */
export interface LinkedSignal {
  readonly signal: AbortSignal
  /** Removes the listeners this added to `signals` (a caller's signal may outlive many requests). */
  dispose(): void
}

export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController()
  const listening: Array<[AbortSignal, () => void]> = []
  for (const signal of signals) {
    if (!signal) continue
    if (signal.aborted) {
      controller.abort(signal.reason)
      break
    }
    const onAbort = (): void => controller.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    listening.push([signal, onAbort])
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [signal, onAbort] of listening.splice(0)) signal.removeEventListener('abort', onAbort)
    }
  }
}

/** A duration for a message: whole seconds up to two minutes, whole minutes beyond. */
export function formatLimit(ms: number): string {
  return ms < 120_000 ? `${Math.max(1, Math.ceil(ms / 1000))}s` : `${Math.round(ms / 60_000)} min`
}
