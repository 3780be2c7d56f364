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
