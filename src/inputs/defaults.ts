import type { InputReader } from './input-error.js'

/**
 * action.yml's defaults of the inputs that have one, for an input given as '': the runner fills in a
 * default only for an input the step leaves out, so a reusable workflow that passes an unset input of
 * its own (`timeout: ${{ inputs.timeout }}`) gives ''. Empty then means the default, the same for every
 * input: an unset `fail-on` must not switch the gate off (`fail-on: none` does that on purpose).
 * `__tests__/inputs/defaults.test.ts` keeps this table equal to action.yml, which stays the one place
 * a default is documented. `github-token`'s default is an expression only the runner can evaluate.
 */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  mode: 'wait',
  'if-no-api-key': 'fail',
  timeout: '5h45m',
  'poll-interval': '30s',
  'fail-on': 'FAILED,EXPIRED,CANCELLED',
  'cancel-on-timeout': 'false',
  'cancel-on-abort': 'false',
  endpoint: '/v1/chat/completions',
  reuse: 'running',
  'pr-comment': 'false',
  'ledger-branch': 'together-batches',
  'forget-after': '7d'
}

/** The inputs as `read` gives them, with '' (or only spaces) read as the input's action.yml default. */
export function withDefaults(read: InputReader): InputReader {
  return name => {
    const value = read(name)
    return value.trim() === '' ? (INPUT_DEFAULTS[name] ?? value) : value
  }
}
