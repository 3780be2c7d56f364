import * as core from '@actions/core'
import { sanitizeLine } from '../sanitize/sanitize.js'
import { errorMessage } from '../util/text.js'
import { ExitCode } from './exit-code.js'

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

/** What a crash may still do before the exit: a final commit status, the summary. */
const LAST_WORDS_MS = 2000

export interface CrashGuard {
  /**
   * Once the secrets are known: a crash's message is redacted with `redact`, and `lastWords` gets at
   * most two seconds to say it where the step reports (a commit status left pending blocks a branch).
   */
  prepare(redact: (text: string) => string, lastWords: (message: string) => Promise<void>): void
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
    prepare(redact, lastWords) {
      crashState.redact = redact
      crashState.lastWords = lastWords
    }
  }
}
