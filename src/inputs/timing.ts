import { formatDuration, parseDuration } from '../util/duration.js'
import { quoted } from '../util/text.js'
import { InputError, type InputReader, type Mode } from './reader.js'

/** The inputs that say how long: `timeout`, `poll-interval`, `forget-after`. */

/** GitHub stops a job on a GitHub-hosted runner after 6 hours, whatever its steps are doing. */
const HOSTED_JOB_LIMIT_MS = 6 * 3_600_000

/** Longer than any batch lives; also keeps every duration an exact integer of milliseconds. */
const MAX_DURATION_MS = 365 * 86_400_000
const DURATION_FORM = 'a duration such as 90s, 45m, 2h or 1h30m, or a number of seconds'

/** A duration input that `allowed` accepts; else an InputError that says it expects `expected`. */
export function duration(read: InputReader, name: string, allowed: (ms: number) => boolean, expected: string): number {
  const raw = read(name).trim()
  const ms = parseDuration(raw)
  const invalid = `Invalid ${name} ${quoted(raw, 100)}`
  if (ms === undefined) throw new InputError(`${invalid}. Expected ${DURATION_FORM}.`)
  if (ms > MAX_DURATION_MS) throw new InputError(`${invalid}. Expected at most 365d.`)
  if (!allowed(ms)) throw new InputError(`${invalid}. Expected ${expected}.`)
  return ms
}

/** `0` means "check once"; anything else must be at least a second. */
export const timeout = (read: InputReader): number =>
  duration(read, 'timeout', ms => ms === 0 || ms >= 1000, '0 (check once) or at least 1s')

/** A wait that cannot end before GitHub ends the job: its cancel-on-timeout and summary would never happen. */
export function hostedLimitWarnings(stepMode: Mode, timeoutMs: number, env: NodeJS.ProcessEnv): string[] {
  if (stepMode !== 'wait' || timeoutMs < HOSTED_JOB_LIMIT_MS || env.RUNNER_ENVIRONMENT !== 'github-hosted') return []
  return [
    `timeout ${formatDuration(timeoutMs)} is not shorter than the 6h GitHub gives a job on a GitHub-hosted runner: the job would be stopped before cancel-on-timeout, the outputs and the summary. Set timeout to at most 5h45m (the default), or use mode: track for batches that outlast a job.`
  ]
}
