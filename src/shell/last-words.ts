import type { SetStatus } from '../github/commit-status.js'
import { buildFailureSummary } from '../report/summary.js'
import { writeSummary, type Egress } from './egress.js'
import type { CrashGuard } from './guards.js'

export interface LastWords {
  readonly crashed: boolean
  /** The run's status setter, silent once the run has crashed. */
  guard(status: SetStatus | undefined): SetStatus | undefined
}

/**
 * What a crash still says in this run: the final status (error) and the summary, at once. From then
 * on the run's own status and summary are held back, so a crashed gate never ends green.
 */
export function lastWords(crashGuard: CrashGuard, out: Egress, summaryAvailable: boolean): LastWords {
  let crashed = false
  let status: SetStatus | undefined
  crashGuard.prepare(
    text => out.redact(text),
    async message => {
      crashed = true
      await Promise.all([status?.('error', message), writeSummary(out, buildFailureSummary(message), summaryAvailable)])
    }
  )
  return {
    get crashed() {
      return crashed
    },
    guard(setter) {
      status = setter
      return setter && ((state, text) => (crashed ? Promise.resolve() : setter(state, text)))
    }
  }
}
