import { waitForBatches } from '../engine/wait.js'
import type { WaitReport } from '../engine/types.js'
import type { StatusState } from '../github/commit-status.js'
import type { GitHub } from '../github/service.js'
import { pendingDescription, statusHeadline } from '../report/headline.js'
import { buildOutputs, verdictOutputs } from '../report/outputs.js'
import { buildSummary } from '../report/summary.js'
import { commentRows } from '../report/pr-comment-rows.js'
import type { Annotation } from '../result-files/annotations.js'
import { collectResults, type BatchFiles, type ResultsDir } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import { FailureIndex } from '../result-files/failures.js'
import type { Settings } from '../settings.js'
import { judgeBatch, judgeStep } from '../verdict/judge-batch.js'
import { needsResults } from '../verdict/policy.js'
import type { Verdict } from '../verdict/verdict.js'
import { priceResults } from './costs.js'
import { locateFailures } from './lines.js'
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

/** What another mode adds to the step (see track.ts). */
export interface StepHooks {
  /** Runs right after the wait and its outputs; what it throws fails the step. */
  afterWait?(waited: WaitReport): Promise<void>
  /** The final commit status, when it is not plain success or failure. */
  finalStatus?(verdict: Verdict, waited: WaitReport): [StatusState, string] | undefined
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
  const [state, description] = hooks.finalStatus?.(verdict, waited) ?? [
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
  const dir = resultsDir(settings)
  const ms = resultsBudgetMs(settings.timeoutMs, waited.endedAt - waited.startedAt)
  const budget = { ms, signal: deps.timeoutSignal(ms) }
  const signal = AbortSignal.any([deps.signal, budget.signal])
  const failures = settings.inputFile ? new FailureIndex() : undefined
  const collected = await collectResults({ ...deps, signal, budget, failures }, waited.results, dir)
  const cost = await priceResults(deps, settings.batchIds, collected, settings.policy.batchDiscount)
  deps.setOutputs(buildOutputs(waited, collected, cost))
  return { collected, cost, ...(failures ? { failures } : {}) }
}

/** Where result files go: `download-dir`, or the runner's temp directory. */
export const resultsDir = (settings: Pick<Settings, 'downloadDir' | 'resultsDir'>): ResultsDir =>
  settings.downloadDir
    ? { path: settings.downloadDir, label: `download-dir '${settings.downloadDir}'` }
    : { path: settings.resultsDir, label: "the runner's temp directory" }
