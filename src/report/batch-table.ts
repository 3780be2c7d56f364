import { formatDuration } from '../util/duration.js'
import type { WaitReport, BatchResult } from '../engine/types.js'
import { summarize } from '../engine/aggregate.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import type { Tally } from '../result-files/tally.js'
import { costCell } from './cost-summary.js'
import { progressBar } from './chart.js'
import { code, escapeText, htmlTable, statusText } from './escape.js'
import { percent, plural } from '../util/text.js'
import type { BatchVerdict } from '../verdict/judge-batch.js'
import type { Verdict } from '../verdict/verdict.js'

const MAX_BATCH_ROWS = 300

/**
 * How a batch's wait ended, as the icon and words of its row and of the one-batch summary's heading;
 * `rank` puts problems first.
 */
export function batchState(
  r: BatchResult,
  verdict: Pick<Verdict, 'ok'> | undefined
): { icon: string; note: string; rank: number } {
  switch (r.outcome) {
    case 'completed':
      // The batch completed; its results (requests, cost) may still have failed its verdict.
      return verdict?.ok === false
        ? { icon: '❌', note: ' (results failed)', rank: 0 }
        : { icon: '✅', note: '', rank: 2 }
    // Ended otherwise: fail-on decides (a FAILED batch passes when FAILED is not in it), as in its comment row.
    case 'ended-not-completed':
    case 'no-output': {
      const note = r.outcome === 'no-output' ? ' (no output file)' : ''
      return verdict?.ok === true ? { icon: '✅', note, rank: 2 } : { icon: '❌', note, rank: 0 }
    }
    case 'error':
      return { icon: '❌', note: ' (could not be checked)', rank: 0 }
    case 'timed-out':
      return { icon: '⏱️', note: ' (timed out)', rank: 1 }
    case 'aborted':
      return { icon: '⛔', note: ' (wait aborted)', rank: 1 }
    case 'pending':
      return { icon: '🔄', note: ' (checked once)', rank: 1 }
  }
}

/** A table column: shown only when at least one batch has something in it, so none is always empty. */
interface Column {
  head: string
  cell(r: BatchResult): string
}

function columns(
  results: readonly BatchResult[],
  verdictOf: (r: BatchResult) => BatchVerdict | undefined,
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
) {
  const tally = (r: BatchResult): Tally | undefined => collected?.get(r.batchId)?.tally
  const all: Column[] = [
    { head: 'batch', cell: r => code(r.batchId) },
    {
      head: 'status',
      cell: r => `${batchState(r, verdictOf(r)).icon} ${statusText(r.status)}${batchState(r, verdictOf(r)).note}`
    },
    { head: 'progress', cell: r => percent(r.progress) },
    { head: 'output file', cell: r => (r.batch?.output_file_id ? code(r.batch.output_file_id) : '') },
    { head: 'error file', cell: r => (r.batch?.error_file_id ? code(r.batch.error_file_id) : '') },
    { head: 'requests ok / failed', cell: r => (tally(r) ? `${tally(r)!.succeeded} / ${tally(r)!.failed}` : '') },
    { head: 'estimated cost', cell: r => costCell(cost, r.batchId) },
    { head: 'error', cell: r => escapeText(r.batch?.error ?? r.error?.message, 300) }
  ]
  const always = new Set(['batch', 'status', 'progress'])
  return all.filter(c => always.has(c.head) || results.some(r => c.cell(r) !== ''))
}

/** The summary of several batches: counts, a bar, and a row each with problems first. */
export function manySummary(
  all: WaitReport,
  verdict: Verdict,
  batches: readonly BatchVerdict[],
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
): string {
  const byId = new Map(batches.map(b => [b.batchId, b]))
  const verdictOf = (r: BatchResult): BatchVerdict | undefined => byId.get(r.batchId)
  const counts = summarize(all.results)
  const cols = columns(all.results, verdictOf, collected, cost)
  const rows = [...all.results]
    .sort((a, b) => batchState(a, verdictOf(a)).rank - batchState(b, verdictOf(b)).rank)
    .slice(0, MAX_BATCH_ROWS)
  const parts = [
    `## ${verdict.ok ? '✅' : '❌'} Together batches: ${counts.completed}/${counts.total} completed`,
    '',
    escapeText(verdict.message, 3000),
    '',
    `${progressBar(counts.percent)} · ${counts.completed} completed, ${counts.failed} failed, ${counts.running} not finished · waited ${formatDuration(all.endedAt - all.startedAt)}`,
    '',
    ...htmlTable(
      cols.map(c => c.head),
      rows.map(r => cols.map(c => c.cell(r)))
    )
  ]
  if (all.results.length > MAX_BATCH_ROWS)
    parts.push('', `… ${plural(all.results.length - MAX_BATCH_ROWS, 'more batch', 'more batches')}`)
  return `${parts.join('\n')}\n`
}
