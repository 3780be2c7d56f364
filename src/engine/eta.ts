/** One observation of a batch's progress: `progress` percent seen at `at` (epoch ms). */
export interface ProgressSample {
  at: number
  progress: number
}

/** Changes kept: the rate needs the last three, the stall check a few more for a typical step size. */
const HISTORY_KEPT = 8

/**
 * Adds a sample to the history the ETA is computed from, keeping only the points where progress
 * changed (the first sighting of each value): a flat stretch says "no news", not "rate zero until now".
 * Progress that goes backwards restarts the history, since what came before no longer describes the job.
 */
export function addSample(history: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const last = history.at(-1)
  if (last === undefined) return [sample]
  if (sample.progress < last.progress) return [sample]
  if (sample.progress === last.progress) return [...history]
  return [...history, sample].slice(-HISTORY_KEPT)
}

/** Two successive rates of progress this far apart (as a ratio) mean the job is too irregular to predict. */
const MAX_RATE_CHANGE = 1.5

/**
 * Predicted finish time (epoch ms) from the latest rate of progress, or undefined when the history does
 * not support a credible estimate: fewer than three changes seen, no forward movement, a rate that
 * changed by more than half from one change to the next (irregular bursts), or a stall (at `now` the
 * rate promised at least one more typical step than was seen).
 */
export function estimateFinish(history: readonly ProgressSample[], now?: number): number | undefined {
  // The first point only tells us when we started looking, not when progress reached that value.
  if (history.length < 4) return undefined
  const [a, b, c] = history.slice(-3) as [ProgressSample, ProgressSample, ProgressSample]
  const previous = (b.progress - a.progress) / (b.at - a.at)
  const rate = (c.progress - b.progress) / (c.at - b.at)
  // Forward, and within MAX_RATE_CHANGE of the rate before, either way (which holds only if that one is positive).
  if (!(rate > 0 && rate <= previous * MAX_RATE_CHANGE && previous <= rate * MAX_RATE_CHANGE)) return undefined
  if (now !== undefined) {
    const steps = history.slice(1).map((s, i) => s.progress - history[i]!.progress)
    const typicalStep = steps.sort((x, y) => x - y)[Math.floor(steps.length / 2)]!
    if (rate * (now - c.at) >= typicalStep) return undefined
  }
  return c.at + (100 - c.progress) / rate
}
