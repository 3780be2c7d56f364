/** Never check one batch more often than this, however close the predicted finish. */
export const MIN_GAP_MS = 2000
/** Aim this long after the predicted finish, so the batch is final when the check lands. */
const LEAD_MS = 1000

export interface ScheduleState {
  /** Consecutive checks made close to a predicted finish that found the batch still running. */
  nearStreak: number
}

interface ScheduleInput {
  now: number
  pollIntervalMs: number
  /** Predicted finish (epoch ms), when credible. */
  etaAt?: number
  state: ScheduleState
}

interface ScheduleDecision {
  delayMs: number
  state: ScheduleState
}

/**
 * Pause before the next status check. Without a credible prediction: the poll interval. With one:
 * the poll interval while the finish is far, then one check just after the predicted finish; each
 * miss doubles the gap from 2 s back up to the poll interval, so a wrong prediction costs a few
 * extra requests at most, and a prediction that stays wrong falls back to plain interval polling.
 * Pure: a function of the prediction, the clock and the previous decision.
 */
export function nextCheck({ now, pollIntervalMs, etaAt, state }: ScheduleInput): ScheduleDecision {
  if (etaAt === undefined) return { delayMs: pollIntervalMs, state: { nearStreak: 0 } }
  const untilTarget = etaAt + LEAD_MS - now
  if (untilTarget >= pollIntervalMs) return { delayMs: pollIntervalMs, state: { nearStreak: 0 } }
  // Stryker disable next-line EqualityOperator: at exactly 2 s (< interval here) the backoff below also gives 2 s and streak 1 (`<` fails the next-check tests)
  if (state.nearStreak === 0 && untilTarget >= MIN_GAP_MS) {
    return { delayMs: untilTarget, state: { nearStreak: 1 } }
  }
  const backoff = MIN_GAP_MS * 2 ** Math.max(0, state.nearStreak - 1)
  return { delayMs: Math.min(pollIntervalMs, backoff), state: { nearStreak: state.nearStreak + 1 } }
}
