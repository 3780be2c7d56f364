import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import type { Logger } from './engine/types.js'
import type { Annotation } from './result-files/annotations.js'
import { createCommitStatus, type SetStatus } from './github/commit-status.js'
import { escapeText } from './report/escape.js'
import { buildFailureSummary } from './report/summary.js'
import { runStep } from './orchestrate/step.js'
import { createRedactor } from './sanitize/redact.js'
import { sanitizeLine } from './sanitize/sanitize.js'
import { parseSettings, type Settings } from './settings.js'
import { TogetherClient, type BatchApi, type FilesApi, type ModelsApi } from './together/index.js'
import { errorMessage } from './util/text.js'
import { USER_AGENT } from './version.js'

/** The side effects `run()` uses; tests replace them to run in virtual time. */
export interface Runtime {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  createApi(settings: Settings): BatchApi & FilesApi & ModelsApi & { close?(): Promise<void> }
  /** Sets commit statuses on the workflow's commit; called only when `commit-status` is set. */
  createStatus(settings: Settings, signal: AbortSignal): Promise<SetStatus>
}

/** Node's timers hold at most 2^31-1 ms; longer sleeps are taken in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** After the runner's first signal, give up on clean-up after this long: SIGTERM follows at 7.5 s. */
const ABORT_GRACE_MS = 6000
/** Closing the HTTP connections may wait on a request that never ends: not longer than this. */
const CLOSE_TIMEOUT_MS = 2000

async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + ms
  try {
    for (let left = ms; left > 0 && !signal?.aborted; left = until - Date.now()) {
      await delay(Math.min(left, MAX_TIMER_MS), undefined, { signal })
    }
  } catch {
    // Aborted: the caller looks at the signal itself.
  }
}

const defaultRuntime: Runtime = {
  now: () => Date.now(),
  sleep: realSleep,
  random: Math.random,
  createStatus: (settings, signal) =>
    createCommitStatus(settings.github, settings.githubToken, settings.commitStatus, signal),
  createApi: settings =>
    new TogetherClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      userAgent: USER_AGENT,
      requestTimeoutMs: 30_000
    })
}

/** Everything that leaves the process goes through here: secrets out first, then one safe line. */
interface Egress {
  redact(text: string): string
  log: Logger & { error(message: string, title?: string): void; annotate(annotation: Annotation): void }
}

function egress(secrets: string[]): Egress {
  const redact = createRedactor(secrets, [escapeText])
  const line = (message: string): string => sanitizeLine(redact(message))
  return {
    redact,
    log: {
      info: message => core.info(line(message)),
      debug: message => core.debug(line(message)),
      warning: message => core.warning(line(message)),
      error: (message, title) => core.error(line(message), title ? { title: line(title) } : {}),
      annotate: ({ file, line: startLine, title, message }) =>
        core.error(line(message), { file, startLine, title: line(title) })
    }
  }
}

/**
 * No verdict is a failure. The exit code is 1 until a pass is decided; a drained event loop (a promise
 * nobody settles), an unhandled rejection or an uncaught exception each end the step with a message.
 */
function guardVerdict(): { settle(): void } {
  process.exitCode = core.ExitCode.Failure
  let settled = false
  const onBeforeExit = (): void => {
    if (settled) return
    settled = true
    core.setFailed(
      'The action stopped before reaching a verdict (a request or step never finished). This is a bug: please report it with the job log.'
    )
  }
  process.on('beforeExit', onBeforeExit)
  return {
    settle: () => {
      settled = true
      process.off('beforeExit', onBeforeExit)
    }
  }
}

let crashGuardInstalled = false
function guardCrashes(): void {
  if (crashGuardInstalled) return
  crashGuardInstalled = true
  const crash = (error: unknown): void => {
    core.setFailed(`Unexpected error: ${sanitizeLine(errorMessage(error))}. This is a bug: please report it.`)
    process.exit(core.ExitCode.Failure)
  }
  process.on('unhandledRejection', crash)
  process.on('uncaughtException', crash)
}

/**
 * The action's shell: the one place that touches @actions/core. Reads the settings, wires the real
 * effects, runs the step, applies its verdict, and writes the summary; everything thrown, Error or
 * not, ends in the one error boundary below.
 */
export async function run(overrides: Partial<Runtime> = {}): Promise<void> {
  const runtime = { ...defaultRuntime, ...overrides }
  const verdictGuard = guardVerdict()
  guardCrashes()
  const abort = new AbortController()
  let out = egress([])
  let summary: string | undefined
  let api: ReturnType<Runtime['createApi']> | undefined
  let summaryAvailable = Boolean(process.env.GITHUB_STEP_SUMMARY)
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return
    out.log.info(`Received ${signal}: stopping the wait.`)
    abort.abort()
    setTimeout(() => {
      core.setFailed(`The wait was cancelled (${signal}) and clean-up did not finish within ${ABORT_GRACE_MS / 1000}s.`)
      process.exit(core.ExitCode.Failure)
    }, ABORT_GRACE_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const settings = parseSettings(name => core.getInput(name), process.env)
    summaryAvailable = settings.summaryAvailable
    core.setSecret(settings.apiKey)
    if (settings.githubToken) core.setSecret(settings.githubToken)
    out = egress([settings.apiKey, settings.githubToken])
    out.log.debug(
      `Settings: ${JSON.stringify({ ...settings, apiKey: '***', githubToken: '***', failOn: [...settings.failOn] })}`
    )
    api = runtime.createApi(settings)
    const statusFailed = (error: unknown): void =>
      out.log.warning(`Could not set the commit status: ${errorMessage(error)}`)
    const setter = settings.commitStatus
      ? await runtime.createStatus(settings, abort.signal).catch((error: unknown) => void statusFailed(error))
      : undefined
    const setStatus: SetStatus | undefined = setter
      ? (state, description) => setter(state, out.redact(description)).catch(statusFailed)
      : undefined
    const outcome = await runStep(settings, {
      api,
      now: runtime.now,
      sleep: runtime.sleep,
      random: runtime.random,
      log: out.log,
      signal: abort.signal,
      setStatus,
      setOutputs: outputs => {
        for (const [name, value] of Object.entries(outputs)) core.setOutput(name, out.redact(value))
      }
    })
    summary = outcome.summary
    if (outcome.verdict.ok) {
      out.log.info(outcome.verdict.message)
      process.exitCode = core.ExitCode.Success
    } else {
      out.log.error(outcome.verdict.message, outcome.title)
      process.exitCode = core.ExitCode.Failure
    }
    for (const annotation of outcome.annotations) out.log.annotate(annotation)
  } catch (error) {
    const message = out.redact(errorMessage(error))
    core.setFailed(sanitizeLine(message))
    summary = buildFailureSummary(message)
  } finally {
    verdictGuard.settle()
    if (summary !== undefined) await writeSummary(out, summary, summaryAvailable)
    await closeQuietly(api)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function writeSummary(out: Egress, markdown: string, available: boolean): Promise<void> {
  try {
    await core.summary.addRaw(out.redact(markdown)).write({ overwrite: false })
  } catch (error) {
    const message = `Could not write the step summary: ${errorMessage(error)}`
    if (available) out.log.warning(message)
    else out.log.debug(message)
  }
}

async function closeQuietly(api: { close?(): Promise<void> } | undefined): Promise<void> {
  if (!api?.close) return
  const timer = delay(CLOSE_TIMEOUT_MS, undefined, { ref: false })
  await Promise.race([api.close().catch(() => undefined), timer])
}
