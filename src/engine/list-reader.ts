import type { BatchJob } from '../together/types.js'
import { isCleanLine } from '../sanitize/sanitize.js'
import { classifyStatus } from '../together/status.js'
import * as lines from './messages.js'
import type { BatchTracker } from './tracker.js'
import type { Logger } from '../util/effects.js'

/**
 * From this many batches waiting, a check reads them all from one `GET /v1/batches`. Below it, a GET
 * per batch costs about as many requests and never reads a busy account's whole list (the figures
 * are in docs/performance.md).
 */
export const LIST_FROM_BATCHES = 4
/** Batches due while a list request is out wait this long for it, then are checked on their own. */
export const LIST_GRACE_MS = 5000
/** After failures in a row the list is skipped for the poll interval, doubling, at most this long. */
const MAX_LIST_BACKOFF_MS = 10 * 60_000

/**
 * Whether a list entry is taken as the batch's answer: it has a status, every text in it is one clean
 * line (a forged entry breaks lines or starts workflow commands), and a COMPLETED one names its output
 * file. Any other entry is confirmed with the batch's own GET: the verdict is never taken from it.
 */
function decidable(job: BatchJob): boolean {
  if (!job.status || Object.values(job).some(v => typeof v === 'string' && !isCleanLine(v))) return false
  return !(classifyStatus(job.status).status === 'COMPLETED' && !job.output_file_id)
}

/**
 * When and how the states of many batches are read from the batch list, and what a list answer does
 * to each batch: one list request per check instead of a GET per batch. A batch the list cannot decide
 * (missing, listed twice, an entry that is not `decidable`) is checked with its own GET; a failed list
 * leaves the batches due to their own GETs, and the list is tried again at the next check, skipped for
 * a while after failures in a row. Pure: the scheduler makes the requests and passes the time in.
 */
export class ListReader {
  /** The list request out, and when it started. */
  flight?: { startedAt: number; controller: AbortController }
  /** Batches the last list could not decide: each is checked with its own GET. */
  readonly confirm = new Set<BatchTracker>()
  private failures = 0
  private failedAt = Number.NEGATIVE_INFINITY
  private retryAt = Number.NEGATIVE_INFINITY
  /** The last reading line said that each batch is read with its own GET. */
  private single = false

  constructor(
    private readonly log: Logger,
    private readonly pollIntervalMs: number,
    /** The client can list batches at all. */
    private readonly available: boolean
  ) {}

  /** Whether `tracker` waits for the list request out rather than being checked on its own. */
  holds(tracker: BatchTracker, now: number): boolean {
    return this.flight !== undefined && now < this.releaseAt() && !this.confirm.has(tracker)
  }

  /** When the batches held by the list request out are let go to their own checks (+∞ with none out). */
  releaseAt(): number {
    return this.flight ? this.flight.startedAt + LIST_GRACE_MS : Number.POSITIVE_INFINITY
  }

  /**
   * Whether the next check reads the list: enough batches wait, no list request is out, the list is
   * not being skipped after failures, and a batch is due that needs no GET of its own and was not due
   * already when the list last failed (those are checked on their own).
   */
  wanted(due: readonly BatchTracker[], waiting: number, now: number): boolean {
    if (!this.available || waiting < LIST_FROM_BATCHES) {
      if (!this.single) this.log.debug(lines.singleReadLine(waiting, LIST_FROM_BATCHES))
      this.single = true
      return false
    }
    this.single = false
    if (this.flight || now < this.retryAt) return false
    return due.some(t => !this.confirm.has(t) && t.dueAt > this.failedAt)
  }

  started(controller: AbortController, now: number): void {
    this.flight = { startedAt: now, controller }
  }

  /** Whether a settled list request still counts: not once it was dropped. */
  land(controller: AbortController): boolean {
    if (this.flight?.controller !== controller) return false
    this.flight = undefined
    return true
  }

  /**
   * Takes in a list answer for the batches `waiting`: each one `readable` (not checked on its own
   * since the list was asked for) and decided by its entry takes it as an answer; any other readable
   * one is due for its own GET now. Entries for batches not waited for are skipped unseen. A list that
   * holds none of the batches waiting (`null` while they exist, another account's list) counts as a
   * failed one.
   */
  answered(
    jobs: readonly BatchJob[],
    waiting: readonly BatchTracker[],
    readable: (tracker: BatchTracker) => boolean,
    startedAt: number,
    now: number
  ): void {
    const waited = new Set(waiting.map(t => t.id))
    const entries = new Map<string, BatchJob | undefined>()
    for (const job of jobs) {
      if (typeof job.id !== 'string' || !waited.has(job.id)) continue
      // Listed twice: which entry is right cannot be told, so neither is used.
      entries.set(job.id, entries.has(job.id) ? undefined : job)
    }
    if (entries.size === 0 && waiting.length > 0) {
      return this.failed(lines.listHeldNoneReason(waiting.length), now)
    }
    let read = 0
    let own = 0
    for (const tracker of waiting.filter(readable)) {
      const job = entries.get(tracker.id)
      if (job && decidable(job)) {
        read++
        this.confirm.delete(tracker)
        tracker.checkedAt = startedAt
        tracker.onAnswer(job, now)
      } else {
        own++
        this.confirm.add(tracker)
        // A batch already re-checked for its output file keeps the pause between those checks.
        if (!tracker.recheckingOutput) tracker.dueAt = now
      }
    }
    this.failures = 0
    this.failedAt = this.retryAt = Number.NEGATIVE_INFINITY
    this.log.debug(lines.listReadLine(read, own))
  }

  /** The list failed (`reason`): the batches due now are checked on their own; skipped for a while after repeats. */
  failed(reason: string, now: number): void {
    this.failures++
    this.failedAt = now
    const skipMs = this.failures < 2 ? 0 : Math.min(MAX_LIST_BACKOFF_MS, this.pollIntervalMs * 2 ** (this.failures - 2))
    this.retryAt = now + skipMs
    this.log.debug(lines.listFailedLine(reason, skipMs))
  }

  /** A batch's own GET has settled: it no longer waits for one. */
  checked(tracker: BatchTracker): void {
    this.confirm.delete(tracker)
  }
}
