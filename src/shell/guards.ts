import * as core from '@actions/core'
import { sanitizeLine } from '../sanitize/sanitize.js'
import { errorMessage } from '../util/text.js'

/**
 * No verdict is a failure. The exit code is 1 until a pass is decided; a drained event loop (a promise
 * nobody settles), an unhandled rejection or an uncaught exception each end the step with a message.
 */
export function guardVerdict(): { settle(): void } {
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
export function guardCrashes(): void {
  if (crashGuardInstalled) return
  crashGuardInstalled = true
  const crash = (error: unknown): void => {
    core.setFailed(`Unexpected error: ${sanitizeLine(errorMessage(error))}. This is a bug: please report it.`)
    process.exit(core.ExitCode.Failure)
  }
  process.on('unhandledRejection', crash)
  process.on('uncaughtException', crash)
}
