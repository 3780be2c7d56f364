import type { BatchResult } from './types.js'

/** Counts over several batches, for the aggregate log line and the summary. */
export interface Aggregate {
  total: number
  completed: number
  /** Ended in another final status, completed without output, or could not be checked. */
  failed: number
  /** Not final (yet): running, timed out, aborted, or checked once. */
  running: number
  /**
   * How much of the work is done well: completed batches count 100 %, running ones their progress, and
   * failed ones nothing, so a step with failures never shows a full bar.
   */
  percent: number
}

export function summarize(results: readonly BatchResult[]): Aggregate {
  let completed = 0
  let failed = 0
  let progressSum = 0
  for (const r of results) {
    if (r.outcome === 'completed') {
      completed++
      progressSum += 100
    } else if (r.outcome === 'ended-not-completed' || r.outcome === 'no-output' || r.outcome === 'error') failed++
    else progressSum += r.progress ?? 0
  }
  const total = results.length
  return { total, completed, failed, running: total - completed - failed, percent: total ? progressSum / total : 0 }
}
