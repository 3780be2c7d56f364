import type { Annotation } from '../result-files/annotations.js'
import { MAX_TRACKED, type LineMatch, type MatchedLine } from '../result-files/failures.js'
import { plural } from '../util/text.js'
import { code, escapeText, htmlTable } from './escape.js'

/** Where the failed requests of the step are in `input-file`: the annotated lines and the rest. */
export interface LineReport {
  match: LineMatch
  annotations: Annotation[]
  rest: MatchedLine[]
}

const MAX_ROWS = 100

function notes(match: LineMatch): string[] {
  const notes: string[] = []
  if (match.notInFile > 0)
    notes.push(
      `${plural(match.notInFile, 'failed request has', 'failed requests have')} a custom_id that is not in the file.`
    )
  if (match.withoutId > 0)
    notes.push(`${plural(match.withoutId, 'failed line has', 'failed lines have')} no custom_id (not JSON, or no ID).`)
  if (match.untracked > 0)
    notes.push(
      `${plural(match.untracked, 'more failed request was', 'more failed requests were')} not looked for: only the first ${MAX_TRACKED} are.`
    )
  return notes
}

/**
 * The summary's list of failed requests by line of `input-file`: those not annotated (GitHub shows
 * only a few annotations per step), in file order, and what could not be matched. '' without a report.
 */
export function failedLinesSection(report: LineReport | undefined, severalBatches = false): string {
  if (!report) return ''
  const { match, annotations, rest } = report
  const file = `<code>${escapeText(match.file, 300)}</code>`
  const parts = ['', `### Failed requests in ${file}`, '']
  if (match.error !== undefined) {
    parts.push(`⚠️ Could not read ${file}, so failed requests are not shown by line: ${escapeText(match.error, 500)}`)
    return `${parts.join('\n')}\n`
  }
  const annotated =
    annotations.length > 0 ? `; the first line of ${plural(annotations.length, 'error code')} is annotated` : ''
  parts.push(`${plural(match.matched, 'failed request')} found in the file by custom_id${annotated}.`)
  parts.push(...notes(match))
  const shown = rest.slice(0, MAX_ROWS)
  if (shown.length > 0) {
    const heads = ['line', 'custom_id', 'error code', ...(severalBatches ? ['batch'] : [])]
    const rows = shown.map(l => [
      String(l.line),
      code(l.customId),
      `<code>${escapeText(l.code, 100)}</code>`,
      ...(severalBatches ? [code(l.batchId)] : [])
    ])
    parts.push('', ...htmlTable(heads, rows))
  }
  const unlisted = match.matched - annotations.length - shown.length
  if (unlisted > 0) parts.push('', `… ${plural(unlisted, 'more failed line')}`)
  return `${parts.join('\n')}\n`
}
