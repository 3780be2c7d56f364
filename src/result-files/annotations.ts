import { oneLine, plural } from '../util/text.js'
import type { LineMatch, MatchedLine } from './failures.js'

/** An error annotation on a line of the input file; the shell hands it to `core.error`. */
export interface Annotation {
  file: string
  line: number
  title: string
  message: string
}

/** GitHub shows at most 10 error annotations per step. */
export const MAX_ANNOTATIONS = 10

/**
 * One annotation per error code, on the first line that failed with it, most common codes first
 * (ties: the earlier line), at most `budget`; `examples` gives each code's message. Every other
 * matched line is in `rest`, in file order, for the summary. `severalBatches` names the batch.
 */
export function groupAnnotations(
  match: LineMatch,
  examples: ReadonlyMap<string, string>,
  budget: number = MAX_ANNOTATIONS,
  severalBatches = false
): { annotations: Annotation[]; rest: MatchedLine[] } {
  const codes = [...match.codes.entries()]
    .sort(([, a], [, b]) => b.count - a.count || a.first.line - b.first.line)
    .slice(0, Math.max(0, budget))
  const annotations = codes
    .map(([code, { first, count }]) => annotation(match.file, code, first, count, examples.get(code), severalBatches))
    .sort((a, b) => a.line - b.line)
  const annotated = new Set(codes.map(([, { first }]) => first.line))
  return { annotations, rest: match.lines.filter(l => !annotated.has(l.line)) }
}

function annotation(
  file: string,
  code: string,
  first: MatchedLine,
  count: number,
  example: string | undefined,
  severalBatches: boolean
): Annotation {
  const shownCode = oneLine(code, 100)
  const why = example ? `: ${oneLine(example, 300)}` : ''
  const batch = severalBatches ? ` in batch ${first.batchId}` : ''
  const more =
    count > 1
      ? ` ${plural(count - 1, 'more request')} in this file failed with ${shownCode}; see the step summary.`
      : ''
  return {
    file,
    line: first.line,
    title: `Together request failed: ${shownCode}`,
    message: `Request ${oneLine(first.customId, 200)}${batch} failed with ${shownCode}${why}.${more}`
  }
}
