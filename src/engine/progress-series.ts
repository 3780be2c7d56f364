/** One progress figure, `atMs` after the wait started. */
export interface ProgressPoint {
  atMs: number
  progress: number
}

/** Points kept at most: a day of one-minute changes is thinned to this, evenly. */
const MAX_POINTS = 240

/**
 * Adds a progress figure when it differs from the last one, for the summary's chart. When the series
 * is full, every other point goes (the first and the newest stay), so memory stays bounded and the
 * shape of a long wait is kept.
 */
export function addPoint(series: ProgressPoint[], point: ProgressPoint): void {
  if (series.at(-1)?.progress === point.progress) return
  series.push(point)
  if (series.length > MAX_POINTS) {
    const thinned = series.filter((_, i) => i % 2 === 0 || i === series.length - 1)
    series.splice(0, series.length, ...thinned)
  }
}
