import type { BatchResult } from '../engine/types.js'
import { percent } from '../util/text.js'

/** Shorter waits, or fewer timeline points, say all there is in the table: no chart. */
const MIN_SPAN_MS = 5 * 60_000
const MIN_POINTS = 3
/** Samples on the line, evenly spaced in time: enough to show the shape, few enough to read. */
const SAMPLES = 30
const BAR_WIDTH = 20

/** `<code>████████░░░░░░░░░░░░</code> 40%`: progress as every summary shows it, a bar and the figure. */
export function progressBar(progress: number): string {
  const filled = Math.round((Math.min(100, Math.max(0, progress)) / 100) * BAR_WIDTH)
  return `<code>${'█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled)}</code> ${percent(progress)}`
}

/** `12`, `12.5`: one decimal at most, as Mermaid reads numbers. */
const num = (value: number): string => String(Math.round(value * 10) / 10)

/**
 * The progress at `atMs`, read off the line through the points with a figure, as a line chart draws it.
 * Before the first figure it is that figure; after the last, the last.
 */
function progressAt(known: readonly { atMs: number; progress: number }[], atMs: number): number {
  const after = known.findIndex(p => p.atMs >= atMs)
  if (after === -1) return known[known.length - 1]!.progress
  if (after === 0) return known[0]!.progress
  const [a, b] = [known[after - 1]!, known[after]!]
  return a.progress + ((b.progress - a.progress) * (atMs - a.atMs)) / (b.atMs - a.atMs)
}

/**
 * A Mermaid line chart of progress against minutes since the start, for the single-batch summary
 * (GitHub draws ```mermaid blocks in step summaries); '' for a short wait or a sparse timeline. Every
 * value is a number formatted here, never server text. xychart spaces line values evenly along the
 * x axis, so the line through the timeline's figures (and the last one seen) is sampled at even times.
 */
export function progressChart(result: BatchResult): string {
  const spanMs = result.endedAt - result.startedAt
  // Every progress change when the engine kept them; else the status changes' figures.
  const seen = result.progressSeries && result.progressSeries.length > 0 ? result.progressSeries : result.timeline
  if (spanMs < MIN_SPAN_MS || seen.length < MIN_POINTS) return ''
  const points = [...seen, { atMs: spanMs, progress: result.progress }]
  const known = points
    .filter((p): p is { atMs: number; progress: number } => typeof p.progress === 'number')
    .map(p => ({ atMs: p.atMs, progress: Math.min(100, Math.max(0, p.progress)) }))
  if (known.length === 0) return ''
  const at = (i: number): number => (spanMs * i) / (SAMPLES - 1)
  const values = Array.from({ length: SAMPLES }, (_, i) => num(progressAt(known, at(i))))
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Progress over time"',
    `  x-axis "minutes since start" 0 --> ${num(spanMs / 60_000)}`,
    '  y-axis "progress %" 0 --> 100',
    `  line [${values.join(', ')}]`,
    '```'
  ].join('\n')
}
