import { waitForBatches } from '../engine/wait.js'
import type { BatchResult, WaitReport } from '../engine/types.js'
import type { StatusState } from '../github/commit-status.js'
import type { GitHub } from '../github/service.js'
import type { LineReport } from '../report/failed-lines.js'
import { commentRows, pendingDescription, statusHeadline } from '../report/headline.js'
import { buildOutputs, verdictOutputs } from '../report/outputs.js'
import { buildSummary } from '../report/summary.js'
import { groupAnnotations, MAX_ANNOTATIONS, type Annotation } from '../result-files/annotations.js'
import { collectResults, type BatchFiles } from '../result-files/collect.js'
import { foldCosts, formatCost, whyNoEstimate, type BatchUsage, type CostReport } from '../result-files/cost.js'
import { FailureIndex, matchInputFile } from '../result-files/failures.js'
import type { InputFile } from '../result-files/input-file.js'
import { fetchPrices, type PriceDeps } from '../result-files/prices.js'
import { mergeTallies, UNREADABLE_LINE, type Tally } from '../result-files/tally.js'
import { emptyUsage, hasTokens, mergeUsage } from '../result-files/usage.js'
import type { Settings } from '../settings.js'
import { plural } from '../util/text.js'
import type { Effects } from '../util/effects.js'
import { judgeBatch, judgeStep } from '../verdict/judge-batch.js'
import { needsResults } from '../verdict/policy.js'
import type { Verdict } from '../verdict/verdict.js'
import type { RunContext } from './run-context.js'

/** Result files may take at least this long (or `timeout`, when shorter), and at most `MAX_RESULTS_MS`. */
const MIN_RESULTS_MS = 10 * 60_000
const MAX_RESULTS_MS = 30 * 60_000

/**
 * The time allowed for downloading and counting result files: what is left of `timeout`, but at least
 * 10 minutes (or `timeout` itself when shorter) and at most 30. With `timeout: 0`, 10 minutes.
 */
export function resultsBudgetMs(timeoutMs: number, waitedMs: number): number {
  if (timeoutMs === 0) return MIN_RESULTS_MS
  const floor = Math.min(timeoutMs, MIN_RESULTS_MS)
  return Math.min(MAX_RESULTS_MS, Math.max(floor, timeoutMs - waitedMs))
}

/** How the step ended: the verdict to apply, its annotation title, and the summary to write. */
export interface StepOutcome {
  verdict: Verdict
  title: string
  summary: string
  /** Error annotations on lines of `input-file`, for the shell to emit after the verdict. */
  annotations: Annotation[]
}

/** What another mode adds to the step (see `runTrack` in run-mode.ts). */
export interface StepHooks {
  /** Runs right after the wait and its outputs; what it throws fails the step. */
  afterWait?(waited: WaitReport): Promise<void>
  /** The final commit status, when it is not plain success or failure. */
  finalStatus?(verdict: Verdict): [StatusState, string] | undefined
}

/**
 * The whole step once the settings are known: commit status pending, wait, outputs, result files,
 * verdict, final commit status. It decides and returns; it never touches @actions/core.
 */
export async function runStep(
  settings: Settings,
  deps: RunContext,
  github?: GitHub,
  hooks: StepHooks = {}
): Promise<StepOutcome> {
  // Not awaited before the wait: a slow GitHub API must never delay the first status check.
  const pending = github?.status('pending', pendingDescription(settings.batchIds))
  const waited: WaitReport = await waitForBatches(deps, settings)
  // `passed` stays false until the verdict is in: a step killed before it never reads as passed.
  deps.setOutputs({ ...buildOutputs(waited), passed: 'false' })
  await hooks.afterWait?.(waited)

  const { policy, inputFile } = settings
  const wantFiles = settings.downloadDir !== '' || needsResults(policy) || inputFile !== undefined
  let results: ResultsRead | undefined
  if (wantFiles && !deps.signal.aborted) results = await readResults(settings, deps, waited)
  const { collected, cost } = results ?? {}
  const batches = waited.results.map(r => judgeBatch(r, collected?.get(r.batchId), cost, policy))
  const verdict = judgeStep(waited, batches, cost, policy.maxCost)
  const lines =
    results?.failures && inputFile
      ? await locateFailures(results.failures, inputFile, waited, results.collected, verdict, deps)
      : undefined

  deps.setOutputs(verdictOutputs(buildOutputs(waited).status ?? '', verdict.ok))
  await pending
  const rows = commentRows(waited.results, batches, collected, cost)
  // Besides its batches, only max-cost over several batches together can fail the step.
  const stepFailure = !verdict.ok && batches.every(b => b.ok) ? 'max-cost' : undefined
  const [state, description] = hooks.finalStatus?.(verdict) ?? [
    verdict.ok ? 'success' : 'failure',
    statusHeadline(rows, stepFailure)
  ]
  await github?.status(state, description)
  await github?.comment(rows, stepFailure)
  const ids = settings.batchIds
  return {
    verdict,
    title: ids.length === 1 ? `Together batch ${ids[0]!}` : 'Together batches',
    summary: buildSummary(waited, verdict, collected, { cost, lines, batches }),
    annotations: lines?.annotations ?? []
  }
}

interface ResultsRead {
  collected: Map<string, BatchFiles>
  cost: CostReport
  failures?: FailureIndex
}

/** Downloads and counts the result files within their time budget, prices them, and sets the outputs. */
async function readResults(settings: Settings, deps: RunContext, waited: WaitReport): Promise<ResultsRead> {
  const ms = resultsBudgetMs(settings.timeoutMs, waited.endedAt - waited.startedAt)
  const failures = settings.inputFile ? new FailureIndex() : undefined
  const collected = await collectWithin(settings, deps, ms, waited.results, failures)
  const cost = await priceResults(deps, settings.batchIds, collected, settings.policy.batchDiscount)
  deps.setOutputs(buildOutputs(waited, collected, cost))
  return { collected, cost, ...(failures ? { failures } : {}) }
}

/**
 * Downloads and counts the result files of `results` within `ms`, into `download-dir` or the
 * runner's temp directory; `failures` records the failed requests by `custom_id`.
 */
export function collectWithin(
  settings: Pick<Settings, 'downloadDir' | 'resultsDir'>,
  deps: RunContext,
  ms: number,
  results: readonly BatchResult[],
  failures?: FailureIndex
): Promise<Map<string, BatchFiles>> {
  const budget = { ms, signal: deps.timeoutSignal(ms) }
  const signal = AbortSignal.any([deps.signal, budget.signal])
  const dir = settings.downloadDir
    ? { path: settings.downloadDir, label: `download-dir '${settings.downloadDir}'` }
    : { path: settings.resultsDir, label: "the runner's temp directory" }
  return collectResults({ ...deps, signal, budget, failures }, results, dir)
}

/**
 * Prices the tokens of every batch whose results were asked for (`collected`): one `GET /v1/models`
 * for the whole step, and only when some line reported tokens. Warns once when the estimate stays
 * empty, saying why.
 */
export async function priceResults(
  deps: PriceDeps,
  batchIds: readonly string[],
  collected: ReadonlyMap<string, BatchFiles>,
  discountPercent: number | undefined
): Promise<CostReport> {
  const usages = new Map<string, BatchUsage>()
  for (const id of batchIds) {
    const files = collected.get(id)
    if (!files) continue
    const lines = files.tally?.codes.get(UNREADABLE_LINE)?.count ?? 0
    if (!files.usage) usages.set(id, { usage: emptyUsage(), incomplete: 'unread' })
    else usages.set(id, { usage: files.usage, ...(lines > 0 ? { incomplete: { unreadLines: lines } } : {}) })
  }
  const merged = mergeUsage([...usages.values()].map(u => u.usage))
  const list = { discountPercent, ...(hasTokens(merged) ? await fetchPrices(deps) : {}) }
  const report = foldCosts(list, usages)
  const why = whyNoEstimate(report.total, list)
  if (why !== undefined) deps.log.warning(`No cost estimate: ${why}.`)
  else if (report.total.cost !== undefined && hasTokens(merged)) {
    deps.log.info(`Estimated cost: $${formatCost(report.total.cost)} (${report.total.usage.totalTokens} tokens).`)
  }
  return report
}

/**
 * Finds the failed requests on the lines of `input-file` and turns them into annotations: one per
 * error code, as many as GitHub shows in a step, less one when the step fails so that the verdict's
 * own annotation is never the one dropped.
 */
async function locateFailures(
  failures: FailureIndex,
  inputFile: InputFile,
  all: WaitReport,
  collected: ReadonlyMap<string, BatchFiles>,
  verdict: Verdict,
  deps: Pick<Effects, 'log' | 'signal'>
): Promise<LineReport> {
  const match = await matchInputFile(failures, inputFile, deps.signal)
  if (match.error !== undefined) {
    deps.log.warning(`Could not read input-file '${inputFile.name}' to annotate failed requests: ${match.error}`)
  } else if (match.notInFile > 0) {
    deps.log.warning(
      `${plural(match.notInFile, 'failed request has', 'failed requests have')} a custom_id that is not in input-file '${inputFile.name}'.`
    )
  }
  const tallies = [...collected.values()].map(f => f.tally).filter((t): t is Tally => t !== undefined)
  const examples = new Map([...mergeTallies(tallies).codes].map(([code, { example }]) => [code, example]))
  const budget = verdict.ok ? MAX_ANNOTATIONS : MAX_ANNOTATIONS - 1
  return { match, ...groupAnnotations(match, examples, budget, all.results.length > 1) }
}
