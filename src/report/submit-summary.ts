import type { PreflightReport } from '../submit/preflight.js'
import { byteSize } from '../submit/preflight-report.js'
import { PROBLEM_LABELS } from '../submit/request-rules.js'
import type { SubmitOutcome } from '../submit/submit-from-file.js'
import { plural } from '../util/text.js'
import { code, escapeText, htmlTable, tableRow } from './escape.js'

/** Problem lines listed in the summary of a refused file; the annotations show the first few. */
const MAX_PROBLEM_ROWS = 50
/** Models named in the summary of what was sent; the rest are counted. */
const MAX_MODELS = 10

type Submitted = Extract<SubmitOutcome, { kind: 'submitted' }>

/**
 * The summary of a file preflight refused: the one line that says why, then the problems by line (a
 * table of the first 50 kept), and how many more there are. Nothing was uploaded.
 */
export function refusedSummary(report: PreflightReport, message: string): string {
  const parts = [`## ❌ input-file ${code(report.file)} not submitted`, '', escapeText(message, 3000)]
  // Those on a line, with it (file-wide problems are in `message` already).
  const lines = report.problems.flatMap(problem =>
    problem.line === undefined ? [] : [{ ...problem, line: problem.line }]
  )
  if (lines.length > 0) {
    const shown = lines.slice(0, MAX_PROBLEM_ROWS)
    const rows = shown.map(p => [String(p.line), PROBLEM_LABELS[p.kind], escapeText(p.message, 300)])
    parts.push('', ...htmlTable(['line', 'problem', 'details'], rows))
    const fileWide = report.problems.length - lines.length
    const total = Object.values(report.counts).reduce((sum, count) => sum + count, 0) - fileWide
    if (total > shown.length) parts.push('', `… ${plural(total - shown.length, 'more line')} with a problem`)
  }
  return `${parts.join('\n')}\n`
}

/** `<code>m1</code> (2), <code>m2</code> (1)`, most requests first, and the requests for further models. */
function modelList(report: PreflightReport): string {
  const models = [...report.models.entries()].sort(([, a], [, b]) => b - a)
  if (models.length === 0) return 'none named in body.model'
  const named = models.slice(0, MAX_MODELS).map(([model, count]) => `${code(model)} (${count})`)
  const requests = models.slice(MAX_MODELS).reduce((sum, [, count]) => sum + count, 0) + report.otherModels
  return requests > 0 ? `${named.join(', ')}, and ${plural(requests, 'request')} for further models` : named.join(', ')
}

/** How the batch came to be: created, or an earlier one of identical input that `reuse` picked. */
function batchCell(submitted: Submitted, reuse: string): string {
  const { batchId, reused } = submitted
  if (!reused) return `${code(batchId)}, created`
  const when = reused.createdAt ? `, created ${escapeText(reused.createdAt, 40)}` : ''
  return `${code(batchId)}, reused (${escapeText(reused.status, 40)}${when}; reuse: ${escapeText(reuse, 20)})`
}

/**
 * The summary section of a submit: what was sent (requests, endpoint, size, models, content hash),
 * the input file at Together and the batch, and whether each was new or reused.
 */
export function submittedSection(submitted: Submitted, reuse: string): string {
  const { report, inputFileId, uploaded } = submitted
  const rows = [
    tableRow('Requests', `${report.requests} for ${code(report.endpoint)}`),
    tableRow('Size', byteSize(report.bytes)),
    tableRow('Models', modelList(report)),
    tableRow('SHA-256', `<code>${report.sha256}</code>`),
    tableRow('Input file', `${code(inputFileId)}, ${uploaded ? 'uploaded' : 'already uploaded (identical bytes)'}`),
    tableRow('Batch', batchCell(submitted, reuse))
  ]
  return ['', `### Submitted from ${code(report.file)}`, '', '<table>', ...rows, '</table>', ''].join('\n')
}
