import * as lines from './messages.js'
import { normalizeStatus } from '../together/status.js'
import { summarize } from './aggregate.js'
import { Pacer } from './pacer.js'
import { runChecks } from './scheduler.js'
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

/** The aggregate line over several batches: once a minute while checking, and once at the end. */
function aggregator(deps: EngineDeps, trackers: readonly BatchTracker[], startedAt: number) {
  let lastAt: number | undefined
  const write = (now: number): void => {
    lastAt = now
    deps.log.info(lines.aggregateLine(now - startedAt, summarize(trackers.map(t => t.result(now)))))
  }
  return {
    /** After each check: a line when a minute has passed since the last one. */
    tick(): void {
      const now = deps.now()
      if (now >= (lastAt ?? startedAt) + AGGREGATE_EVERY_MS) write(now)
    },
    /** At the end, unless the last check has just written the same line. */
    close(): void {
      const now = deps.now()
      if (now !== lastAt) write(now)
    }
  }
}

/**
 * Waits for batches to reach a final status, the deadline (`timeoutMs`; 0 checks each batch once), or
 * an abort, and says how each ended. Checks are scheduled per batch, run concurrently and are spaced
 * by one shared pacer. Pure with respect to its dependencies: all I/O, time and randomness come from
 * `deps`, and it never touches @actions/core, so it runs in virtual time in tests and benchmarks.
 */
export async function waitForBatches(deps: EngineDeps, options: WaitAllOptions): Promise<WaitAllResult> {
  const { log, signal } = deps
  const startedAt = deps.now()
  const checkOnce = options.timeoutMs === 0
  const deadline = checkOnce ? Number.POSITIVE_INFINITY : startedAt + options.timeoutMs
  const lastCheckAt = deadline - FINAL_CHECK_MARGIN_MS
  const named = options.batchIds.length > 1
  const { timeoutMs, pollIntervalMs } = options
  const trackerOptions = { timeoutMs, pollIntervalMs, checkOnce, named, lastCheckAt }
  const trackers = options.batchIds.map(id => new BatchTracker(id, startedAt, log, trackerOptions))
  const aggregate = aggregator(deps, trackers, startedAt)
  const afterCheck = named ? aggregate.tick : () => undefined
  await runChecks(deps, { trackers, pacer: new Pacer(REQUESTS_PER_SECOND), lastCheckAt, deadline, afterCheck })

  const aborted = signal?.aborted === true
  for (const tracker of trackers) tracker.end(aborted ? 'aborted' : 'timed-out')
  const toCancel = trackers.filter(
    t => (t.outcome === 'timed-out' && options.cancelOnTimeout) || (t.outcome === 'aborted' && options.cancelOnAbort)
  )
  await Promise.all(toCancel.map(t => cancel(deps, t, aborted ? 'abort' : 'timeout')))
  const leftRunning = trackers.filter(t => t.outcome === 'aborted' && !options.cancelOnAbort).map(t => t.id)
  if (leftRunning.length > 0) log.info(lines.leftRunningLine(leftRunning))
  if (named) aggregate.close()

  const endedAt = deps.now()
  const results = trackers.map(t => t.result(endedAt))
  const done = results.every(r => r.finalStatus !== undefined)
  return { results, startedAt, endedAt, timeoutMs: options.timeoutMs, done }
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
