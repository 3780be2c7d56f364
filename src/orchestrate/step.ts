import { waitForBatches } from '../engine/wait.js'
import type { WaitAllResult } from '../engine/types.js'
import type { StatusState } from '../github/commit-status.js'
import type { GitHub } from '../github/service.js'
import { finalDescription, pendingDescription } from '../report/commit-status-text.js'
import { buildOutputs, verdictOutputs } from '../report/outputs.js'
import { buildSummary } from '../report/summary.js'
import type { LineReport } from '../report/failed-lines.js'
import { commentRows } from '../report/pr-comment-rows.js'
import type { Annotation } from '../result-files/annotations.js'
import { collectResults, type BatchFiles } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import { judgeCost } from '../verdict/cost.js'
import { FailureIndex } from '../result-files/failures.js'
import type { Settings } from '../settings.js'
import { combine, judgeAll, judgeResults, type Verdict } from '../verdict/verdict.js'
import { estimateCosts } from './costs.js'
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
  afterWait?(waited: WaitAllResult): Promise<void>
  /** The final commit status, when it is not plain success or failure. */
  finalStatus?(verdict: Verdict, waited: WaitAllResult): [StatusState, string] | undefined
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
  const waited: WaitAllResult = await waitForBatches(deps, settings)
  // `passed` stays false until the verdict is in: a step killed before it never reads as passed.
  deps.setOutputs({ ...buildOutputs(waited), passed: 'false' })
  await hooks.afterWait?.(waited)
  let verdict = judgeAll(waited, settings.failOn)

  let collected: Map<string, BatchFiles> | undefined
  let cost: CostReport | undefined
  let lines: LineReport | undefined
  const { maxFailedRequests, batchDiscount, maxCost, inputFile } = settings
  const wantFiles =
    settings.downloadDir !== '' || [maxFailedRequests, batchDiscount, maxCost, inputFile].some(v => v !== undefined)
  if (wantFiles && !deps.signal.aborted) {
    const dir = settings.downloadDir
      ? { path: settings.downloadDir, label: `download-dir '${settings.downloadDir}'` }
      : { path: settings.resultsDir, label: "the runner's temp directory" }
    const ms = resultsBudgetMs(settings.timeoutMs, waited.endedAt - waited.startedAt)
    const budget = { ms, signal: deps.timeoutSignal(ms) }
    const signal = AbortSignal.any([deps.signal, budget.signal])
    const failures = inputFile ? new FailureIndex() : undefined
    collected = await collectResults({ ...deps, files: deps.api, signal, budget, failures }, waited.results, dir)
    cost = await estimateCosts(deps, waited, collected, batchDiscount)
    deps.setOutputs(buildOutputs(waited, collected, cost))
    verdict = combine(verdict, judgeResults(waited, collected, maxFailedRequests))
    verdict = combine(verdict, judgeCost(cost, maxCost))
    if (failures && inputFile) lines = await locateFailures(failures, inputFile, waited, collected, verdict, deps)
  }

  deps.setOutputs(verdictOutputs(buildOutputs(waited).status ?? '', verdict.ok))
  await pending
  const [state, description] = hooks.finalStatus?.(verdict, waited) ?? [
    verdict.ok ? 'success' : 'failure',
    finalDescription(waited, verdict, collected)
  ]
  await github?.status(state, description)
  await github?.comment(commentRows(waited, settings.failOn, collected, maxFailedRequests))
  const ids = settings.batchIds
  return {
    verdict,
    title: ids.length === 1 ? `Together batch ${ids[0]!}` : 'Together batches',
    summary: buildSummary(waited, verdict, collected, { cost, lines }),
    annotations: lines?.annotations ?? []
  }
}
