import * as core from '@actions/core'
import { context, getOctokit } from '@actions/github'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { waitForBatches } from './engine/wait.js'
import type { WaitAllResult } from './engine/types.js'
import { buildOutputs } from './report/outputs.js'
import { buildFailureSummary, buildSummary } from './report/summary.js'
import { combine, judgeAll, judgeResults, type Verdict } from './verdict/verdict.js'
import { collectResults, type BatchFiles, type CollectDeps } from './result-files/collect.js'
import { finalDescription, pendingDescription, type SetStatus } from './report/commit-status-text.js'
import { parseSettings, type Settings } from './settings.js'
import { TogetherClient, type BatchApi, type FilesApi } from './together/index.js'
import { USER_AGENT } from './version.js'

/** The side effects `run()` uses; tests replace them to run in virtual time. */
export interface Runtime {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  createApi(settings: Settings): BatchApi & FilesApi & { close?(): Promise<void> }
  /** Sets commit statuses on the workflow's commit; called only when `commit-status` is set. */
  createStatus(settings: Settings): Promise<SetStatus>
}

/** Commit statuses through @actions/github (GITHUB_API_URL, so GitHub Enterprise works too). */
async function githubStatus(settings: Settings): Promise<SetStatus> {
  const octokit = getOctokit(settings.githubToken)
  const { owner, repo } = context.repo
  const pr = context.payload.pull_request as { head?: { sha?: string } } | undefined
  const sha = pr?.head?.sha ?? context.sha
  const targetUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`
  return async (state, description) => {
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha,
      state,
      context: settings.commitStatus,
      description,
      target_url: targetUrl
    })
  }
}

async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal })
  } catch {
    // Aborted: the engine looks at the signal itself.
  }
}

const defaultRuntime: Runtime = {
  now: () => Date.now(),
  sleep: realSleep,
  random: Math.random,
  createStatus: githubStatus,
  createApi: settings =>
    new TogetherClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      userAgent: USER_AGENT,
      requestTimeoutMs: 30_000
    })
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : `unexpected ${JSON.stringify(error) ?? String(error)}`
}

/** A commit status that cannot be set is worth a warning, never the step's outcome. */
function statusFailed(error: unknown): undefined {
  core.warning(`Could not set the commit status: ${errorMessage(error)}`)
  return undefined
}

async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write({ overwrite: false })
  } catch (error) {
    const log = process.env.GITHUB_STEP_SUMMARY ? core.warning : core.debug
    log(`Could not write the step summary: ${errorMessage(error)}`)
  }
}

/** Downloads and counts the result files when `download-dir` or `max-failed-requests` asks for them. */
async function fetchResults(
  settings: Settings,
  result: WaitAllResult,
  deps: CollectDeps
): Promise<Map<string, BatchFiles> | undefined> {
  if (!settings.downloadDir && !settings.maxFailedRequests) return undefined
  const dir = settings.downloadDir || join(process.env.RUNNER_TEMP || tmpdir(), 'together-batch-results')
  return collectResults(deps, result.results, dir)
}

/**
 * The action: the one place that touches @actions/core. Reads the inputs, waits, sets the outputs,
 * writes the summary and decides the step's outcome; everything thrown, Error or not, ends here.
 */
export async function run(overrides: Partial<Runtime> = {}): Promise<void> {
  const runtime = { ...defaultRuntime, ...overrides }
  const abort = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return
    core.info(`Received ${signal}: stopping the wait.`)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let api: ReturnType<Runtime['createApi']> | undefined
  let result: WaitAllResult | undefined
  let verdict: Verdict | undefined
  let failure: string | undefined
  let collected: Map<string, BatchFiles> | undefined
  let setStatus: SetStatus | undefined
  try {
    const settings = parseSettings(name => core.getInput(name), process.env)
    core.setSecret(settings.apiKey)
    if (settings.githubToken) core.setSecret(settings.githubToken)
    core.debug(
      `Settings: ${JSON.stringify({ ...settings, apiKey: '***', githubToken: '***', failOn: [...settings.failOn] })}`
    )
    api = runtime.createApi(settings)
    const log = { info: core.info, warning: core.warning, debug: core.debug }
    setStatus = settings.commitStatus ? await runtime.createStatus(settings).catch(statusFailed) : undefined
    await setStatus?.('pending', pendingDescription(settings.batchIds)).catch(statusFailed)
    result = await waitForBatches(
      { api, now: runtime.now, sleep: runtime.sleep, random: runtime.random, log, signal: abort.signal },
      settings
    )
    if (!abort.signal.aborted)
      collected = await fetchResults(settings, result, { files: api, ...runtime, log, signal: abort.signal })
    for (const [name, value] of Object.entries(buildOutputs(result, collected))) core.setOutput(name, value)
    verdict = judgeAll(result, settings.failOn)
    if (collected) verdict = combine(verdict, judgeResults(result, collected, settings.maxFailedRequests))
    await setStatus?.(verdict.ok ? 'success' : 'failure', finalDescription(result, verdict, collected)).catch(
      statusFailed
    )
    if (verdict.ok) core.info(verdict.message)
    else {
      const [only, ...more] = settings.batchIds
      core.error(verdict.message, { title: more.length === 0 ? `Together batch ${only}` : 'Together batches' })
      process.exitCode = core.ExitCode.Failure
    }
  } catch (error) {
    failure = errorMessage(error)
    core.setFailed(failure)
    await setStatus?.('error', failure.slice(0, 140)).catch(statusFailed)
  } finally {
    if (result && verdict) await writeSummary(buildSummary(result, verdict, collected))
    else if (failure) await writeSummary(buildFailureSummary(failure))
    await api?.close?.().catch(() => undefined)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
