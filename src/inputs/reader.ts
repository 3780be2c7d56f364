import { errorMessage, quoted } from '../util/text.js'

/** Reads one input as the runner provides it (`core.getInput`); '' when unset. */
export type InputReader = (name: string) => string

/** A problem with the workflow's inputs; its message names the input and the expected form. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

/** `wait` (today's behaviour), `track` (record unfinished batches) or `report` (judge tracked batches). */
export const MODES = ['wait', 'track', 'report'] as const
export type Mode = (typeof MODES)[number]

/**
 * action.yml's defaults of the inputs that have one, for an input given as '': the runner fills in a
 * default only for an input the step leaves out, so a reusable workflow that passes an unset input of
 * its own (`timeout: ${{ inputs.timeout }}`) gives ''. Empty then means the default, the same for every
 * input: an unset `fail-on` must not switch the gate off (`fail-on: none` does that on purpose).
 * `__tests__/inputs/reader.test.ts` keeps this table equal to action.yml, which stays the one place
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

/**
 * One of `choices` (given in lower case), case ignored; else an InputError that quotes the value, cut
 * after `max` characters, and says what is `expected`.
 */
export function choice<T extends string>(
  read: InputReader,
  name: string,
  choices: readonly T[],
  expected: string,
  max = 50
): T {
  const raw = read(name).trim()
  const value = raw.toLowerCase()
  if ((choices as readonly string[]).includes(value)) return value as T
  throw new InputError(`Invalid ${name} ${quoted(raw, max)}. Expected ${expected}.`)
}

/** `true` or `false`, case ignored. */
export const boolean = (read: InputReader, name: string): boolean =>
  choice(read, name, ['true', 'false'], 'true or false', 100) === 'true'

/** What `parse` returns; the plain one-line message it throws becomes an InputError. */
export function parsed<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new InputError(errorMessage(error))
  }
}
