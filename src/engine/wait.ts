import { normalizeStatus } from '../together/status.js'
import * as lines from './messages.js'
import { summarize } from './aggregate.js'
import { Pacer } from './pacer.js'
import { BatchTracker } from './tracker.js'
import type { CancelOutcome, EngineDeps, WaitAllOptions, WaitAllResult } from './types.js'

/** The last check before the deadline is made this long before it, so its answer still counts. */
const FINAL_CHECK_MARGIN_MS = 1000
/** Bound on cancel requests on abort: the runner kills the process 10 s after its first signal. */
const ABORT_CANCEL_TIMEOUT_MS = 3000
const TIMEOUT_CANCEL_TIMEOUT_MS = 10_000
/** With several batches, an aggregate line this often. */
const AGGREGATE_EVERY_MS = 60_000
/** Status requests per second, all batches together: enough for 100 batches at a 30 s interval. */
const REQUESTS_PER_SECOND = 4
const MAX_RATE_LIMIT_PAUSE_MS = 60_000

/**
 * Waits for batches to reach a final status, the deadline (`timeoutMs`; 0 checks each batch once), or
 * an abort, and says how each ended. Checks are scheduled per batch and spaced by one shared pacer.
 * Pure with respect to its dependencies: all I/O, time and randomness come from `deps`, and it never
 * touches @actions/core, so it runs in virtual time in tests and benchmarks.
 */
export async function waitForBatches(deps: EngineDeps, options: WaitAllOptions): Promise<WaitAllResult> {
  const { api, log, signal } = deps
  const startedAt = deps.now()
  const checkOnce = options.timeoutMs === 0
  const deadline = startedAt + options.timeoutMs
  const lastCheckAt = checkOnce ? Number.POSITIVE_INFINITY : deadline - FINAL_CHECK_MARGIN_MS
  const named = options.batchIds.length > 1
  const trackerOptions = {
    pollIntervalMs: options.pollIntervalMs,
    timeoutMs: options.timeoutMs,
    checkOnce,
    named,
    lastCheckAt
  }
  const trackers = options.batchIds.map(id => new BatchTracker(id, startedAt, log, trackerOptions))
  const pacer = new Pacer(REQUESTS_PER_SECOND)
  let nextAggregateAt = startedAt + AGGREGATE_EVERY_MS
  const aggregate = (): void =>
    log.info(lines.aggregateLine(deps.now() - startedAt, summarize(trackers.map(t => t.result(deps.now())))))

  for (;;) {
    if (signal?.aborted) break
    const active = trackers.filter(t => t.outcome === undefined)
    if (active.length === 0) break
    const next = active.reduce((a, b) => (b.dueAt < a.dueAt ? b : a))
    const at = Math.max(Math.min(next.dueAt, lastCheckAt), pacer.nextSlot(), deps.now())
    if (at > lastCheckAt || (next.checkedAt !== undefined && at <= next.checkedAt)) {
      next.expire()
      continue
    }
    if (at > deps.now()) {
      await deps.sleep(at - deps.now(), signal)
      if (signal?.aborted) break
    }
    const startedRequest = deps.now()
    pacer.taken(startedRequest)
    next.checkedAt = startedRequest
    try {
      const timeoutMs = checkOnce ? undefined : Math.max(1, deadline - startedRequest)
      next.onAnswer(await api.getBatch(next.id, { signal, timeoutMs }), deps.now())
    } catch (error) {
      if (signal?.aborted) break
      const holdMs = next.onError(error, deps.now(), deps.random)
      if (holdMs !== undefined) pacer.pauseUntil(deps.now() + Math.min(holdMs, MAX_RATE_LIMIT_PAUSE_MS))
    }
    if (named && deps.now() >= nextAggregateAt) {
      aggregate()
      nextAggregateAt = deps.now() + AGGREGATE_EVERY_MS
    }
  }

  const aborted = signal?.aborted === true
  for (const tracker of trackers) tracker.end(aborted ? 'aborted' : 'timed-out')
  const toCancel = trackers.filter(
    t => (t.outcome === 'timed-out' && options.cancelOnTimeout) || (t.outcome === 'aborted' && options.cancelOnAbort)
  )
  await Promise.all(toCancel.map(t => cancel(deps, t, aborted ? 'abort' : 'timeout')))
  const leftRunning = trackers.filter(t => t.outcome === 'aborted' && !options.cancelOnAbort).map(t => t.id)
  if (leftRunning.length > 0) log.info(lines.leftRunningLine(leftRunning))
  if (named) aggregate()

  const endedAt = deps.now()
  const results = trackers.map(t => t.result(endedAt))
  return {
    results,
    startedAt,
    endedAt,
    timeoutMs: options.timeoutMs,
    done: results.every(r => r.finalStatus !== undefined)
  }
}

async function cancel(deps: EngineDeps, tracker: BatchTracker, reason: CancelOutcome['reason']): Promise<void> {
  const timeoutMs = reason === 'abort' ? ABORT_CANCEL_TIMEOUT_MS : TIMEOUT_CANCEL_TIMEOUT_MS
  try {
    const answer = await deps.api.cancelBatch(tracker.id, { timeoutMs })
    tracker.cancel = { reason, status: normalizeStatus(answer.status) || undefined }
    deps.log.info(lines.cancelLine(tracker.id, tracker.cancel))
  } catch (error) {
    tracker.cancel = { reason, error: error instanceof Error ? error.message : String(error) }
    deps.log.warning(lines.cancelLine(tracker.id, tracker.cancel))
  }
}
