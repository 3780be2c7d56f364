import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import type { GitHub } from '../github/service.js'
import { buildFailureSummary } from '../report/summary.js'
import { sanitizeLine } from '../sanitize/sanitize.js'
import { errorMessage } from '../util/text.js'
import { writeSummary, type RedactingOutput } from './redacting-output.js'

/**
 * The step's exit codes, as @actions/core numbers them. Not `core.ExitCode`: the stand-in for
 * @actions/core that @github/local-action runs the source with has no `ExitCode`, so
 * `npm run local-action` would stop at its first use (eslint refuses `core.ExitCode`).
 */
export const ExitCode = { Success: 0, Failure: 1 } as const

/** After the runner's first signal, give up on clean-up after this long: SIGTERM follows at 7.5 s. */
const ABORT_GRACE_MS = 6000
/** Closing the HTTP connections may wait on a request that never ends: not longer than this. */
const CLOSE_TIMEOUT_MS = 2000
/** What a crash may still do before the exit: a final commit status, the summary. */
const LAST_WORDS_MS = 2000

/**
 * No verdict is a failure. The exit code is 1 until a pass is decided; a drained event loop (a promise
 * nobody settles), an unhandled rejection or an uncaught exception each end the step with a message.
 */
export function guardVerdict(): { settle(): void } {
  process.exitCode = ExitCode.Failure
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

export interface LastWords {
  readonly crashed: boolean
  /** The run's GitHub service, its own commit status silent once the run has crashed. */
  guard(github: GitHub | undefined): GitHub | undefined
}

export interface CrashGuard {
  /**
   * Once the secrets are known: a crash's message is redacted by `out`, and gets at most two seconds
   * to say it where the step reports: the final status (error) and the summary, at once (a commit
   * status left pending blocks a branch). From then on the run's own status and summary are held
   * back, so a crashed gate never ends green.
   */
  lastWords(out: RedactingOutput, summaryAvailable: boolean): LastWords
}

const crashState: { redact: (text: string) => string; lastWords?: (message: string) => Promise<void> } = {
  redact: text => text
}
let crashGuardInstalled = false

/** An unhandled rejection or an uncaught exception fails the step with its message, then exits. */
export function guardCrashes(): CrashGuard {
  crashState.redact = text => text
  crashState.lastWords = undefined
  if (!crashGuardInstalled) {
    crashGuardInstalled = true
    let crashed = false
    const crash = (error: unknown): void => {
      // A second crash while the first one's last words go out changes nothing.
      if (crashed) return
      crashed = true
      const message = sanitizeLine(crashState.redact(errorMessage(error)))
      core.setFailed(`Unexpected error: ${message}. This is a bug: please report it.`)
      const bound = new Promise(resolve => setTimeout(resolve, LAST_WORDS_MS))
      const said = crashState.lastWords?.(`Unexpected error: ${message}`).catch(() => undefined)
      void Promise.race([said, bound]).finally(() => process.exit(ExitCode.Failure))
    }
    process.on('unhandledRejection', crash)
    process.on('uncaughtException', crash)
  }
  return {
    lastWords(out, summaryAvailable) {
      let crashed = false
      let status: GitHub['status'] | undefined
      crashState.redact = text => out.redact(text)
      crashState.lastWords = async message => {
        crashed = true
        const summary = writeSummary(out, buildFailureSummary(message), summaryAvailable)
        await Promise.all([status?.('error', message), summary])
      }
      return {
        get crashed() {
          return crashed
        },
        guard(github) {
          if (!github) return undefined
          status = github.status
          return { ...github, status: (state, text) => (crashed ? Promise.resolve() : github.status(state, text)) }
        }
      }
    }
  }
}

/**
 * The runner cancels with SIGINT, then SIGTERM 7.5 s later, then kills: the first signal aborts every
 * request and sleep; if clean-up still runs after `ABORT_GRACE_MS`, the step fails before the kill.
 */
export function listenForCancel(abort: AbortController, say: (message: string) => void): () => void {
  let grace: NodeJS.Timeout | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return
    say(`Received ${signal}: stopping the wait.`)
    abort.abort()
    grace = setTimeout(() => {
      core.setFailed(`The wait was cancelled (${signal}) and clean-up did not finish within ${ABORT_GRACE_MS / 1000}s.`)
      process.exit(ExitCode.Failure)
    }, ABORT_GRACE_MS).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    clearTimeout(grace)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** Closes the client's connections, but never waits longer than `CLOSE_TIMEOUT_MS` for it. */
export async function closeQuietly(api: { close?(): Promise<void> } | undefined): Promise<void> {
  if (!api?.close) return
  const timer = delay(CLOSE_TIMEOUT_MS, undefined, { ref: false })
  await Promise.race([api.close().catch(() => undefined), timer])
}
