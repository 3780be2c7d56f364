import { isTransient } from '../together/errors.js'
import type { BatchJob } from '../together/types.js'
import { describeFailure } from './failure.js'
import { ListReader } from './list-reader.js'
import type { Pacer } from './pacer.js'
import type { BatchTracker } from './tracker.js'
import type { EngineDeps } from './types.js'

/** No 429 holds every batch for longer than this. */
const MAX_RATE_LIMIT_PAUSE_MS = 60_000

export interface Plan {
  trackers: readonly BatchTracker[]
  pacer: Pacer
  pollIntervalMs: number
  /** No check starts after this (epoch ms). */
  lastCheckAt: number
  /**
   * Each request's timeout is capped at the time left to this (+∞ when checking once), so the checks
   * in flight all settle by then: the client enforces the timeout, the loop only waits for them.
   */
  deadline: number
  /** Called after every check, answered or failed. */
  afterCheck(): void
}

/**
 * The status requests out: each batch's own GET, and at most one list request for all of them; what
 * their answers and failures do to the batches. The scheduler decides when; this sends and takes in.
 */
export class Checks {
  readonly list: ListReader
  /** An exception thrown while taking in an answer: a bug, rethrown by the loop. */
  bug?: { error: unknown }
  private readonly own = new Map<BatchTracker, AbortController>()

  constructor(
    private readonly deps: EngineDeps,
    private readonly plan: Plan,
    /** Called whenever a request has settled, counted or not. */
    private readonly settled: () => void
  ) {
    this.list = new ListReader(deps.log, plan.pollIntervalMs, deps.api.listBatches !== undefined)
  }

  /** Requests out: the batches' own, and the list's. */
  busy(): number {
    return this.own.size + (this.list.flight ? 1 : 0)
  }

  /** Whether `tracker` is being checked with its own GET right now. */
  checking(tracker: BatchTracker): boolean {
    return this.own.has(tracker)
  }

  /** Checks one batch with its own GET. */
  startOwn(tracker: BatchTracker, now: number): void {
    const { deps } = this
    this.plan.pacer.taken(now)
    tracker.checkedAt = now
    const own = new AbortController()
    this.own.set(tracker, own)
    const timeoutMs = this.timeoutAt(now)
    this.send(
      () => deps.api.getBatch(tracker.id, { signal: own.signal, timeoutMs }),
      () => this.land(tracker, own),
      (job: BatchJob) => tracker.onAnswer(job, deps.now()),
      error => {
        // An abort fails the requests in flight; that says nothing about the batch.
        if (!deps.signal?.aborted) this.hold(tracker.onError(error, deps.now(), deps.random))
      }
    )
  }

  /** One list request for every batch waiting and not checked on its own. */
  startList(now: number): void {
    const { deps, plan, list } = this
    plan.pacer.taken(now)
    const own = new AbortController()
    list.started(own, now)
    const timeoutMs = this.timeoutAt(now)
    const only = new Set(plan.trackers.filter(t => t.outcome === undefined).map(t => t.id))
    this.send(
      () => deps.api.listBatches!({ signal: own.signal, timeoutMs, only }),
      () => list.land(own),
      (jobs: BatchJob[]) => {
        const waiting = plan.trackers.filter(t => t.outcome === undefined)
        // Not a batch checked on its own meanwhile: its answer is newer than the list.
        const readable = (t: BatchTracker): boolean => !this.own.has(t) && (t.checkedAt ?? now) <= now
        list.answered(jobs, waiting, readable, now, deps.now())
      },
      error => {
        if (deps.signal?.aborted) return
        list.failed(describeFailure(error).message, deps.now())
        this.hold(isTransient(error) ? error.retryAfterMs : undefined)
      }
    )
  }

  /** Gives up the requests out, aborting them: their answers, should any still come, are ignored. */
  dropAll(): void {
    for (const own of this.own.values()) own.abort()
    this.own.clear()
    const list = this.list.flight?.controller
    if (list && this.list.land(list)) list.abort()
  }

  /** Each request's bound: the time left before the deadline, when there is one. */
  private timeoutAt(now: number): number | undefined {
    return Number.isFinite(this.plan.deadline) ? Math.max(1, this.plan.deadline - now) : undefined
  }

  /**
   * Sends `request` and hands its answer or failure on, then counts the check, unless `landed` says
   * it no longer counts (dropped, or the wait was left).
   */
  private send<T>(
    request: () => Promise<T>,
    landed: () => boolean,
    onAnswer: (value: T) => void,
    onError: (error: unknown) => void
  ): void {
    // Called inside an async function so that a synchronous throw becomes a rejection like any other.
    const sent = (async (): Promise<T> => request())()
    sent
      .then(
        value => {
          if (!landed()) return
          onAnswer(value)
          this.plan.afterCheck()
        },
        (error: unknown) => {
          if (!landed()) return
          onError(error)
          this.plan.afterCheck()
        }
      )
      .catch((error: unknown) => (this.bug ??= { error }))
      .finally(this.settled)
  }

  /** Whether a batch's own request still counts: not once it was dropped or the wait was left. */
  private land(tracker: BatchTracker, own: AbortController): boolean {
    if (this.own.get(tracker) !== own) return false
    this.own.delete(tracker)
    this.list.checked(tracker)
    return true
  }

  /** A 429 holds every request, never past the last check time: one last check still decides each batch. */
  private hold(holdMs: number | undefined): void {
    if (holdMs === undefined) return
    const until = this.deps.now() + Math.min(holdMs, MAX_RATE_LIMIT_PAUSE_MS)
    this.plan.pacer.pauseUntil(Math.min(until, this.plan.lastCheckAt))
  }
}
