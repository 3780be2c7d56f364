import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import { waitForBatches } from './engine/wait.js'
import type { WaitAllResult } from './engine/types.js'
import { buildOutputs } from './report/outputs.js'
import { buildFailureSummary, buildSummary } from './report/summary.js'
import { judgeAll, type Verdict } from './report/verdict.js'
import { parseSettings, type Settings } from './settings.js'
import { TogetherClient, type BatchApi } from './together/index.js'
import { USER_AGENT } from './version.js'

/** The side effects `run()` uses; tests replace them to run in virtual time. */
export interface Runtime {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  createApi(settings: Settings): BatchApi & { close?(): Promise<void> }
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

async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write({ overwrite: false })
  } catch (error) {
    const log = process.env.GITHUB_STEP_SUMMARY ? core.warning : core.debug
    log(`Could not write the step summary: ${errorMessage(error)}`)
  }
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
  try {
    const settings = parseSettings(name => core.getInput(name), process.env)
    core.setSecret(settings.apiKey)
    core.debug(`Settings: ${JSON.stringify({ ...settings, apiKey: '***', failOn: [...settings.failOn] })}`)
    api = runtime.createApi(settings)
    result = await waitForBatches(
      {
        api,
        now: runtime.now,
        sleep: runtime.sleep,
        random: runtime.random,
        log: { info: core.info, warning: core.warning, debug: core.debug },
        signal: abort.signal
      },
      settings
    )
    for (const [name, value] of Object.entries(buildOutputs(result))) core.setOutput(name, value)
    verdict = judgeAll(result, settings.failOn)
    if (verdict.ok) core.info(verdict.message)
    else {
      const [only, ...more] = settings.batchIds
      core.error(verdict.message, { title: more.length === 0 ? `Together batch ${only}` : 'Together batches' })
      process.exitCode = core.ExitCode.Failure
    }
  } catch (error) {
    failure = errorMessage(error)
    core.setFailed(failure)
  } finally {
    if (result && verdict) await writeSummary(buildSummary(result, verdict))
    else if (failure) await writeSummary(buildFailureSummary(failure))
    await api?.close?.().catch(() => undefined)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
