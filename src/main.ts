import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import { createCommitStatus, type SetStatus } from './github/commit-status.js'
import { buildFailureSummary } from './report/summary.js'
import { runMode, type LedgerDeps } from './orchestrate/dispatch.js'
import type { StepOutcome } from './orchestrate/step.js'
import { sanitizeLine } from './sanitize/sanitize.js'
import { parseSettings, type Settings } from './settings.js'
import { egress, writeSummary, type Egress } from './shell/egress.js'
import { ledgerDeps, stepComment } from './shell/github.js'
import { closeQuietly, listenForCancel } from './shell/cancel.js'
import { guardCrashes, guardVerdict } from './shell/guards.js'
import { lastWords, type LastWords } from './shell/last-words.js'
import { DEFAULT_CONNECTIONS, TogetherClient, type BatchApi, type FilesApi, type ModelsApi } from './together/index.js'
import { errorMessage } from './util/text.js'
import { USER_AGENT } from './version.js'
import { ExitCode } from './shell/exit-code.js'

/** The side effects `run()` uses; tests replace them to run in virtual time. */
export interface Runtime {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  createApi(settings: Settings): BatchApi & FilesApi & ModelsApi & { close?(): Promise<void> }
  /** Sets commit statuses on the workflow's commit; called only when `commit-status` is set. */
  createStatus(settings: Settings, signal: AbortSignal, redact: Redact): Promise<SetStatus>
  /** The ledger and the GitHub calls of modes `track` and `report`. */
  createLedger(settings: Settings, signal: AbortSignal, redact: Redact): Promise<LedgerDeps>
}

/** Applied by the GitHub client to everything it sends: descriptions and comments quote server text. */
type Redact = (text: string) => string

/**
 * Keep-alive connections to Together at most, however many batches: every cancel of up to this many
 * batches goes out at once on abort. The pacer keeps status checks to a few connections.
 */
const MAX_CONNECTIONS = 256
/** Node's timers hold at most 2^31-1 ms; longer sleeps are taken in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1

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
  createStatus: (settings, signal, redact) =>
    createCommitStatus(settings.github, settings.githubToken, settings.commitStatus, signal, { redact }),
  createLedger: ledgerDeps,
  createApi: settings =>
    new TogetherClient({
      apiKey: settings.apiKey,
      // Server text is cut for log lines and the summary long before the egress redacts them: every
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
 * The action's shell: the one place that touches @actions/core. Reads the settings, wires the real
 * effects, runs the step, applies its verdict, and writes the summary; everything thrown, Error or
 * not, ends in the one error boundary below.
 */
export async function run(overrides: Partial<Runtime> = {}): Promise<void> {
  const runtime = { ...defaultRuntime, ...overrides }
  const verdictGuard = guardVerdict()
  const crashGuard = guardCrashes()
  const abort = new AbortController()
  let out = egress([])
  let summary: string | undefined
  let api: ReturnType<Runtime['createApi']> | undefined
  let setStatus: SetStatus | undefined
  let words: LastWords | undefined
  // Known once the settings are read; before that, a summary that cannot be written is only a debug line.
  let summaryAvailable = false
  const stopListening = listenForCancel(abort, message => out.log.info(message))
  try {
    const settings = parseSettings(name => core.getInput(name), process.env)
    summaryAvailable = settings.summaryAvailable
    out = guardSecrets(settings)
    words = lastWords(crashGuard, out, summaryAvailable)
    api = runtime.createApi(settings)
    setStatus = words.guard(await commitStatus(settings, runtime, out, abort.signal))
    const comment = await stepComment(settings, abort.signal, out.log, text => out.redact(text))
    const ledger = (): Promise<LedgerDeps> => runtime.createLedger(settings, abort.signal, text => out.redact(text))
    const outcome = await runMode(
      settings,
      {
        api,
        now: runtime.now,
        sleep: runtime.sleep,
        random: runtime.random,
        log: out.log,
        signal: abort.signal,
        setStatus,
        comment,
        timeoutSignal: ms => AbortSignal.timeout(ms),
        redact: text => out.redact(text),
        setOutputs: outputs => {
          for (const [name, value] of Object.entries(outputs)) core.setOutput(name, out.redact(value))
        }
      },
      ledger
    )
    summary = outcome.summary
    decide(outcome, out)
  } catch (error) {
    const message = out.redact(errorMessage(error))
    core.setFailed(sanitizeLine(message))
    summary = buildFailureSummary(message)
    // A status left pending would block a protected branch: say the check itself broke.
    await setStatus?.('error', sanitizeLine(message))
  } finally {
    verdictGuard.settle()
    if (summary !== undefined && !words?.crashed) await writeSummary(out, summary, summaryAvailable)
    await closeQuietly(api)
    stopListening()
  }
}

/** The commit status setter, when `commit-status` asks for one; a failure is a warning. */
async function commitStatus(
  settings: Settings,
  runtime: Runtime,
  out: Egress,
  signal: AbortSignal
): Promise<SetStatus | undefined> {
  // In mode report, each batch's status goes to the commit that tracked it (see orchestrate/report.ts).
  if (!settings.commitStatus || settings.mode === 'report') return undefined
  const failed = (error: unknown): void => out.log.warning(`Could not set the commit status: ${errorMessage(error)}`)
  const setter = await runtime
    .createStatus(settings, signal, text => out.redact(text))
    .catch((error: unknown) => {
      failed(error)
      return undefined
    })
  return setter && ((state, description) => setter(state, description).catch(failed))
}

/** Masks the secrets in the runner's log and returns the egress that redacts them everywhere else. */
function guardSecrets(settings: Settings): Egress {
  // No key only when if-no-api-key: skip ends the step; the runner warns about an empty mask.
  if (settings.apiKey) core.setSecret(settings.apiKey)
  if (settings.githubToken) core.setSecret(settings.githubToken)
  const out = egress([settings.apiKey, settings.githubToken])
  const shown = { ...settings, apiKey: '***', githubToken: '***', failOn: [...settings.failOn], proxy: '(see env)' }
  out.log.debug(`Settings: ${JSON.stringify(shown)}`)
  return out
}

/** Applies the verdict: the one line that says why, the exit code, then the annotations. */
function decide(outcome: StepOutcome, out: Egress): void {
  if (outcome.verdict.ok) {
    out.log.info(outcome.verdict.message)
    process.exitCode = ExitCode.Success
  } else {
    out.log.error(outcome.verdict.message, outcome.title)
    process.exitCode = ExitCode.Failure
  }
  for (const annotation of outcome.annotations) out.log.annotate(annotation)
}
