import type { BatchJob } from '../together/types.js'
import type { StatusClass } from '../together/status.js'
import { percent } from '../util/text.js'
import * as lines from './messages.js'
import type { Logger } from '../util/effects.js'

/** Log a "still waiting" line after this long without a change worth a line. */
const HEARTBEAT_MS = 5 * 60_000
/**
 * Answers in a row without a credible estimate before the shown ETA is dropped: the estimate comes and
 * goes with every irregular step, and an ETA that blinks on and off from line to line reads as noise.
 */
const ETA_MISSES_DROPPED = 2

/** A running batch keeps its last figure; a final answer without one is not "still at 40 %". */
export function progressOf(job: BatchJob, kind: StatusClass, previous: number | undefined): number | undefined {
  if (typeof job.progress === 'number') return job.progress
  if (kind.kind !== 'final') return previous
  // COMPLETED means every request was processed; for FAILED or EXPIRED the old figure may be stale.
  return kind.status === 'COMPLETED' ? 100 : undefined
}

/**
 * The progress lines of one batch. A line is written only when what it displays changes: the status,
 * or the progress as rounded for display, so a batch creeping by 0.01 % does not repeat the same line.
 */
export class ProgressLog {
  private shownStatus?: string
  private shownPercent?: string
  private lastNewsAt: number
  private etaAt?: number
  private etaMisses = 0
  private readonly warned = new Set<string>()

  constructor(
    private readonly id: string,
    private readonly startedAt: number,
    private readonly log: Logger,
    /** Several batches in one step: prefix lines with the batch id, and leave heartbeats out. */
    private readonly named: boolean
  ) {
    this.lastNewsAt = startedAt
  }

  /**
   * The first answer: what is waited for. With several batches one line opened the wait for all (a line
   * per batch would bury it), so each batch's own goes to debug.
   */
  start(job: BatchJob, options: { timeoutMs: number; pollIntervalMs: number }): void {
    const line = lines.startLine(this.id, job, options)
    if (this.named) this.log.debug(line)
    else this.log.info(line)
  }

  /** A status this action does not know: warned once per status, then read as still running. */
  unknownStatus(status: string): void {
    if (this.warned.has(status)) return
    this.warned.add(status)
    this.log.warning(lines.unknownStatusLine(this.id, status))
  }

  /** One answer: `estimate` is the credible predicted finish, undefined when there is none. */
  answer(now: number, status: string, progress: number | undefined, estimate: number | undefined): void {
    this.trackEta(estimate, status)
    const elapsed = now - this.startedAt
    if (status !== this.shownStatus || percent(progress) !== this.shownPercent) {
      this.shownStatus = status
      this.shownPercent = percent(progress)
      this.lastNewsAt = now
      const eta = this.etaAt === undefined ? undefined : this.etaAt - now
      this.log.info((this.named ? `${this.id}: ` : '') + lines.progressLine(elapsed, status, progress, eta))
    } else if (!this.named && now - this.lastNewsAt >= HEARTBEAT_MS) {
      this.lastNewsAt = now
      this.log.info(lines.heartbeatLine(elapsed, status, progress))
    }
  }

  /**
   * Keeps the last credible ETA through one answer without one; any new estimate replaces it, and a
   * change of status (to a final one, say) drops it at once.
   */
  private trackEta(estimate: number | undefined, status: string): void {
    if (estimate !== undefined) {
      this.etaAt = estimate
      this.etaMisses = 0
    } else if (++this.etaMisses >= ETA_MISSES_DROPPED || status !== this.shownStatus) {
      this.etaAt = undefined
    }
  }
}
