import { TogetherError } from '../together/errors.js'
import { normalizeStatus } from '../together/status.js'
import { errorMessage } from '../util/text.js'
import * as lines from './messages.js'
import type { BatchTracker } from './tracker.js'
import type { CancelOutcome, EngineDeps } from './types.js'

/**
 * After an abort the runner sends SIGTERM 7.5 s after its first signal: every cancel is sent at once
 * and the whole round ends within 5 s of the abort, each request bounded to 3 s.
 */
const ABORT_CANCEL_BUDGET_MS = 5000
const ABORT_CANCEL_TIMEOUT_MS = 3000
/** After a timeout nothing is about to kill the step, so a slow answer gets longer. */
const TIMEOUT_CANCEL_TIMEOUT_MS = 10_000
/** A request given less time than this would only report a timeout; it is not sent. */
const MIN_CANCEL_TIMEOUT_MS = 500

/**
 * Cancels the given batches concurrently and records each outcome on its tracker. `abortedAt` is when
 * the abort was noticed: the budget runs from then, so time already spent leaves less for the cancels.
 */
export async function cancelAll(
  deps: EngineDeps,
  trackers: readonly BatchTracker[],
  reason: CancelOutcome['reason'],
  abortedAt: number
): Promise<void> {
  const budgetEnd = reason === 'abort' ? abortedAt + ABORT_CANCEL_BUDGET_MS : Number.POSITIVE_INFINITY
  await Promise.all(trackers.map(t => cancelOne(deps, t, reason, budgetEnd)))
}

async function cancelOne(
  deps: EngineDeps,
  tracker: BatchTracker,
  reason: CancelOutcome['reason'],
  budgetEnd: number
): Promise<void> {
  const limit = reason === 'abort' ? ABORT_CANCEL_TIMEOUT_MS : TIMEOUT_CANCEL_TIMEOUT_MS
  const timeoutMs = Math.min(limit, budgetEnd - deps.now())
  const outcome =
    timeoutMs < MIN_CANCEL_TIMEOUT_MS
      ? ({ reason, state: 'not-sent', error: 'no time was left before the runner stops the step' } as const)
      : await send(deps, tracker.id, reason, timeoutMs)
  tracker.cancelled(outcome, deps.now())
  if (outcome.state === 'answered') deps.log.info(lines.cancelLine(tracker.id, outcome))
  else deps.log.warning(lines.cancelLine(tracker.id, outcome))
}

async function send(
  deps: EngineDeps,
  id: string,
  reason: CancelOutcome['reason'],
  timeoutMs: number
): Promise<CancelOutcome> {
  try {
    const answer = await deps.api.cancelBatch(id, { timeoutMs })
    return { reason, state: 'answered', status: normalizeStatus(answer.status) || undefined }
  } catch (error) {
    const timedOut = error instanceof TogetherError && error.kind === 'timeout'
    return { reason, state: timedOut ? 'no-answer' : 'failed', error: errorMessage(error) }
  }
}
