import type { GitHub } from '../github/service.js'
import { buildFailureSummary } from '../report/summary.js'
import { writeSummary, type RedactingOutput } from './redacting-output.js'
import type { CrashGuard } from './guards.js'

export interface LastWords {
  readonly crashed: boolean
  /** The run's GitHub service, its own commit status silent once the run has crashed. */
  guard(github: GitHub | undefined): GitHub | undefined
}

/**
 * What a crash still says in this run: the final status (error) and the summary, at once. From then
 * on the run's own status and summary are held back, so a crashed gate never ends green.
 */
export function lastWords(crashGuard: CrashGuard, out: RedactingOutput, summaryAvailable: boolean): LastWords {
  let crashed = false
  let status: GitHub['status'] | undefined
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
    guard(github) {
      if (!github) return undefined
      status = github.status
      return { ...github, status: (state, text) => (crashed ? Promise.resolve() : github.status(state, text)) }
    }
  }
}
