import type { BatchResult } from '../engine/types.js'
import type { LedgerEntry } from '../github/ledger-entry.js'
import type { BatchFiles } from '../result-files/collect.js'
import { plural } from '../util/text.js'
import type { Verdict } from '../verdict/verdict.js'
import { escapeText } from './escape.js'

/** One reported batch, as the summary shows it. */
export interface SummaryRow {
  entry: LedgerEntry
  result: BatchResult
  verdict: Verdict
  files?: BatchFiles
}

const MAX_ROWS = 200

function row({ entry, result, verdict, files }: SummaryRow): string {
  const requests = files?.tally ? `${files.tally.succeeded} ok, ${files.tally.failed} failed` : ''
  const pr = entry.pullRequests.map(n => `#${n}`).join(' ')
  const tracked = entry.runUrl
    ? `[${new Date(entry.trackedAt).toISOString()}](${entry.runUrl})`
    : new Date(entry.trackedAt).toISOString()
  const cells = [
    `${verdict.ok ? '✅' : '❌'} ${escapeText(result.batchId, 200)}`,
    escapeText(result.status || 'unknown', 40),
    requests,
    `${entry.sha.slice(0, 12)} ${pr}`,
    tracked,
    escapeText(verdict.message, 500)
  ]
  return `| ${cells.join(' | ')} |`
}

/** The step summary of mode `report`: a row per batch reported, and how many still run. */
export function buildReportSummary(rows: readonly SummaryRow[], pending: number, verdict: Verdict): string {
  const failed = rows.filter(r => !r.verdict.ok).length
  const head = `## ${verdict.ok ? '✅' : '❌'} Together batches: ${plural(rows.length, 'batch', 'batches')} reported${failed ? `, ${failed} failed` : ''}, ${pending} still running\n\n`
  if (rows.length === 0) return `${head}${escapeText(verdict.message, 2000)}\n`
  const shown = rows.slice(0, MAX_ROWS).map(row)
  const more = rows.length > MAX_ROWS ? `\nAnd ${rows.length - MAX_ROWS} more (see the reported output).\n` : ''
  return `${head}| Batch | Status | Requests | Commit | Tracked | Verdict |\n| --- | --- | --- | --- | --- | --- |\n${shown.join('\n')}\n${more}`
}

/** The step summary of mode `report` when the ledger holds no batch: one line. */
export function buildEmptyReportSummary(ledgerBranch: string): string {
  return `## ✅ Together batches: nothing to report, no batch is tracked on branch ${escapeText(ledgerBranch, 100)}\n`
}
