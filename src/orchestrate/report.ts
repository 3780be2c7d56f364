import { listFirst, plural } from '../util/text.js'
import { waitForBatches } from '../engine/wait.js'
import type { BatchResult } from '../engine/types.js'
import type { StoredEntry } from '../github/ledger.js'
import type { GitHub } from '../github/service.js'
import { commentRow } from '../report/headline.js'
import { buildEmptyReportSummary, buildReportSummary } from '../report/summary.js'
import { batchEntry } from '../report/outputs.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import type { Settings } from '../settings.js'
import { formatDuration } from '../util/duration.js'
import { judgeBatch, type BatchVerdict } from '../verdict/judge-batch.js'
import type { Policy } from '../verdict/policy.js'
import { judge, LISTED, type Verdict } from '../verdict/verdict.js'
import { isReported, publishReport, type LedgerFate, type Reported, type Tracked } from './report-publish.js'
import { groupBy } from '../util/group-by.js'
import type { RunContext } from './run-context.js'
import { collectWithin, priceResults, resultsBudgetMs, type StepOutcome } from './step.js'

function classify(result: BatchResult, stored: StoredEntry, now: number, forgetAfterMs: number): LedgerFate {
  if (result.finalStatus !== undefined) return 'final'
  // A 404 about the route (a wrong base-url) says nothing of the batch: it stays, and the step fails.
  if (result.outcome === 'error' && result.error?.status === 404 && !result.error.routeUnknown) return 'unknown'
  if (result.outcome !== 'pending') return 'unchecked'
  return now - stored.entry.trackedAt > forgetAfterMs ? 'forgotten' : 'pending'
}

/** A reported batch that was never judged on its results: gone from Together, or forgotten. */
function lostVerdict(t: Tracked, forgetAfterMs: number): BatchVerdict {
  const id = t.result.batchId
  const since = new Date(t.stored.entry.trackedAt).toISOString()
  const message =
    t.fate === 'unknown'
      ? `Batch ${id}, tracked ${since}, is not known to Together (HTTP 404): it is removed from the ledger. Check that api-key belongs to the account that created it.`
      : `Batch ${id}, tracked ${since}, is still ${t.result.status || 'not readable'} after forget-after (${formatDuration(forgetAfterMs)}): it is removed from the ledger and no longer reported.`
  const verdict = { ok: false, message }
  const reason = t.fate === 'unknown' ? 'not known to Together (HTTP 404)' : 'still running after forget-after'
  return { batchId: id, ...verdict, running: false, wait: verdict, failedOn: 'not-checked', reason }
}

/** The report only shows what gates need: a recorded discount alone does not fetch files. */
const gatesResults = (policy: Policy): boolean => policy.requestGate !== undefined || policy.maxCost !== undefined

/** Downloads and counts the result files of the final batches whose recorded policy asks for them. */
async function readFiles(settings: Settings, deps: RunContext, tracked: Tracked[]): Promise<Map<string, BatchFiles>> {
  const wanted = tracked.filter(
    t => t.fate === 'final' && (settings.downloadDir !== '' || gatesResults(t.stored.entry.policy))
  )
  if (wanted.length === 0 || deps.signal.aborted) return new Map()
  const results = wanted.map(t => t.result)
  return collectWithin(settings, deps, resultsBudgetMs(0, 0), results)
}

/**
 * The cost of each final batch whose recorded policy sets `max-cost`, priced with one `GET /v1/models`
 * per recorded `batch-discount` (usually one for the whole run).
 */
async function priceTracked(
  deps: RunContext,
  tracked: readonly Tracked[],
  collected: ReadonlyMap<string, BatchFiles>
): Promise<Map<string, CostReport>> {
  const byDiscount = groupBy(
    tracked.filter(t => t.fate === 'final' && t.stored.entry.policy.maxCost !== undefined),
    t => t.stored.entry.policy.batchDiscount
  )
  const costs = new Map<string, CostReport>()
  for (const [discount, group] of byDiscount) {
    const ids = group.map(t => t.result.batchId)
    const report = await priceResults(deps, ids, collected, discount)
    for (const id of ids) costs.set(id, report)
  }
  return costs
}

/** Why a tracked batch that could not be checked stays in the ledger. */
const uncheckedMessage = (t: Tracked): string =>
  `Could not check tracked batch ${t.result.batchId}, left in the ledger: ${judge(t.result, new Set()).message}`

function stepVerdict(tracked: readonly Tracked[], ledgerErrors: string[]): Verdict {
  const reported = tracked.filter(isReported)
  const pending = tracked.filter(t => t.fate === 'pending').length
  const failing = [
    ...reported.filter(r => !r.verdict.ok).map(r => r.verdict.message),
    ...tracked.filter(t => t.fate === 'unchecked').map(uncheckedMessage),
    ...ledgerErrors
  ]
  const still = `${pending} still running`
  if (failing.length === 0)
    return {
      ok: true,
      message: `Reported ${plural(reported.length, 'tracked batch', 'tracked batches')}, all passed; ${still}.`
    }
  return { ok: false, message: `${listFirst(failing, LISTED, ' ')} (${reported.length} reported, ${still}.)` }
}

/** One entry of the `reported` output: the `batches` entry, and what the report decided about it. */
function reportedEntry(r: Reported, collected: ReadonlyMap<string, BatchFiles>): Record<string, unknown> {
  return {
    ...batchEntry(r.result, collected.get(r.result.batchId)),
    passed: r.verdict.ok,
    verdict: r.verdict.message,
    commit: r.stored.entry.sha,
    pull_request: r.stored.entry.pullRequests[0] ?? null,
    pull_requests: r.stored.entry.pullRequests,
    tracked_at: new Date(r.stored.entry.trackedAt).toISOString()
  }
}

/**
 * Mode `report`: checks every tracked batch once, judges each final one by the policy recorded with
 * it, publishes its commit status and comment row, and only then removes it from the ledger, so a
 * run killed half way repeats a report but never loses one. Every batch is processed before the verdict.
 */
export async function runReport(settings: Settings, deps: RunContext, github: GitHub): Promise<StepOutcome> {
  const { entries, invalid } = await github.ledger.list()
  for (const bad of invalid)
    deps.log.warning(`Ledger file ${bad.name} on ${settings.ledgerBranch} is not used: ${bad.reason}.`)
  if (entries.length === 0) {
    deps.setOutputs({ reported: '[]', pending: '0', passed: 'true' })
    const verdict = { ok: true, message: 'No tracked batches to report.' }
    const summary = buildEmptyReportSummary(settings.ledgerBranch)
    return { verdict, title: 'Together batches', summary, annotations: [] }
  }
  const batchIds = entries.map(e => e.entry.batchId)
  const options = { ...settings, timeoutMs: 0, batchIds, cancelOnTimeout: false, cancelOnAbort: false }
  const waited = await waitForBatches(deps, options)
  const now = deps.now()
  const tracked: Tracked[] = waited.results.map((result, i) => {
    const stored = entries[i]!
    return { stored, result, fate: classify(result, stored, now, settings.forgetAfterMs) }
  })
  const collected = await readFiles(settings, deps, tracked)
  const costs = await priceTracked(deps, tracked, collected)
  for (const t of tracked) {
    const files = collected.get(t.result.batchId)
    const cost = costs.get(t.result.batchId)
    if (t.fate === 'final') t.verdict = judgeBatch(t.result, files, cost, t.stored.entry.policy)
    else if (t.fate === 'unknown' || t.fate === 'forgotten') t.verdict = lostVerdict(t, settings.forgetAfterMs)
    if (t.verdict) t.row = commentRow(t.result, t.verdict, files, cost)
  }
  const reported = tracked.filter(isReported)
  const pending = tracked.filter(t => t.fate === 'pending').length
  deps.setOutputs({
    reported: JSON.stringify(reported.map(r => reportedEntry(r, collected))),
    pending: String(pending),
    passed: 'false'
  })
  const ledgerErrors = deps.signal.aborted ? [] : await publishReport(deps, github, tracked)
  const verdict = stepVerdict(tracked, ledgerErrors)
  deps.setOutputs({ passed: String(verdict.ok) })
  const summary = buildReportSummary(reported, pending, verdict)
  return { verdict, title: 'Together batches', summary, annotations: [] }
}
