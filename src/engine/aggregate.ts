import type { WaitResult } from './types.js'

/** Counts over several batches, for the aggregate log line and the summary. */
export interface Aggregate {
  total: number
  completed: number
  /** Ended in another final status, completed without output, or could not be checked. */
  failed: number
  /** Not final (yet): running, timed out, aborted, or checked once. */
  running: number
  /** Mean progress, counting final batches as 100 %. */
  percent: number
}

export function summarize(results: readonly WaitResult[]): Aggregate {
  let completed = 0
  let failed = 0
  let progressSum = 0
  for (const r of results) {
    if (r.outcome === 'completed') completed++
    else if (r.outcome === 'final' || r.outcome === 'no-output' || r.outcome === 'error') failed++
    progressSum += r.finalStatus ? 100 : (r.progress ?? r.batch?.progress ?? 0)
  }
  const total = results.length
  return { total, completed, failed, running: total - completed - failed, percent: total ? progressSum / total : 0 }
}
