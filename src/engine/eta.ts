/** One observation of a batch's progress: `progress` percent seen at `at` (epoch ms). */
export interface ProgressSample {
  at: number
  progress: number
}

/** How many recent progress changes the rate is measured over: recent enough to follow a speed-up. */
const RATE_WINDOW = 5

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
  return [...history, sample].slice(-(RATE_WINDOW + 1))
}

/**
 * Predicted finish time (epoch ms) from the recent rate of progress, or undefined when the history
 * does not support a credible estimate (fewer than two changes, or no forward movement).
 */
export function estimateFinish(history: readonly ProgressSample[]): number | undefined {
  if (history.length < 3) return undefined
  const last = history.at(-1)!
  // The first point only tells us when we started looking, not when progress reached that value.
  const from = history[Math.max(1, history.length - 1 - RATE_WINDOW)]!
  const span = last.at - from.at
  const gained = last.progress - from.progress
  if (span <= 0 || gained <= 0) return undefined
  return last.at + ((100 - last.progress) * span) / gained
}
