import { waitForBatches } from '../engine/wait.js'
import { runUrl as runLink, type StatusClient } from '../github/commit-status.js'
import type { Ledger } from '../github/ledger.js'
import type { Comment } from '../github/pr-comment.js'
import type { CommentRow } from '../report/pr-comment-text.js'
import { finalDescription } from '../report/commit-status-text.js'
import { buildEmptyReportSummary, buildReportSummary } from '../report/ledger-summary.js'
import { batchEntry } from '../report/outputs.js'
import { collectResults, type BatchFiles } from '../result-files/collect.js'
import type { Settings } from '../settings.js'
import { errorMessage, plural } from '../util/text.js'
import { judge, type Verdict } from '../verdict/verdict.js'
import { dispose, judgeTracked, wantsFiles, type Checked } from './report-judge.js'
import { updateReportComments } from './report-comment.js'
import { trackedCostVerdicts } from './report-costs.js'
import { setReportStatuses, type Reported } from './report-status.js'
import { resultsBudgetMs, type StepDeps, type StepOutcome } from './step.js'

export interface ReportDeps extends StepDeps {
  ledger: Ledger
  /** Undefined when no GitHub client for statuses could be made (a warning already said why). */
  statuses?: StatusClient
  /** Pull request comments, for batches tracked with `pr-comment`. */
  prComments?: Comment<CommentRow>
}

const LISTED = 5

async function fetchFiles(settings: Settings, deps: ReportDeps, wanted: Checked[]): Promise<Map<string, BatchFiles>> {
  if (wanted.length === 0 || deps.signal.aborted) return new Map()
  const dir = settings.downloadDir
    ? { path: settings.downloadDir, label: `download-dir '${settings.downloadDir}'` }
    : { path: settings.resultsDir, label: "the runner's temp directory" }
  const ms = resultsBudgetMs(0, 0)
  const budget = { ms, signal: deps.timeoutSignal(ms) }
  const signal = AbortSignal.any([deps.signal, budget.signal])
  const results = wanted.map(c => c.result)
  return collectResults({ ...deps, files: deps.api, signal, budget }, results, dir)
}

function stepVerdict(
  reported: readonly Reported[],
  unchecked: readonly Checked[],
  pending: number,
  ledgerErrors: string[]
): Verdict {
  const failing = [
    ...reported.filter(r => !r.verdict.ok).map(r => r.verdict.message),
    ...unchecked.map(
      c =>
        `Could not check tracked batch ${c.result.batchId}, left in the ledger: ${judge(c.result, new Set()).message}`
    ),
    ...ledgerErrors
  ]
  const still = `${pending} still running`
  if (failing.length === 0)
    return {
      ok: true,
      message: `Reported ${plural(reported.length, 'tracked batch', 'tracked batches')}, all passed; ${still}.`
    }
  const more = failing.length > LISTED ? ` And ${failing.length - LISTED} more.` : ''
  return { ok: false, message: `${failing.slice(0, LISTED).join(' ')}${more} (${reported.length} reported, ${still}.)` }
}

/**
 * Sets the statuses and comments of the reported batches, then removes them from the ledger: a run
 * that stops before a removal reports the batch again next time, with the same visible effects.
 * Returns why removals failed.
 */
async function settle(
  settings: Settings,
  deps: ReportDeps,
  reported: readonly Reported[],
  kept: readonly Checked[],
  collected: ReadonlyMap<string, BatchFiles>
): Promise<string[]> {
  await setReportStatuses(deps.statuses, reported, kept, runLink(settings.github), deps.log)
  await updateReportComments(deps.prComments, reported, collected, deps.log)
  const errors: string[] = []
  for (const item of reported) {
    try {
      const removal = await deps.ledger.remove(item.result.batchId, item.stored.sha)
      if (removal === 'changed')
        deps.log.info(`Batch ${item.result.batchId} was tracked again meanwhile: it stays in the ledger.`)
    } catch (error) {
      errors.push(errorMessage(error))
    }
  }
  return errors
}

/** One entry of the `reported` output: the `batches` entry, and what the report decided about it. */
function reportedEntry(r: Reported, collected: ReadonlyMap<string, BatchFiles>): Record<string, unknown> {
  return {
    ...batchEntry(r.result, collected.get(r.result.batchId)),
    passed: r.verdict.ok,
    verdict: r.verdict.message,
    commit: r.stored.entry.sha,
    pull_request: r.stored.entry.pullRequest ?? null,
    tracked_at: new Date(r.stored.entry.trackedAt).toISOString()
  }
}

/**
 * Mode `report`: checks every tracked batch once, judges each final one by the settings recorded
 * with it, sets its commit status, and only then removes it from the ledger, so a run killed half
 * way repeats a report but never loses one. Every batch is processed before the verdict.
 */
export async function runReport(settings: Settings, deps: ReportDeps): Promise<StepOutcome> {
  const { entries, invalid } = await deps.ledger.list()
  for (const bad of invalid)
    deps.log.warning(`Ledger file ${bad.name} on ${settings.ledgerBranch} is not used: ${bad.reason}.`)
  if (entries.length === 0) {
    deps.setOutputs({ reported: '[]', pending: '0', passed: 'true' })
    const verdict = { ok: true, message: 'No tracked batches to report.' }
    return {
      verdict,
      title: 'Together batches',
      summary: buildEmptyReportSummary(settings.ledgerBranch),
      annotations: []
    }
  }
  const options = {
    ...settings,
    timeoutMs: 0,
    batchIds: entries.map(e => e.entry.batchId),
    cancelOnTimeout: false,
    cancelOnAbort: false
  }
  const waited = await waitForBatches(deps, options)
  const now = deps.now()
  const checked: Checked[] = waited.results.map((result, i) => {
    const stored = entries[i]!
    return { stored, result, disposition: dispose(result, stored, now, settings.forgetAfterMs) }
  })
  const collected = await fetchFiles(
    settings,
    deps,
    checked.filter(c => wantsFiles(c, settings.downloadDir))
  )
  const costs = await trackedCostVerdicts(deps, waited, checked, collected)
  const reported: Reported[] = checked
    .filter(c => c.disposition === 'final' || c.disposition === 'unknown' || c.disposition === 'forgotten')
    .map(c => {
      const verdict = judgeTracked(c, waited, collected, settings.forgetAfterMs, costs.get(c.result.batchId))
      return { ...c, verdict, description: finalDescription({ ...waited, results: [c.result] }, verdict, collected) }
    })
  const kept = checked.filter(c => c.disposition === 'pending' || c.disposition === 'unchecked')
  const pending = kept.filter(c => c.disposition === 'pending').length
  deps.setOutputs({
    reported: JSON.stringify(reported.map(r => reportedEntry(r, collected))),
    pending: String(pending),
    passed: 'false'
  })

  const ledgerErrors = deps.signal.aborted ? [] : await settle(settings, deps, reported, kept, collected)
  const verdict = stepVerdict(
    reported,
    kept.filter(c => c.disposition === 'unchecked'),
    pending,
    ledgerErrors
  )
  deps.setOutputs({ passed: String(verdict.ok) })
  const rows = reported.map(r => ({
    entry: r.stored.entry,
    result: r.result,
    verdict: r.verdict,
    files: collected.get(r.result.batchId)
  }))
  return { verdict, title: 'Together batches', summary: buildReportSummary(rows, pending, verdict), annotations: [] }
}
