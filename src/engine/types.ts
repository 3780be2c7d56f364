import type { ProgressPoint } from './progress-series.js'
import type { BatchApi, BatchJob } from '../together/types.js'
import type { Effects } from '../util/effects.js'
import type { FinalStatus } from '../together/status.js'

/** Everything with a side effect, passed in so the engine can run in virtual time. */
export type EngineDeps = Pick<Effects, 'now' | 'sleep' | 'random' | 'log' | 'signal'> & { api: BatchApi }

export interface WaitAllOptions {
  /** In input order, without duplicates. */
  batchIds: string[]
  /** 0 checks each batch once and returns whatever the status. */
  timeoutMs: number
  pollIntervalMs: number
  cancelOnTimeout: boolean
  cancelOnAbort: boolean
}

/** One step's wait: a result per batch, in input order. */
export interface WaitReport {
  results: BatchResult[]
  startedAt: number
  endedAt: number
  timeoutMs: number
  /** Every batch reached a final status. */
  done: boolean
}

/** One point of the status timeline, `atMs` after the wait started. */
export interface TimelineEntry {
  atMs: number
  status: string
  progress?: number
}

/** The outcome of a cancel request made by the action itself. */
export interface CancelOutcome {
  reason: 'timeout' | 'abort'
  /**
   * `answered`: Together answered (see `status`). `failed`: the request failed (see `error`).
   * `no-answer`: sent, but no answer came in time, so whether it took effect is unknown.
   * `not-sent`: never sent, because no time was left (`error` says why).
   */
  state: 'answered' | 'failed' | 'no-answer' | 'not-sent'
  /** Status Together answered the cancel with (usually CANCELING), for `answered`. */
  status?: string
  /** What went wrong, for every state but `answered`. */
  error?: string
}

export type Outcome =
  /** COMPLETED with an output file. */
  | 'completed'
  /** COMPLETED without an output file: every request failed. */
  | 'no-output'
  /** FAILED, EXPIRED or CANCELLED; whether that fails the step depends on `fail-on`. */
  | 'ended-not-completed'
  | 'timed-out'
  | 'aborted'
  /** A request failed in a way retrying cannot fix (401, 403, 404, 400, repeated answers that are not a batch). */
  | 'error'
  /** Checked once (timeout 0) and not final yet. */
  | 'pending'

/** A failed status request, as far as the verdict needs it to name the cause. */
export interface RequestFailure {
  message: string
  status?: number
  serverMessage?: string
  /** The TogetherError kind (`http`, `timeout`, `invalid-response`, …); undefined for anything else thrown. */
  kind?: string
  /** The server answered with an HTML page: usually base-url points at a website, not the API. */
  html?: boolean
  /** A 404 about the route, not the batch (`no route`, HTML, a base URL without `/v1`): check base-url. */
  routeUnknown?: boolean
  /** Answers in a row that were not a batch, when that is what ended the batch. */
  repeated?: number
}

export interface BatchResult {
  batchId: string
  outcome: Outcome
  /** The last batch object seen, if any request succeeded. */
  batch?: BatchJob
  /**
   * Normalised last status seen (CANCELED read as CANCELLED), '' when none was seen. After a cancel
   * request, the status Together answered it with.
   */
  status: string
  finalStatus?: FinalStatus
  /**
   * Last known progress in percent: a running batch keeps its last figure when an answer omits it; a
   * COMPLETED answer without one counts as 100; other final answers without one leave it unknown.
   */
  progress?: number
  startedAt: number
  endedAt: number
  /** The timeout the wait was given. */
  timeoutMs: number
  timeline: TimelineEntry[]
  /** Every change of progress seen (thinned past a few hundred), for the summary's chart. */
  progressSeries?: ProgressPoint[]
  /** Status requests made, retries included. */
  requests: number
  /** Predicted finish time (epoch ms) when the progress allowed one. */
  etaAt?: number
  /** The request error, for outcome `error`. */
  error?: RequestFailure
  /** The last check's error, when the last check failed: the cause to name when no check succeeded. */
  lastError?: RequestFailure
  /** Together answered 429 asking to wait longer than the time left, which ended this batch's wait. */
  rateLimited?: { retryAfterMs: number }
  cancel?: CancelOutcome
}
