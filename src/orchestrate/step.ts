import { waitForBatches } from '../engine/wait.js'
import type { EngineDeps, Logger, WaitAllResult } from '../engine/types.js'
import type { SetStatus } from '../github/commit-status.js'
import { finalDescription, pendingDescription } from '../report/commit-status-text.js'
import { buildOutputs } from '../report/outputs.js'
import { buildSummary } from '../report/summary.js'
import { collectResults, type BatchFiles } from '../result-files/collect.js'
import type { Settings } from '../settings.js'
import type { BatchApi, FilesApi } from '../together/index.js'
import { combine, judgeAll, judgeResults, type Verdict } from '../verdict/verdict.js'

/** What the step needs from the outside world; the shell in main.ts provides it. */
export interface StepDeps extends Omit<EngineDeps, 'api' | 'signal'> {
  api: BatchApi & FilesApi
  log: Logger
  signal: AbortSignal
  /** Applied at once: the outputs are set before any optional work that could fail or be killed. */
  setOutputs(outputs: Record<string, string>): void
  /** Sets the commit status, when one is asked for; never throws (a failure is the shell's warning). */
  setStatus?: SetStatus
  /** A signal that aborts after `ms` (AbortSignal.timeout in the shell; tests control it). */
  timeoutSignal(ms: number): AbortSignal
}

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
}

/**
 * The whole step once the settings are known: commit status pending, wait, outputs, result files,
 * verdict, final commit status. It decides and returns; it never touches @actions/core.
 */
export async function runStep(settings: Settings, deps: StepDeps): Promise<StepOutcome> {
  // Not awaited before the wait: a slow GitHub API must never delay the first status check.
  const pending = deps.setStatus?.('pending', pendingDescription(settings.batchIds))
  const waited: WaitAllResult = await waitForBatches(deps, settings)
  deps.setOutputs(buildOutputs(waited))
  let verdict = judgeAll(waited, settings.failOn)

  let collected: Map<string, BatchFiles> | undefined
  const wantFiles = settings.downloadDir !== '' || settings.maxFailedRequests !== undefined
  if (wantFiles && !deps.signal.aborted) {
    const dir = settings.downloadDir
      ? { path: settings.downloadDir, label: `download-dir '${settings.downloadDir}'` }
      : { path: settings.resultsDir, label: "the runner's temp directory" }
    const ms = resultsBudgetMs(settings.timeoutMs, waited.endedAt - waited.startedAt)
    const budget = { ms, signal: deps.timeoutSignal(ms) }
    const signal = AbortSignal.any([deps.signal, budget.signal])
    collected = await collectResults({ ...deps, files: deps.api, signal, budget }, waited.results, dir)
    deps.setOutputs(buildOutputs(waited, collected))
    verdict = combine(verdict, judgeResults(waited, collected, settings.maxFailedRequests))
  }

  await pending
  await deps.setStatus?.(verdict.ok ? 'success' : 'failure', finalDescription(waited, verdict, collected))
  const ids = settings.batchIds
  return {
    verdict,
    title: ids.length === 1 ? `Together batch ${ids[0]!}` : 'Together batches',
    summary: buildSummary(waited, verdict, collected)
  }
}
