import * as lines from './messages.js'
import { summarize } from './aggregate.js'
import { cancelAll } from './cancel.js'
import { Pacer } from './pacer.js'
import { runChecks } from './check-loop.js'
import { BatchTracker } from './tracker.js'
import type { EngineDeps, WaitAllOptions, WaitReport } from './types.js'

/** The last check before the deadline is made this long before it, so its answer still counts. */
const FINAL_CHECK_MARGIN_MS = 1000
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
export async function waitForBatches(deps: EngineDeps, options: WaitAllOptions): Promise<WaitReport> {
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
  if (named) log.info(lines.startAllLine(trackers.length, options))
  // The cancel budget after an abort runs from the signal, not from when the loop got to notice it.
  let abortedAt = signal?.aborted ? startedAt : undefined
  const onAbort = (): void => void (abortedAt ??= deps.now())
  // A signal aborts once, and the listener is removed below: no `once` needed.
  signal?.addEventListener('abort', onAbort)
  try {
    const afterCheck = named ? (): void => aggregate.tick() : () => undefined
    const pacer = new Pacer(REQUESTS_PER_SECOND)
    await runChecks(deps, { trackers, pacer, pollIntervalMs, lastCheckAt, deadline, afterCheck })
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }

  const aborted = signal?.aborted === true
  for (const tracker of trackers) tracker.end(aborted ? 'aborted' : 'timed-out')
  const toCancel = trackers.filter(
    t => (t.outcome === 'timed-out' && options.cancelOnTimeout) || (t.outcome === 'aborted' && options.cancelOnAbort)
  )
  await cancelAll(deps, toCancel, aborted ? 'abort' : 'timeout', abortedAt ?? deps.now())
  const leftRunning = trackers.filter(t => t.outcome === 'aborted' && !options.cancelOnAbort).map(t => t.id)
  if (leftRunning.length > 0) log.info(lines.leftRunningLine(leftRunning))
  if (named) aggregate.close()

  const endedAt = deps.now()
  const results = trackers.map(t => t.result(endedAt))
  const done = results.every(r => r.finalStatus !== undefined)
  return { results, startedAt, endedAt, timeoutMs: options.timeoutMs, done }
}
