import { TogetherError, type BatchJob } from '../together/index.js'
import { classifyStatus, normalizeStatus } from '../status.js'
import * as lines from '../report/log-lines.js'
import { retryDelay } from './backoff.js'
import { addSample, estimateFinish, type ProgressSample } from './eta.js'
import { nextCheck, type ScheduleState } from './schedule.js'
import type { CancelOutcome, EngineDeps, Outcome, TimelineEntry, WaitOptions, WaitResult } from './types.js'

/** The last check before the deadline is made this long before it, so its answer still counts. */
const FINAL_CHECK_MARGIN_MS = 1000
/** COMPLETED without an output file is re-checked this many times: the id may appear a moment later. */
const NO_OUTPUT_RECHECKS = 2
const NO_OUTPUT_RECHECK_MS = 5000
/** Bound on the cancel request the action makes on abort: the runner kills the process 10 s after SIGINT. */
const ABORT_CANCEL_TIMEOUT_MS = 3000
const TIMEOUT_CANCEL_TIMEOUT_MS = 10_000
const DEFAULT_HEARTBEAT_MS = 5 * 60_000

/**
 * Waits for one batch to reach a final status, the deadline, or an abort, and says how it ended.
 * Pure with respect to its dependencies: all I/O, time and randomness come from `deps`, and it never
 * touches @actions/core, so it runs in virtual time in tests and benchmarks.
 */
export async function waitForBatch(deps: EngineDeps, options: WaitOptions): Promise<WaitResult> {
  const { api, log, signal } = deps
  const { batchId, pollIntervalMs } = options
  const startedAt = deps.now()
  const deadline = startedAt + options.timeoutMs
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS

  let batch: BatchJob | undefined
  let status = ''
  let progress: number | undefined
  let requests = 0
  let failures = 0
  let noOutputChecks = 0
  let history: ProgressSample[] = []
  let etaAt: number | undefined
  let schedule: ScheduleState = { nearStreak: 0 }
  let lastNewsAt = startedAt
  const timeline: TimelineEntry[] = []
  const warnedStatuses = new Set<string>()

  const finish = async (outcome: Outcome, extra: Partial<WaitResult> = {}): Promise<WaitResult> => {
    let cancel: CancelOutcome | undefined
    if ((outcome === 'timed-out' && options.cancelOnTimeout) || (outcome === 'aborted' && options.cancelOnAbort)) {
      cancel = await cancelBatch(outcome === 'aborted' ? 'abort' : 'timeout')
    } else if (outcome === 'aborted') {
      log.info(lines.leftRunningLine(batchId))
    }
    const finalClass = classifyStatus(status)
    return {
      batchId,
      outcome,
      batch,
      status,
      finalStatus: finalClass.kind === 'final' ? finalClass.status : undefined,
      startedAt,
      endedAt: deps.now(),
      timeoutMs: options.timeoutMs,
      timeline,
      requests,
      etaAt,
      cancel,
      ...extra
    }
  }

  const cancelBatch = async (reason: CancelOutcome['reason']): Promise<CancelOutcome> => {
    const timeoutMs = reason === 'abort' ? ABORT_CANCEL_TIMEOUT_MS : TIMEOUT_CANCEL_TIMEOUT_MS
    try {
      const answer = await api.cancelBatch(batchId, { timeoutMs })
      const outcome = { reason, status: normalizeStatus(answer.status) || undefined }
      log.info(lines.cancelLine(batchId, outcome))
      return outcome
    } catch (error) {
      const outcome = { reason, error: error instanceof Error ? error.message : String(error) }
      log.warning(lines.cancelLine(batchId, outcome))
      return outcome
    }
  }

  /** Sleeps up to `ms` without passing the last-check point; false when the wait must end now. */
  const pause = async (ms: number): Promise<'ok' | 'deadline' | 'aborted'> => {
    const room = deadline - FINAL_CHECK_MARGIN_MS - deps.now()
    if (room <= 0) return 'deadline'
    await deps.sleep(Math.min(ms, room), signal)
    return signal?.aborted ? 'aborted' : 'ok'
  }

  const observe = (job: BatchJob): void => {
    const now = deps.now()
    const first = batch === undefined
    batch = job
    const newStatus = normalizeStatus(job.status)
    const newProgress = typeof job.progress === 'number' ? job.progress : progress
    if (first) log.info(lines.startLine(batchId, job, options))
    log.debug(lines.payloadLine(batchId, job))

    const kind = classifyStatus(newStatus)
    if (kind.kind === 'unknown' && !warnedStatuses.has(newStatus)) {
      warnedStatuses.add(newStatus)
      log.warning(lines.unknownStatusLine(batchId, newStatus))
    }
    if (kind.kind !== 'final' && newProgress !== undefined) {
      history = addSample(history, { at: now, progress: newProgress })
      etaAt = estimateFinish(history, now)
    } else if (kind.kind === 'final') {
      etaAt = undefined
    }
    if (first || newStatus !== status || newProgress !== progress) {
      if (first || newStatus !== status)
        timeline.push({ atMs: now - startedAt, status: newStatus, progress: newProgress })
      status = newStatus
      progress = newProgress
      lastNewsAt = now
      log.info(lines.progressLine(now - startedAt, status, progress, etaAt === undefined ? undefined : etaAt - now))
    } else if (now - lastNewsAt >= heartbeatMs) {
      lastNewsAt = now
      log.info(lines.heartbeatLine(now - startedAt, status, progress))
    }
  }

  for (;;) {
    if (signal?.aborted) return finish('aborted')
    let job: BatchJob
    requests++
    try {
      job = await api.getBatch(batchId, { signal, timeoutMs: Math.max(1, deadline - deps.now()) })
    } catch (error) {
      if (signal?.aborted) return finish('aborted')
      const transient = error instanceof TogetherError ? error.transient : false
      if (!transient) {
        const info = error instanceof TogetherError ? error : undefined
        return finish('error', {
          error: {
            message: error instanceof Error ? error.message : String(error),
            status: info?.status,
            serverMessage: info?.serverMessage
          }
        })
      }
      failures++
      const retryAfterMs = error instanceof TogetherError ? error.retryAfterMs : undefined
      const delay = retryDelay(failures, deps.random, retryAfterMs, pollIntervalMs)
      const room = deadline - FINAL_CHECK_MARGIN_MS - deps.now()
      if (room <= 0) {
        log.warning(lines.retryLine(batchId, (error as Error).message))
        return finish('timed-out')
      }
      log.warning(lines.retryLine(batchId, (error as Error).message, Math.min(delay, room), failures))
      const paused = await pause(delay)
      if (paused !== 'ok') return finish(paused === 'aborted' ? 'aborted' : 'timed-out')
      continue
    }
    failures = 0
    observe(job)

    const kind = classifyStatus(status)
    let delay: number
    if (kind.kind === 'final' && kind.status === 'COMPLETED') {
      if (job.output_file_id) return finish('completed')
      if (noOutputChecks >= NO_OUTPUT_RECHECKS) return finish('no-output')
      noOutputChecks++
      delay = Math.min(pollIntervalMs, NO_OUTPUT_RECHECK_MS)
    } else if (kind.kind === 'final') {
      return finish('final')
    } else {
      const decision = nextCheck({ now: deps.now(), pollIntervalMs, etaAt, state: schedule })
      schedule = decision.state
      delay = decision.delayMs
    }
    const paused = await pause(delay)
    if (paused === 'aborted') return finish('aborted')
    if (paused === 'deadline') return finish(noOutputChecks > 0 ? 'no-output' : 'timed-out')
  }
}
