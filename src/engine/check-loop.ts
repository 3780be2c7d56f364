import { timerDelay } from '../util/timer.js'
import { Checks, type Plan } from './checks.js'
import type { BatchTracker } from './tracker.js'
import type { EngineDeps } from './types.js'

/** Checks in flight at once: bounds open connections while answers are slow; the pacer bounds the rate. */
const MAX_IN_FLIGHT = 16

/**
 * Runs the status checks until every batch has ended, no check may start any more, or the wait is
 * aborted. A check starts whenever a batch is due and the pacer allows, without waiting for the checks
 * in flight, so a slow or hanging request for one batch never holds up the others: with enough batches
 * waiting, one list request reads them all (see list-reader.ts), else each batch gets its own GET.
 * Between starts it sleeps until the next due slot or until a check settles, whichever comes first,
 * and reads the clock again after every wake-up: a sleep may end early or late, and a wake-up that
 * finds nothing due just sleeps again. Each request and each sleep has its own abort controller: the
 * loop aborts them when it is done with them, and it is done with all of them when the wait is aborted.
 */
export async function runChecks(deps: EngineDeps, plan: Plan): Promise<void> {
  await new Scheduler(deps, plan).run()
}

class Scheduler {
  /** Wakes the current pause; replaced by every pause. */
  private notify: () => void = () => undefined
  private readonly checks: Checks

  constructor(
    private readonly deps: EngineDeps,
    private readonly plan: Plan
  ) {
    this.checks = new Checks(deps, plan, () => this.notify())
  }

  async run(): Promise<void> {
    const { signal } = this.deps
    const onAbort = (): void => this.notify()
    signal?.addEventListener('abort', onAbort)
    try {
      for (;;) {
        if (this.checks.bug) throw this.checks.bug.error
        if (signal?.aborted) return
        const now = this.deps.now()
        this.expireLate(now)
        this.startDue(now)
        const idle = this.idle(now)
        // A list request still out once every batch has ended has nothing left to say: it is dropped.
        if (this.plan.trackers.every(t => t.outcome !== undefined)) return
        // Any batch still waiting is idle (a slot to wake at) or has a request out (its settling wakes).
        await this.pause(now, this.wakeAt(now, idle))
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.checks.dropAll()
    }
  }

  /** Batches still waiting, not being checked on their own, nor waiting for the list request out. */
  private idle(now: number): BatchTracker[] {
    const { checks } = this
    return this.plan.trackers.filter(t => t.outcome === undefined && !checks.checking(t) && !checks.list.holds(t, now))
  }

  /** When a batch may next be checked: when due, but never after the last check time, nor before the pacer allows. */
  private slot(tracker: BatchTracker): number {
    return Math.max(Math.min(tracker.dueAt, this.plan.lastCheckAt), this.plan.pacer.nextSlot())
  }

  /** Ends the batches that cannot be checked again before the last check time. */
  private expireLate(now: number): void {
    for (const tracker of this.idle(now)) {
      const due = Math.min(tracker.dueAt, this.plan.lastCheckAt)
      const already = tracker.checkedAt !== undefined && tracker.checkedAt >= due
      // A check planned for the last check time still starts when its timer fires a little late: the
      // margin before the deadline is there so that its answer counts, not to be lost to timer jitter.
      if (already || this.slot(tracker) > this.plan.lastCheckAt || now >= this.plan.deadline) tracker.expire()
    }
  }

  /**
   * Starts the checks that are due, as far as the pacer and the in-flight bound allow: one list request
   * for every batch when the list reader wants one, else each batch's own GET, earliest due first.
   */
  private startDue(now: number): void {
    const { checks, plan } = this
    while (checks.busy() < MAX_IN_FLIGHT && plan.pacer.nextSlot() <= now) {
      const due = this.idle(now).filter(t => Math.min(t.dueAt, plan.lastCheckAt) <= now)
      if (due.length === 0) return
      const waiting = plan.trackers.filter(t => t.outcome === undefined).length
      if (checks.list.wanted(due, waiting, now)) checks.startList(now)
      else
        checks.startOwn(
          due.reduce((a, b) => (b.dueAt < a.dueAt ? b : a)),
          now
        )
    }
  }

  /** The next slot of a batch not being checked, or when the list request out lets its batches go. */
  private wakeAt(now: number, idle: readonly BatchTracker[]): number {
    const release = this.checks.list.releaseAt()
    let at = release > now ? release : Number.POSITIVE_INFINITY
    if (this.checks.busy() < MAX_IN_FLIGHT) for (const tracker of idle) at = Math.min(at, this.slot(tracker))
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
}
