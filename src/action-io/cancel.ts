import * as core from '@actions/core'
import { setTimeout as delay } from 'node:timers/promises'
import { ExitCode } from './exit-code.js'

/** After the runner's first signal, give up on clean-up after this long: SIGTERM follows at 7.5 s. */
const ABORT_GRACE_MS = 6000
/** Closing the HTTP connections may wait on a request that never ends: not longer than this. */
const CLOSE_TIMEOUT_MS = 2000

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
