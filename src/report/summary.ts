import { formatDuration } from '../util/duration.js'
import type { CancelOutcome, WaitReport, BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import { costSection } from './cost-summary.js'
import { batchState, manySummary } from './batch-table.js'
import { progressBar, progressChart } from './chart.js'
import { failedLinesSection, type LineReport } from './failed-lines.js'
import { mergeTallies, topCodes, type Tally } from '../result-files/tally.js'
import { code, escapeText, htmlTable, statusText, tableRow as row } from './escape.js'
import { percent, plural } from '../util/text.js'
import type { CommentRow } from './headline.js'
import { batchCells } from './pr-comment-text.js'
import type { BatchVerdict } from '../verdict/judge-batch.js'
import type { Verdict } from '../verdict/verdict.js'

const MAX_TIMELINE_ROWS = 50

/** `⏱️ Together batch b1: IN_PROGRESS (timed out)`, in the icon and words of its row among several. */
function headline(result: BatchResult, verdict: Verdict): string {
  const { icon, note } = batchState(result, verdict)
  return `${icon} Together batch ${escapeText(result.batchId, 200)}: ${statusText(result.status)}${note}`
}

function cancelCell(cancel: CancelOutcome): string {
  const why = escapeText(cancel.error, 300)
  switch (cancel.state) {
    case 'answered':
      return `requested, Together answered ${escapeText(cancel.status || 'no status', 40)}`
    case 'no-answer':
      return `sent, no answer: ${why}`
    case 'not-sent':
      return `not sent: ${why}`
    case 'failed':
      return `failed: ${why}`
  }
}

/**
 * The step summary, as Markdown with HTML tables. A pure function of the result, so it is tested as a
 * string; every server-provided value passes through `escapeText`. One batch gets a detailed table and
 * its timeline; several get an aggregate line and a row each.
 */
export function buildSummary(
  all: WaitReport,
  verdict: Verdict,
  collected?: ReadonlyMap<string, BatchFiles>,
  extras: { cost?: CostReport; lines?: LineReport; batches?: readonly BatchVerdict[] } = {}
): string {
  const several = all.results.length > 1
  const text = several
    ? manySummary(all, verdict, extras.batches ?? [], collected, extras.cost)
    : batchSummary(all.results[0]!, verdict)
  return text + requestsSection(all, collected) + costSection(extras.cost) + failedLinesSection(extras.lines, several)
}

/** Requests succeeded / failed over all counted batches, and the most common error codes. */
function requestsSection(all: WaitReport, collected?: ReadonlyMap<string, BatchFiles>): string {
  const tallies = all.results.map(r => collected?.get(r.batchId)?.tally).filter((t): t is Tally => t !== undefined)
  if (tallies.length === 0) return ''
  const total = mergeTallies(tallies)
  const parts = ['', '### Requests', '', `${total.succeeded} succeeded · ${total.failed} failed`]
  const codes = topCodes(total, 5)
  if (codes.length > 0) {
    const rows = codes.map(c => [code(c.code), String(c.count), escapeText(c.example, 200)])
    parts.push('', ...htmlTable(['error code', 'requests', 'example'], rows))
  }
  return `${parts.join('\n')}\n`
}

function batchSummary(result: BatchResult, verdict: Verdict): string {
  const now = result.endedAt
  const job = result.batch ?? {}
  const rows: string[] = [row('Status', statusText(result.status))]
  const { progress } = result
  if (progress !== undefined) rows.push(row('Progress', progressBar(progress)))
  if (job.model_id) rows.push(row('Model', escapeText(job.model_id, 200)))
  if (job.endpoint) rows.push(row('Endpoint', escapeText(job.endpoint, 200)))
  if (job.created_at) rows.push(row('Created', escapeText(job.created_at, 40)))
  if (job.completed_at) rows.push(row('Completed', escapeText(job.completed_at, 40)))
  rows.push(
    row('Waited', `${formatDuration(result.endedAt - result.startedAt)} (${plural(result.requests, 'status check')})`)
  )
  if (result.etaAt !== undefined && result.etaAt > now && !result.finalStatus)
    rows.push(row('Predicted finish', `in ~${formatDuration(result.etaAt - now)}`))
  if (job.output_file_id) rows.push(row('Output file', code(job.output_file_id)))
  if (job.error_file_id) rows.push(row('Error file', code(job.error_file_id)))
  if (job.error) rows.push(row('Error', escapeText(job.error)))
  if (result.cancel) rows.push(row('Cancel', cancelCell(result.cancel)))

  const parts = [
    `## ${headline(result, verdict)}`,
    '',
    escapeText(verdict.message, 3000),
    '',
    '<table>',
    ...rows,
    '</table>'
  ]
  const chart = progressChart(result)
  if (chart) parts.push('', chart)
  if (result.timeline.length > 0) {
    const shown = result.timeline.slice(0, MAX_TIMELINE_ROWS)
    const rows = shown.map(entry => [formatDuration(entry.atMs), statusText(entry.status), percent(entry.progress)])
    parts.push('', '### Timeline', '', ...htmlTable(['after', 'status', 'progress'], rows))
    if (result.timeline.length > shown.length)
      parts.push('', `… ${plural(result.timeline.length - shown.length, 'more change')}`)
  }
  return `${parts.join('\n')}\n`
}

/** Summary for a step that failed before it could wait (bad input, unexpected error). */
export function buildFailureSummary(message: string): string {
  return `## ❌ Wait for Together batch failed\n\n${escapeText(message, 3000)}\n`
}

/** One reported batch, as the summary shows it. */
export interface SummaryRow {
  /** What the summary shows of the batch's ledger entry: the commit, pull requests and tracking run. */
  stored: { entry: { sha: string; pullRequests: readonly number[]; runUrl: string; trackedAt: number } }
  /** Its row in the pull request comment, whose first cells the summary's row repeats. */
  row: CommentRow
  verdict: Verdict
}

const MAX_REPORT_ROWS = 200

function reportRow({ stored: { entry }, row, verdict }: SummaryRow): string {
  const pr = entry.pullRequests.map(n => `#${n}`).join(' ')
  const tracked = entry.runUrl
    ? `[${new Date(entry.trackedAt).toISOString()}](${entry.runUrl})`
    : new Date(entry.trackedAt).toISOString()
  const cells = [...batchCells(row), `${entry.sha.slice(0, 12)} ${pr}`, tracked, escapeText(verdict.message, 500)]
  return `| ${cells.join(' | ')} |`
}

/** The step summary of mode `report`: a row per batch reported, and how many still run. */
export function buildReportSummary(rows: readonly SummaryRow[], pending: number, verdict: Verdict): string {
  const failed = rows.filter(r => !r.verdict.ok).length
  const head = `## ${verdict.ok ? '✅' : '❌'} Together batches: ${plural(rows.length, 'batch', 'batches')} reported${failed ? `, ${failed} failed` : ''}, ${pending} still running\n\n`
  if (rows.length === 0) return `${head}${escapeText(verdict.message, 2000)}\n`
  const shown = rows.slice(0, MAX_REPORT_ROWS).map(reportRow)
  const more =
    rows.length > MAX_REPORT_ROWS ? `\nAnd ${rows.length - MAX_REPORT_ROWS} more (see the reported output).\n` : ''
  return `${head}| Batch | Status | Requests | Commit | Tracked | Verdict |\n| --- | --- | --- | --- | --- | --- |\n${shown.join('\n')}\n${more}`
}

/** The step summary of mode `report` when the ledger holds no batch: one line. */
export function buildEmptyReportSummary(ledgerBranch: string): string {
  return `## ✅ Together batches: nothing to report, no batch is tracked on branch ${escapeText(ledgerBranch, 100)}\n`
}
