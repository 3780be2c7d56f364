import type { Logger } from '../engine/types.js'
import { TogetherError } from '../together/errors.js'
import { retryDelay } from '../util/backoff.js'
import { formatDuration } from '../util/duration.js'

export interface RetryDeps {
  log: Logger
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  signal?: AbortSignal
}

/** Tries of one request; with the backoff below, about a minute of trouble is ridden out. */
export const ATTEMPTS = 5
const MAX_RETRY_MS = 30_000

/** The pause before trying again after `error`, or undefined when it is not worth another try (not transient, aborted). */
export function transientPause(error: unknown, attempt: number, deps: RetryDeps): number | undefined {
  if (!(error instanceof TogetherError) || !error.transient || deps.signal?.aborted) return undefined
  return retryDelay(attempt, () => deps.random(), error.retryAfterMs, MAX_RETRY_MS)
}

/**
 * Runs `call` (one idempotent request: never a create) and tries again after a transient failure
 * (429 and 5xx, with Retry-After honoured, network errors, timeouts), with backoff, up to `ATTEMPTS`
 * tries; a warning says so each time. Anything else, or the last failure, is thrown.
 */
export async function retrying<T>(what: string, call: () => Promise<T>, deps: RetryDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const pause = transientPause(error, attempt, deps)
      if (pause === undefined || attempt >= ATTEMPTS) throw error
      const why = (error as TogetherError).message
      deps.log.warning(`${what} failed (try ${attempt} of ${ATTEMPTS}): ${why}. Retrying in ${formatDuration(pause)}.`)
      await deps.sleep(pause, deps.signal)
    }
  }
}
