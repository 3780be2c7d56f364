/**
 * Spaces all status requests of one step, whatever batch they are for: at most `perSecond` requests a
 * second, and nothing at all while a rate limit (429) is in force, so many batches never burst.
 * Pure: the caller passes the clock's time in.
 */
export class Pacer {
  private readonly gapMs: number
  private lastAt = Number.NEGATIVE_INFINITY
  private pausedUntil = Number.NEGATIVE_INFINITY

  constructor(perSecond: number) {
    this.gapMs = 1000 / perSecond
  }

  /** The earliest time (epoch ms) the next request may start. */
  nextSlot(): number {
    return Math.max(this.lastAt + this.gapMs, this.pausedUntil)
  }

  /** Records a request started at `now`. */
  taken(now: number): void {
    this.lastAt = now
  }

  /** Holds every request until `until` (a 429 slows everyone down, not just the batch that got it). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
  }
}
