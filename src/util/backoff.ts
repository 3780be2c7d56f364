import type { Effects, Logger } from './effects.js'
import { errorMessage } from './text.js'

export const MAX_RETRY_DELAY_MS = 60_000
const BASE_DELAY_MS = 1000

/**
 * Delay before retry number `attempt` (1-based) of a transient failure: exponential from 1 s with
 * "equal jitter" (half fixed, half random) so many runners do not retry in step, capped at `capMs`
 * (the poll interval: no pause is longer than the user asked for) and at 60 s.
 * A delay the server asked for (`retry-after`) wins when it is longer, up to 60 s.
 */
export function retryDelay(
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
  capMs = MAX_RETRY_DELAY_MS
): number {
  const exp = Math.min(MAX_RETRY_DELAY_MS, capMs, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1))
  const jittered = exp / 2 + (exp / 2) * random()
  const asked = retryAfterMs === undefined ? 0 : Math.min(MAX_RETRY_DELAY_MS, retryAfterMs)
  return Math.round(Math.max(jittered, asked))
}

/** The effects a retried call needs: time, jitter, a place to warn, and the step's signal. */
export type BackoffDeps = Pick<Effects, 'sleep' | 'random' | 'signal'> & { log: Pick<Logger, 'warning'> }

export interface Backoff {
  /** The call as a warning names it: `Downloading file-1`, `Fetching model prices`. */
  what: string
  /** Attempts in all, the first included. */
  attempts: number
  /** The longest pause of the backoff itself (a longer retry-after is still waited for, up to 60 s). */
  capMs: number
  /** Whether a failure may pass on a later attempt; what it carries of the server's retry-after. */
  transient(error: unknown): error is { retryAfterMs?: number }
}

/**
 * Runs `call`, and again after a pause with backoff (`retryDelay`) while it fails in a way
 * `transient` allows, up to `attempts` in all; each retry is a warning. Stops at once when the
 * signal has aborted. Throws the last failure.
 */
export async function withBackoff<T>(deps: BackoffDeps, backoff: Backoff, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!backoff.transient(error) || attempt >= backoff.attempts || deps.signal?.aborted) throw error
      const delay = retryDelay(attempt, () => deps.random(), error.retryAfterMs, backoff.capMs)
      deps.log.warning(
        `${backoff.what} failed (attempt ${attempt}): ${errorMessage(error)}. Retrying in ${Math.round(delay / 1000)}s.`
      )
      await deps.sleep(delay, deps.signal)
    }
  }
}
