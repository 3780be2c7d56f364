import type { BatchJob } from '../together/index.js'
import { timerDelay } from '../util/timer.js'
import type { Pacer } from './pacer.js'
import type { BatchTracker } from './tracker.js'
import type { EngineDeps } from './types.js'

/** Checks in flight at once: bounds open connections while answers are slow; the pacer bounds the rate. */
const MAX_IN_FLIGHT = 16
/** No 429 holds every batch for longer than this. */
const MAX_RATE_LIMIT_PAUSE_MS = 60_000

interface Plan {
  trackers: readonly BatchTracker[]
  pacer: Pacer
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
 * Runs the status checks until every batch has ended, no check may start any more, or the wait is
 * aborted. A check starts whenever its batch is due and the pacer allows, without waiting for the
 * checks in flight, so a slow or hanging request for one batch never holds up the others. Between
 * starts it sleeps until the next due slot or until a check settles, whichever comes first, and reads
 * the clock again after every wake-up: a sleep may end early or late, and a wake-up that finds nothing
 * due just sleeps again. Each request and each sleep has its own abort controller: the loop aborts them
 * when it is done with them, and it is done with all of them when the wait is aborted.
 */
export async function runChecks(deps: EngineDeps, plan: Plan): Promise<void> {
  await new Scheduler(deps, plan).run()
}

class Scheduler {
  private readonly flights = new Map<BatchTracker, AbortController>()
  /** Wakes the current pause; replaced by every pause. */
  private notify: () => void = () => undefined
  /** An exception thrown while taking in an answer: a bug, rethrown by the loop. */
  private bug?: { error: unknown }

  constructor(
    private readonly deps: EngineDeps,
    private readonly plan: Plan
  ) {}

  async run(): Promise<void> {
    const { signal } = this.deps
    const onAbort = (): void => this.notify()
    signal?.addEventListener('abort', onAbort)
    try {
      for (;;) {
        if (this.bug) throw this.bug.error
        if (signal?.aborted) return
        const now = this.deps.now()
        this.expireLate(now)
        this.startDue(now)
        const idle = this.idle()
        if (idle.length === 0 && this.flights.size === 0) return
        await this.pause(now, this.wakeAt(idle))
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.dropFlights()
    }
  }

  /** Batches still waiting and not being checked right now. */
  private idle(): BatchTracker[] {
    return this.plan.trackers.filter(t => t.outcome === undefined && !this.flights.has(t))
  }

  /** When a batch may next be checked: when due, but never after the last check time, nor before the pacer allows. */
  private slot(tracker: BatchTracker): number {
    return Math.max(Math.min(tracker.dueAt, this.plan.lastCheckAt), this.plan.pacer.nextSlot())
  }

  /** Ends the batches that cannot be checked again before the last check time. */
  private expireLate(now: number): void {
    for (const tracker of this.idle()) {
      const due = Math.min(tracker.dueAt, this.plan.lastCheckAt)
      const already = tracker.checkedAt !== undefined && tracker.checkedAt >= due
      // A check planned for the last check time still starts when its timer fires a little late: the
      // margin before the deadline is there so that its answer counts, not to be lost to timer jitter.
      if (already || this.slot(tracker) > this.plan.lastCheckAt || now >= this.plan.deadline) tracker.expire()
    }
  }

  /** Starts the checks that are due, earliest first, as far as the pacer and the in-flight bound allow. */
  private startDue(now: number): void {
    while (this.flights.size < MAX_IN_FLIGHT && this.plan.pacer.nextSlot() <= now) {
      const due = this.idle().filter(t => Math.min(t.dueAt, this.plan.lastCheckAt) <= now)
      if (due.length === 0) return
      const earliest = due.reduce((a, b) => (b.dueAt < a.dueAt ? b : a))
      this.launch(earliest, now)
    }
  }

  private wakeAt(idle: readonly BatchTracker[]): number {
    let at = Number.POSITIVE_INFINITY
    if (this.flights.size < MAX_IN_FLIGHT) for (const tracker of idle) at = Math.min(at, this.slot(tracker))
    return at
  }

  /**
   * Sleeps until `until`, a check settles, or the wait is aborted. A Node timer holds at most 24.8
   * days, so a longer pause (poll-interval 25d) ends early and the loop sleeps again.
   */
  private async pause(now: number, until: number): Promise<void> {
    const woken = new Promise<void>(resolve => (this.notify = resolve))
    if (until === Number.POSITIVE_INFINITY) return woken
    const timer = new AbortController()
    try {
      await Promise.race([this.deps.sleep(timerDelay(until - now), timer.signal), woken])
    } finally {
      // Woken by a check or the abort: the pending timer must not keep the process alive or fire later.
      timer.abort()
    }
  }

  private launch(tracker: BatchTracker, now: number): void {
    const { deps, plan } = this
    plan.pacer.taken(now)
    tracker.checkedAt = now
    const own = new AbortController()
    this.flights.set(tracker, own)
    const timeoutMs = Number.isFinite(plan.deadline) ? Math.max(1, plan.deadline - now) : undefined
    // Called inside an async function so that a synchronous throw becomes a rejection like any other.
    const request = (async (): Promise<BatchJob> => deps.api.getBatch(tracker.id, { signal: own.signal, timeoutMs }))()
    request
      .then(
        job => {
          if (!this.land(tracker, own)) return
          tracker.onAnswer(job, deps.now())
          plan.afterCheck()
        },
        (error: unknown) => {
          if (!this.land(tracker, own)) return
          this.failed(tracker, error)
          plan.afterCheck()
        }
      )
      .catch((error: unknown) => (this.bug ??= { error }))
      .finally(() => this.notify())
  }

  /** Whether a settled request still counts: not once it was dropped or the wait was left. */
  private land(tracker: BatchTracker, own: AbortController): boolean {
    if (this.flights.get(tracker) !== own) return false
    this.flights.delete(tracker)
    return true
  }

  private failed(tracker: BatchTracker, error: unknown): void {
    // An abort fails the requests in flight; that says nothing about the batch.
    if (this.deps.signal?.aborted) return
    const holdMs = tracker.onError(error, this.deps.now(), this.deps.random)
    // Never past the last check time: however long Together asks, one last check still decides the batch.
    if (holdMs !== undefined) {
      const until = this.deps.now() + Math.min(holdMs, MAX_RATE_LIMIT_PAUSE_MS)
      this.plan.pacer.pauseUntil(Math.min(until, this.plan.lastCheckAt))
    }
  }

  /** Gives up the requests in flight, aborting them: their answers, should any still come, are ignored. */
  private dropFlights(): void {
    for (const own of this.flights.values()) own.abort()
    this.flights.clear()
  }
}
