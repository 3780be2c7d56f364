import { isTransient } from '../together/errors.js'
import type { BatchJob } from '../together/types.js'
import { addPoint, type ProgressPoint } from './progress-series.js'
import { classifyStatus, normalizeStatus, type StatusClass } from '../together/status.js'
import * as lines from './messages.js'
import { describeFailure } from './failure.js'
import { addSample, estimateFinish, type ProgressSample } from './eta.js'
import { ProgressLog, progressOf } from './progress-log.js'
import { nextCheck, type ScheduleState } from './next-check.js'
import { planRetry } from './retry-plan.js'
import type { Logger } from '../util/effects.js'
import type { CancelOutcome, Outcome, RequestFailure, TimelineEntry, BatchResult } from './types.js'

/** COMPLETED without an output file is re-checked this many times: the id may appear a moment later. */
const NO_OUTPUT_RECHECKS = 2
const NO_OUTPUT_RECHECK_MS = 5000
/** 2xx answers in a row that are not a batch before giving up: base-url points somewhere else. */
const INVALID_ANSWERS_TOLERATED = 3

interface TrackerOptions {
  pollIntervalMs: number
  timeoutMs: number
  /** Check once and stop (timeout 0): a running batch ends as `pending`. */
  checkOnce: boolean
  /** Prefix progress lines with the batch id (several batches in one step). */
  named: boolean
  /** No check starts after this (epoch ms): the deadline less a margin. */
  lastCheckAt: number
}

/**
 * One batch's side of the wait: what has been seen of it, when it is next due for a check, and how it
 * ended. Pure: the caller passes the time in and makes the requests.
 */
export class BatchTracker {
  /** Epoch ms the next check is due. */
  dueAt: number
  outcome?: Outcome
  requests = 0
  /** When the last request about this batch started. */
  checkedAt?: number
  private batch?: BatchJob
  private status = ''
  private progress?: number
  private failures = 0
  private invalidAnswers = 0
  private noOutputChecks = 0
  private history: ProgressSample[] = []
  private etaAt?: number
  private schedule: ScheduleState = { nearStreak: 0 }
  private readonly timeline: TimelineEntry[] = []
  private readonly series: ProgressPoint[] = []
  private readonly progressLog: ProgressLog
  private error?: RequestFailure
  private lastError?: RequestFailure
  private rateLimited?: BatchResult['rateLimited']
  private cancel?: CancelOutcome
  /** What Together answered a cancel with: reported as the status, though no check saw it. */
  private cancelStatus?: string

  constructor(
    readonly id: string,
    private readonly startedAt: number,
    private readonly log: Logger,
    private readonly options: TrackerOptions
  ) {
    this.dueAt = startedAt
    this.progressLog = new ProgressLog(id, startedAt, log, options.named)
  }

  /** COMPLETED without an output file was seen: the next checks look for the file, a few seconds apart. */
  get recheckingOutput(): boolean {
    return this.noOutputChecks > 0
  }

  /** Takes in a successful answer: logs what changed, then either ends the batch or schedules its next check. */
  onAnswer(job: BatchJob, now: number): void {
    this.requests++
    this.failures = 0
    this.invalidAnswers = 0
    this.lastError = undefined
    this.rateLimited = undefined
    if (this.batch === undefined) this.progressLog.start(job, this.options)
    this.batch = job
    this.log.debug(lines.payloadLine(this.id, job))
    const status = normalizeStatus(job.status)
    const kind = classifyStatus(status)
    if (kind.kind === 'unknown') this.progressLog.unknownStatus(status)
    const progress = progressOf(job, kind, this.progress)
    if (kind.kind === 'final') this.etaAt = undefined
    else if (progress !== undefined) {
      this.history = addSample(this.history, { at: now, progress })
      this.etaAt = estimateFinish(this.history, now)
    }
    if (this.timeline.length === 0 || status !== this.status) this.note(now, status, progress)
    if (progress !== undefined) addPoint(this.series, { atMs: now - this.startedAt, progress })
    this.status = status
    this.progress = progress
    this.progressLog.answer(now, status, progress, this.etaAt)
    this.decide(job, kind, now)
  }

  private decide(job: BatchJob, kind: StatusClass, now: number): void {
    // Only a final class can carry COMPLETED.
    if (kind.status === 'COMPLETED') {
      if (job.output_file_id) return this.end('completed')
      if (this.noOutputChecks >= NO_OUTPUT_RECHECKS || this.options.checkOnce) return this.end('no-output')
      this.noOutputChecks++
      this.dueAt = now + Math.min(this.options.pollIntervalMs, NO_OUTPUT_RECHECK_MS)
    } else if (kind.kind === 'final') {
      this.end('ended-not-completed')
    } else if (this.options.checkOnce) {
      this.end('pending')
    } else {
      const { pollIntervalMs } = this.options
      const decision = nextCheck({ now, pollIntervalMs, etaAt: this.etaAt, state: this.schedule })
      this.schedule = decision.state
      this.dueAt = now + decision.delayMs
    }
  }

  /**
   * Takes in a failed request: a lasting failure ends the batch with `error`; a transient one schedules
   * a retry with backoff. Returns how long the server asked everyone to hold off, when it did.
   */
  onError(error: unknown, now: number, random: () => number): number | undefined {
    this.requests++
    const failure = describeFailure(error)
    this.lastError = failure
    this.invalidAnswers = failure.kind === 'invalid-response' ? this.invalidAnswers + 1 : 0
    // Before any answer, a host that does not resolve or a refused certificate is a wrong base-url:
    // waiting cannot fix it. Once the API has answered, the same failure is a passing one.
    const lasting = !isTransient(error) || (error.kind === 'unreachable' && this.batch === undefined)
    if (lasting || this.invalidAnswers >= INVALID_ANSWERS_TOLERATED) {
      this.fail(lasting ? failure : { ...failure, repeated: this.invalidAnswers })
      return undefined
    }
    this.failures++
    const plan = planRetry({
      ...this.options,
      batchId: this.id,
      message: failure.message,
      attempt: this.failures,
      now,
      random,
      status: error.status,
      retryAfterMs: error.retryAfterMs
    })
    this.log.warning(plan.line)
    if (plan.kind === 'stop') this.end('pending')
    else this.dueAt = plan.dueAt
    // Held past the end of the wait: if the last check is refused too, the verdict says rate limiting.
    if (plan.kind === 'hold') this.rateLimited = { retryAfterMs: plan.retryAfterMs }
    return error.retryAfterMs
  }

  private fail(failure: RequestFailure): void {
    this.error = failure
    this.end('error')
  }

  /** Ends the wait for this batch if it has not ended yet (abort). */
  end(outcome: Outcome): void {
    this.outcome ??= outcome
  }

  /** No time is left for another check: a COMPLETED batch still without output file has none. */
  expire(): void {
    this.end(this.noOutputChecks > 0 ? 'no-output' : 'timed-out')
  }

  /** Records the action's own cancel request; an accepted cancel's answer becomes the reported status. */
  cancelled(cancel: CancelOutcome, now: number): void {
    this.cancel = cancel
    if (cancel.state !== 'answered' || !cancel.status) return
    this.note(now, cancel.status, this.progress)
    this.cancelStatus = cancel.status
    if (this.batch) this.batch = { ...this.batch, status: cancel.status }
  }

  private note(now: number, status: string, progress: number | undefined): void {
    this.timeline.push({ atMs: now - this.startedAt, status, progress })
  }

  result(endedAt: number): BatchResult {
    const finalClass = classifyStatus(this.status)
    return {
      batchId: this.id,
      outcome: this.outcome ?? 'timed-out',
      batch: this.batch,
      status: this.cancelStatus ?? this.status,
      finalStatus: finalClass.kind === 'final' ? finalClass.status : undefined,
      progress: this.progress,
      startedAt: this.startedAt,
      endedAt,
      timeoutMs: this.options.timeoutMs,
      timeline: this.timeline,
      progressSeries: this.series,
      requests: this.requests,
      etaAt: this.etaAt,
      error: this.error,
      lastError: this.lastError,
      rateLimited: this.rateLimited,
      cancel: this.cancel
    }
  }
}
