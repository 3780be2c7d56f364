/** The longest delay a Node timer holds (about 24.8 days): a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** `ms` as a Node timer can take it: at least 1 ms, at most MAX_TIMER_MS (a longer wait goes in pieces). */
export const timerDelay = (ms: number): number => Math.min(MAX_TIMER_MS, Math.max(1, ms))
