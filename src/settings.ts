import { DEFAULT_BASE_URL } from './together/index.js'
import { parseDuration } from './util/duration.js'
import { parseGate, type Gate } from './result-files/gate.js'
import { FINAL_STATUSES, normalizeStatus, type FinalStatus } from './together/status.js'

/** Everything the action was asked to do, parsed and validated once, before any request. */
export interface Settings {
  /** In input order, duplicates removed; at least one. */
  batchIds: string[]
  apiKey: string
  /** Without trailing slash. */
  baseUrl: string
  /** 0: check each batch once. */
  timeoutMs: number
  pollIntervalMs: number
  failOn: ReadonlySet<FinalStatus>
  cancelOnTimeout: boolean
  cancelOnAbort: boolean
  /** Where to download result files; '' when not asked. */
  downloadDir: string
  /** `max-failed-requests`, when set. */
  maxFailedRequests?: Gate
  /** Commit status context name; '' for no commit status. */
  commitStatus: string
  githubToken: string
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

/** Several ids may be given, separated by newlines, commas or spaces; duplicates are dropped, order kept. */
function batchIds(read: InputReader): string[] {
  const ids = [
    ...new Set(
      read('batch-id')
        .split(/[\s,]+/)
        .filter(Boolean)
    )
  ]
  if (ids.length === 0) {
    throw new InputError(
      "Input 'batch-id' is empty. Expected the ID of a Together batch (or several, separated by newlines, commas or spaces)."
    )
  }
  for (const id of ids) {
    if (FORBIDDEN_ID.test(id) || id.length > 200) {
      throw new InputError(
        `Invalid batch-id '${JSON.stringify(id).slice(1, -1).slice(0, 80)}'. Expected a Together batch ID: letters, digits, '-', '_' or '.', no '/', '?', '#', '..' or control characters.`
      )
    }
  }
  return ids
}

function duration(read: InputReader, name: string, minMs: number, minText: string): number {
  const raw = read(name).trim()
  const ms = parseDuration(raw)
  if (ms === undefined) throw new InputError(`Invalid ${name} '${raw}'. Expected ${DURATION_FORM}.`)
  if (ms < minMs) throw new InputError(`Invalid ${name} '${raw}'. Expected at least ${minText}.`)
  return ms
}

/** `0` means "check once"; anything else must be at least a second. */
function timeout(read: InputReader): number {
  const ms = duration(read, 'timeout', 0, '0')
  if (ms > 0 && ms < 1000)
    throw new InputError(`Invalid timeout '${read('timeout').trim()}'. Expected 0 (check once) or at least 1s.`)
  return ms
}

function gate(read: InputReader): Gate | undefined {
  try {
    return parseGate(read('max-failed-requests'))
  } catch (error) {
    throw new InputError((error as Error).message)
  }
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
  const ids = batchIds(read)
  const apiKey = read('api-key').trim() || env.TOGETHER_API_KEY?.trim() || ''
  const settings: Settings = {
    batchIds: ids,
    apiKey,
    baseUrl: baseUrl(read, env),
    timeoutMs: timeout(read),
    pollIntervalMs: duration(read, 'poll-interval', 1000, '1s'),
    failOn: failOn(read),
    cancelOnTimeout: boolean(read, 'cancel-on-timeout'),
    cancelOnAbort: boolean(read, 'cancel-on-abort'),
    downloadDir: read('download-dir').trim(),
    maxFailedRequests: gate(read),
    commitStatus: read('commit-status').trim(),
    githubToken: read('github-token').trim()
  }
  if (settings.commitStatus && !settings.githubToken) {
    throw new InputError(
      "Input 'commit-status' is set but 'github-token' is empty. Expected a token with statuses: write (the default ${{ github.token }})."
    )
  }
  if (apiKey === '') {
    throw new InputError(
      "No Together API key: set the 'api-key' input (e.g. api-key: ${{ secrets.TOGETHER_API_KEY }}) or the TOGETHER_API_KEY environment variable."
    )
  }
  return settings
}
