import { formatDuration } from '../util/duration.js'
import { timerDelay } from '../util/timer.js'
import { TogetherError } from './errors.js'

/**
 * A bound that aborts its signal, with a `timeout` TogetherError as the reason, once `ms` have passed
 * (a bound beyond what a Node timer holds ends at that limit, 24.8 days, never after 1 ms).
 */
export interface TimeLimit {
  readonly signal: AbortSignal
  /** Stops the timer; nothing of the limit is left pending afterwards. */
  clear(): void
}

export function timeLimit(ms: number, message: string): TimeLimit {
  const limit = idleLimit(ms, message)
  limit.arm()
  return limit
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
      timer = setTimeout(() => controller.abort(new TogetherError(message, { kind: 'timeout' })), timerDelay(ms))
    },
    touch: () => timer?.refresh()
  }
}

/** A limit for a message, worded as every duration is (`formatDuration`), rounded up to a whole second. */
export function formatLimit(ms: number): string {
  return formatDuration(Math.max(1, Math.ceil(ms / 1000)) * 1000)
}
