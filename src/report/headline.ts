import type { BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { costOf, formatCost, knownTotal, type CostReport } from '../result-files/cost.js'
import type { BatchVerdict, FailedOn } from '../verdict/judge-batch.js'
import { groupDigits } from './cost-summary.js'
import { escapeText } from './escape.js'
import { groupBy } from '../util/group-by.js'
import { plural } from '../util/text.js'

/** One batch's line in the pull request comment, and what its commit status says. */
export interface CommentRow {
  batchId: string
  /** ✅ passed, ❌ failed, 🔄 still running. */
  icon: '✅' | '❌' | '🔄'
  status: string
  /** Requests that succeeded and failed, when the result files were counted. */
  requests?: { ok: number; failed: number }
  /** Estimated cost in US dollars, when the results were priced. */
  cost?: number
  /** What failed the batch, when it failed. */
  failedOn?: FailedOn
  /** Why it failed, in a few words (server text, redacted, not escaped); '' when it did not. */
  reason: string
}

/** A batch's row, from the verdict made on it and what its results counted and cost. */
export function commentRow(
  result: BatchResult,
  verdict: BatchVerdict,
  files?: BatchFiles,
  cost?: CostReport
): CommentRow {
  const tally = files?.tally
  const own = cost && knownTotal(costOf(cost, [result.batchId]))
  return {
    batchId: result.batchId,
    icon: verdict.running ? '🔄' : verdict.ok ? '✅' : '❌',
    status: result.status,
    ...(tally ? { requests: { ok: tally.succeeded, failed: tally.failed } } : {}),
    ...(own !== undefined && files?.usage ? { cost: own } : {}),
    ...(verdict.failedOn ? { failedOn: verdict.failedOn } : {}),
    reason: verdict.reason
  }
}

/** A row per batch, from the verdicts made on them. */
export function commentRows(
  results: readonly BatchResult[],
  verdicts: readonly BatchVerdict[],
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
): CommentRow[] {
  return results.map((result, i) => commentRow(result, verdicts[i]!, collected?.get(result.batchId), cost))
}

/** What failed, in the words of the inputs a reader would change. */
const WORDS: Record<FailedOn, string> = {
  'fail-on': 'fail-on status',
  'no-output': 'no output file',
  timeout: 'timeout',
  aborted: 'aborted wait',
  'not-checked': 'batches that could not be checked',
  results: 'result files that could not be read',
  'max-failed-requests': 'max-failed-requests',
  'max-cost': 'max-cost'
}

interface Totals {
  verdict: 'Passed' | 'Failed' | 'Running'
  /** `Failed on max-cost, fail-on status`, or the verdict alone. */
  words: string
  /** `3 batches: 2 completed, 1 failed (FAILED 1), 0 running` */
  counts: string
  requests: string
  cost: string
}

/** How many rows have each status, in the order the statuses first appear. */
const byStatus = (rows: readonly CommentRow[]): [string, number][] =>
  [...groupBy(rows, r => r.status || 'unknown')].map(([status, group]) => [status, group.length])

/**
 * The totals over every row, whatever version wrote it: how many batches, completed, failed (by
 * status), still running; requests and estimated cost where known; and the verdict in words.
 * `stepFailure` names what failed the step besides its rows (max-cost over several batches together).
 */
function totals(rows: readonly CommentRow[], stepFailure?: FailedOn): Totals {
  const failed = rows.filter(r => r.icon === '❌')
  const running = rows.filter(r => r.icon === '🔄').length
  const completed = rows.filter(r => r.status === 'COMPLETED').length
  // Ended in a status that did not fail them (not in fail-on): named, so the counts add up.
  const others = byStatus(rows.filter(r => r.icon === '✅' && r.status !== 'COMPLETED'))
  const otherText = others.map(([status, n]) => `, ${n} ${status}`).join('')
  const statuses = byStatus(failed)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ')
  const on = new Set([...failed.flatMap(r => (r.failedOn ? [r.failedOn] : [])), ...(stepFailure ? [stepFailure] : [])])
  const verdict = failed.length > 0 || stepFailure ? 'Failed' : running > 0 ? 'Running' : 'Passed'
  const words = on.size > 0 ? `${verdict} on ${[...on].map(f => WORDS[f]).join(', ')}` : verdict
  const counts = `${plural(rows.length, 'batch', 'batches')}: ${completed} completed, ${failed.length} failed${statuses ? ` (${statuses})` : ''}${otherText}, ${running} running`
  const counted = rows.filter(r => r.requests)
  const finished = rows.length - running
  // ` (2 of 3 finished batches counted)`: a total that leaves some finished batches out says so.
  const of = (n: number, what: string): string =>
    n < finished ? ` (${n} of ${finished} finished batches ${what})` : ''
  const ok = counted.reduce((n, r) => n + r.requests!.ok, 0)
  const bad = counted.reduce((n, r) => n + r.requests!.failed, 0)
  const requests =
    counted.length === 0
      ? finished > 0
        ? 'request counts not fetched (max-failed-requests or download-dir fetch them)'
        : ''
      : `${groupDigits(ok)} ok, ${groupDigits(bad)} failed requests${of(counted.length, 'counted')}`
  const priced = rows.filter(r => r.cost !== undefined)
  const sum = priced.reduce((n, r) => n + r.cost!, 0)
  const cost = priced.length === 0 ? '' : `estimated cost $${formatCost(sum)}${of(priced.length, 'priced')}`
  return { verdict, words, counts, requests, cost }
}

const ICON = { Passed: '✅', Failed: '❌', Running: '🔄' } as const

/** The comment's first line: the verdict in words, then the totals over every row. */
export function commentHeadline(rows: readonly CommentRow[], stepFailure?: FailedOn): string {
  const t = totals(rows, stepFailure)
  const parts = [`**${ICON[t.verdict]} ${t.words}**`, t.counts, t.requests, t.cost && escapeText(t.cost)]
  return parts.filter(Boolean).join(' · ')
}

/**
 * The same words for a commit status description (plain text; GitHub cuts it at 140 characters):
 * one batch that failed says why in its own words, several say the totals.
 */
export function statusHeadline(rows: readonly CommentRow[], stepFailure?: FailedOn): string {
  const t = totals(rows, stepFailure)
  const only = rows.length === 1 ? rows[0]! : undefined
  if (only?.icon === '❌' && only.reason) return `${t.words}: ${only.reason}`
  const requests = t.requests.startsWith('request counts not') ? '' : t.requests
  const head = only?.icon === '✅' ? [`${t.words} · ${only.status}`] : [t.words, t.counts]
  return [...head, requests].filter(Boolean).join(' · ')
}

/** The pending status while the step waits. */
export function pendingDescription(batchIds: readonly string[]): string {
  return batchIds.length === 1
    ? `Waiting for Together batch ${batchIds[0]!}`
    : `Waiting for ${batchIds.length} Together batches`
}
