import { DEFAULT_BASE_URL } from './together/index.js'
import { parseDuration } from './duration.js'
import { FINAL_STATUSES, normalizeStatus, type FinalStatus } from './status.js'

/** Everything the action was asked to do, parsed and validated once, before any request. */
export interface Settings {
  batchId: string
  apiKey: string
  /** Without trailing slash. */
  baseUrl: string
  timeoutMs: number
  pollIntervalMs: number
  failOn: ReadonlySet<FinalStatus>
  cancelOnTimeout: boolean
  cancelOnAbort: boolean
}

/** Reads one input as the runner provides it (`core.getInput`); '' when unset. */
export type InputReader = (name: string) => string

/** A problem with the workflow's inputs; its message names the input and the expected form. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

const DURATION_FORM = 'a duration such as 90s, 45m, 2h or 1h30m, or a number of seconds'
const FORBIDDEN_ID = /[/?#\\%\s\p{Cc}]|\.\./u

function batchId(read: InputReader): string {
  const id = read('batch-id').trim()
  if (id === '')
    throw new InputError(
      "Input 'batch-id' is empty. Expected the ID of a Together batch, e.g. the id returned by POST /v1/batches."
    )
  if (FORBIDDEN_ID.test(id) || id.length > 200) {
    throw new InputError(
      `Invalid batch-id '${JSON.stringify(id).slice(1, -1).slice(0, 80)}'. Expected a Together batch ID: letters, digits, '-', '_' or '.', no '/', '?', '#', '..', spaces or control characters.`
    )
  }
  return id
}

function duration(read: InputReader, name: string, minMs: number, minText: string): number {
  const raw = read(name).trim()
  const ms = parseDuration(raw)
  if (ms === undefined) throw new InputError(`Invalid ${name} '${raw}'. Expected ${DURATION_FORM}.`)
  if (ms < minMs) throw new InputError(`Invalid ${name} '${raw}'. Expected at least ${minText}.`)
  return ms
}

function boolean(read: InputReader, name: string): boolean {
  const raw = read(name).trim()
  if (/^(true)$/i.test(raw)) return true
  if (/^(false|)$/i.test(raw)) return false
  throw new InputError(`Invalid ${name} '${raw}'. Expected true or false.`)
}

function failOn(read: InputReader): Set<FinalStatus> {
  const set = new Set<FinalStatus>()
  for (const word of read('fail-on')
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const status = normalizeStatus(word)
    if (status === 'COMPLETED' || !(FINAL_STATUSES as readonly string[]).includes(status)) {
      throw new InputError(
        `Invalid fail-on status '${word}'. Expected a list of FAILED, EXPIRED, CANCELLED (comma or space separated).`
      )
    }
    set.add(status as FinalStatus)
  }
  return set
}

/** https anywhere; plain http only to this machine, so the key never crosses a network in clear text. */
function baseUrl(read: InputReader, env: NodeJS.ProcessEnv): string {
  const raw = read('base-url').trim() || env.TOGETHER_BASE_URL?.trim() || DEFAULT_BASE_URL
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`Invalid base-url '${raw}'. Expected a URL such as ${DEFAULT_BASE_URL}.`)
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      `Invalid base-url '${raw}'. Expected an https:// URL (plain http:// is allowed only for 127.0.0.1, localhost or [::1]) so the API key is never sent in clear text.`
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(
      `Invalid base-url '${url.origin}${url.pathname}…'. Expected a URL without credentials, query or fragment.`
    )
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

/**
 * Turns the raw inputs into `Settings`. Defaults come from action.yml (the runner fills them in);
 * this module adds only the documented environment fallbacks for `api-key` and `base-url`.
 * Throws `InputError` for the first invalid input.
 */
export function parseSettings(read: InputReader, env: NodeJS.ProcessEnv): Settings {
  const id = batchId(read)
  const apiKey = read('api-key').trim() || env.TOGETHER_API_KEY?.trim() || ''
  const settings: Settings = {
    batchId: id,
    apiKey,
    baseUrl: baseUrl(read, env),
    timeoutMs: duration(read, 'timeout', 1000, '1s'),
    pollIntervalMs: duration(read, 'poll-interval', 1000, '1s'),
    failOn: failOn(read),
    cancelOnTimeout: boolean(read, 'cancel-on-timeout'),
    cancelOnAbort: boolean(read, 'cancel-on-abort')
  }
  if (apiKey === '') {
    throw new InputError(
      "No Together API key: set the 'api-key' input (e.g. api-key: ${{ secrets.TOGETHER_API_KEY }}) or the TOGETHER_API_KEY environment variable."
    )
  }
  return settings
}
