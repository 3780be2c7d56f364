import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import {
  closeQuietly,
  ExitCode,
  guardCrashes,
  guardVerdict,
  listenForCancel,
  type LastWords
} from './action-io/guards.js'
import { redactingOutput, writeSummary, type RedactingOutput } from './action-io/redacting-output.js'
import { createGitHubClient } from './github/octokit.js'
import { connectGitHub, type GitHub } from './github/service.js'
import { buildFailureSummary } from './report/summary.js'
import type { RunContext, SubmitRunContext } from './orchestrate/run-context.js'
import { runMode } from './orchestrate/run-mode.js'
import type { StepOutcome } from './orchestrate/step.js'
import { sanitizeLine } from './sanitize/sanitize.js'
import { parseSettings, type Settings } from './settings.js'
import { DEFAULT_CONNECTIONS } from './together/proxy.js'
import { TogetherClient } from './together/client.js'
import { errorMessage } from './util/text.js'
import { MAX_TIMER_MS } from './util/timer.js'
import { USER_AGENT } from './version.js'

/** The side effects `run()` uses; tests replace them to run in virtual time. */
export interface Runtime extends Pick<RunContext, 'now' | 'sleep' | 'random'> {
  createApi(settings: Settings): SubmitRunContext['api'] & { close?(): Promise<void> }
  /** The run's one GitHub client, made only when a GitHub feature is on (see github/service.ts). */
  createGitHubClient: typeof createGitHubClient
}

/**
 * Keep-alive connections to Together at most, however many batches: every cancel of up to this many
 * batches goes out at once on abort. The pacer keeps status checks to a few connections.
 */
const MAX_CONNECTIONS = 256

/** Node's timers hold at most `MAX_TIMER_MS`: a longer sleep is taken in chunks. */
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
  createGitHubClient,
  createApi: settings =>
    new TogetherClient({
      apiKey: settings.apiKey,
      // Server text is cut for log lines and the summary long before the output redacts it: every
      // secret leaves an answer as it is read, so no cut can leave part of one.
      secrets: [settings.githubToken],
      baseUrl: settings.baseUrl,
      userAgent: USER_AGENT,
      requestTimeoutMs: 30_000,
      proxy: settings.proxy,
      // One connection per batch (within reason), so that every cancel goes out at once on abort.
      connections: Math.min(MAX_CONNECTIONS, Math.max(DEFAULT_CONNECTIONS, settings.batchIds.length))
    })
}

/**
 * The action's entry: with action-io/, the one place that touches @actions/core. Reads the settings,
 * wires the real effects (the run context, and the GitHub service when a feature needs GitHub), runs
 * the step, applies its verdict, and writes the summary; everything thrown, Error or not, ends in the
 * one error boundary below.
 */
export async function run(overrides: Partial<Runtime> = {}): Promise<void> {
  const runtime = { ...defaultRuntime, ...overrides }
  const verdictGuard = guardVerdict()
  const crashGuard = guardCrashes()
  const abort = new AbortController()
  let out = redactingOutput([])
  let summary: string | undefined
  let api: ReturnType<Runtime['createApi']> | undefined
  let github: GitHub | undefined
  let words: LastWords | undefined
  // Known once the settings are read; before that, a summary that cannot be written is only a debug line.
  let summaryAvailable = false
  const stopListening = listenForCancel(abort, message => out.log.info(message))
  try {
    const settings = parseSettings(name => core.getInput(name), process.env)
    summaryAvailable = settings.summaryAvailable
    out = guardSecrets(settings)
    words = crashGuard.lastWords(out, summaryAvailable)
    api = runtime.createApi(settings)
    const context: SubmitRunContext = {
      api,
      now: runtime.now,
      sleep: runtime.sleep,
      random: runtime.random,
      log: out.log,
      signal: abort.signal,
      redact: text => out.redact(text),
      timeoutSignal: ms => AbortSignal.timeout(ms),
      setOutputs: outputs => {
        for (const [name, value] of Object.entries(outputs)) core.setOutput(name, out.redact(value))
      }
    }
    github = words.guard(await connectGitHub(settings, context, runtime.createGitHubClient))
    const outcome = await runMode(settings, context, github)
    summary = outcome.summary
    decide(outcome, out)
  } catch (error) {
    const message = out.redact(errorMessage(error))
    core.setFailed(sanitizeLine(message))
    summary = buildFailureSummary(message)
    // A status left pending would block a protected branch: say the check itself broke.
    await github?.status('error', sanitizeLine(message))
  } finally {
    verdictGuard.settle()
    if (summary !== undefined && !words?.crashed) await writeSummary(out, summary, summaryAvailable)
    await closeQuietly(api)
    stopListening()
  }
}

/** Masks the secrets in the runner's log and returns the output that redacts them everywhere else. */
function guardSecrets(settings: Settings): RedactingOutput {
  // No key only when if-no-api-key: skip ends the step; the runner warns about an empty mask.
  if (settings.apiKey) core.setSecret(settings.apiKey)
  if (settings.githubToken) core.setSecret(settings.githubToken)
  const out = redactingOutput([settings.apiKey, settings.githubToken])
  const shown = {
    ...settings,
    apiKey: '***',
    githubToken: '***',
    policy: { ...settings.policy, failOn: [...settings.policy.failOn] },
    proxy: '(see env)'
  }
  out.log.debug(`Settings: ${JSON.stringify(shown)}`)
  return out
}

/** Applies the verdict: the one line that says why, the exit code, then the annotations. */
function decide(outcome: StepOutcome, out: RedactingOutput): void {
  if (outcome.verdict.ok) {
    out.log.info(outcome.verdict.message)
    process.exitCode = ExitCode.Success
  } else {
    out.log.error(outcome.verdict.message, outcome.title)
    process.exitCode = ExitCode.Failure
  }
  for (const annotation of outcome.annotations) out.log.annotate(annotation)
}
