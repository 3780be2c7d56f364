import { isIPv4 } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GitHubTarget } from './github/commit-status.js'
import { DEFAULT_BASE_URL, parseProxyEnv, type ProxySettings } from './together/index.js'
import { describeBadId, isPlainId } from './together/ids.js'
import { parseDuration } from './util/duration.js'
import { errorMessage } from './util/text.js'
import { parseGate, type Gate } from './result-files/gate.js'
import { parseDiscount, parseMaxCost } from './result-files/cost-gate.js'
import { parseInputFile, type InputFile } from './result-files/input-file.js'
import { FINAL_STATUSES, normalizeStatus, type FinalStatus } from './together/status.js'

/** Everything the action was asked to do, parsed and validated once, before any request. */
export type Mode = 'wait' | 'track' | 'report'

export interface Settings {
  /** `wait` (the default), `track` (record unfinished batches in the ledger) or `report` (report them). */
  mode: Mode
  /** In input order, duplicates removed; at least one, except with mode `report` (none). */
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
  /** `batch-discount` in percent, when set; otherwise costs are at list prices. */
  batchDiscount?: number
  /** `max-cost` in US dollars, when set. */
  maxCost?: number
  /** `input-file`, when set: failed requests are annotated on its lines. */
  inputFile?: InputFile
  /** `max-failed-requests` as written, recorded in the ledger by mode `track`. */
  maxFailedRequestsInput: string
  /** Commit status context name; '' for no commit status. */
  commitStatus: string
  /** `pr-comment`: keep one comment per pull request and step up to date. */
  prComment: boolean
  /** Branch holding the ledger of tracked batches (modes `track` and `report`). */
  ledgerBranch: string
  /** Mode `report` reports a batch still running after this long as forgotten. */
  forgetAfterMs: number
  githubToken: string
  /** Where result files go when `download-dir` is empty: the runner's temp directory. */
  resultsDir: string
  /** Whether the runner gave us a step summary file (GITHUB_STEP_SUMMARY). */
  summaryAvailable: boolean
  github: GitHubTarget
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, validated (a value without a scheme is read as http://). */
  proxy: ProxySettings
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

/** Longer than any batch lives; also keeps every duration an exact integer of milliseconds. */
const MAX_DURATION_MS = 365 * 86_400_000
const DURATION_FORM = 'a duration such as 90s, 45m, 2h or 1h30m, or a number of seconds'

/** Several ids may be given, separated by newlines, commas or spaces; duplicates are dropped, order kept. */
function batchIds(read: InputReader, mode: Mode): string[] {
  if (mode === 'report') {
    if (read('batch-id').trim()) {
      throw new InputError(
        "Input 'batch-id' is set with mode: report, which reports the batches in the ledger. Expected no batch-id."
      )
    }
    return []
  }
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
    if (!isPlainId(id)) {
      throw new InputError(
        `Invalid batch-id ${describeBadId(id)}. Expected a Together batch ID: letters, digits, '-', '_' or '.', with no '/', '?', '#', '%', '..' or control characters, and not '.' alone.`
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
  if (ms > MAX_DURATION_MS) throw new InputError(`Invalid ${name} '${raw}'. Expected at most 365d.`)
  return ms
}

/** `0` means "check once"; anything else must be at least a second. */
function timeout(read: InputReader): number {
  const ms = duration(read, 'timeout', 0, '0')
  if (ms > 0 && ms < 1000)
    throw new InputError(`Invalid timeout '${read('timeout').trim()}'. Expected 0 (check once) or at least 1s.`)
  return ms
}

/** Parses an input whose parser throws a plain one-line message, as an InputError. */
function parsed<T>(parse: () => T): T {
  try {
    return parse()
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

/** Plain http is allowed only to this machine: `localhost`, an IPv4 literal in 127.0.0.0/8, or [::1]. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (isIPv4(hostname) && hostname.startsWith('127.'))
}

/** A URL as the user wrote it, with any credentials hidden, for error messages. */
const withoutCredentials = (raw: string): string => raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')

/** https anywhere; plain http only to this machine, so the key never crosses a network in clear text. */
function baseUrl(read: InputReader, env: NodeJS.ProcessEnv): string {
  const raw = read('base-url').trim() || env.TOGETHER_BASE_URL?.trim() || DEFAULT_BASE_URL
  const shown = withoutCredentials(raw).slice(0, 200)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`Invalid base-url '${shown}'. Expected a URL such as ${DEFAULT_BASE_URL}.`)
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(
      `Invalid base-url '${url.protocol}//${url.host}${url.pathname}…'. Expected a URL without credentials, query or fragment.`
    )
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InputError(
      `Invalid base-url '${shown}'. Expected an https:// URL (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]) so the API key is never sent in clear text.`
    )
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

/**
 * A key or token goes into an HTTP header: only visible ASCII may. A typographic quote or a zero-width
 * space copied along with the key would otherwise fail every request. The secret itself is never shown.
 */
function secret(value: string, source: string): string {
  const chars = Array.from(value)
  const bad = chars.findIndex(ch => !/^[\x21-\x7e]$/.test(ch))
  if (bad >= 0) {
    const code = chars[bad]!.codePointAt(0)!
    throw new InputError(
      `Invalid ${source}: character ${bad + 1} (U+${code.toString(16).toUpperCase().padStart(4, '0')}) cannot be sent in an HTTP header. Expected only visible ASCII characters: copy the value again without spaces, quotes or line breaks.`
    )
  }
  return value
}

function apiKey(read: InputReader, env: NodeJS.ProcessEnv): string {
  const input = read('api-key').trim()
  if (input) return secret(input, "input 'api-key'")
  const fromEnv = env.TOGETHER_API_KEY?.trim() ?? ''
  if (fromEnv) return secret(fromEnv, 'TOGETHER_API_KEY environment variable')
  throw new InputError(
    "No Together API key: set the 'api-key' input (e.g. api-key: ${{ secrets.TOGETHER_API_KEY }}) or the TOGETHER_API_KEY environment variable."
  )
}

function proxy(env: NodeJS.ProcessEnv): ProxySettings {
  try {
    return parseProxyEnv(env)
  } catch (error) {
    throw new InputError(errorMessage(error))
  }
}

function githubEnv(env: NodeJS.ProcessEnv): GitHubTarget {
  return {
    apiUrl: env.GITHUB_API_URL?.trim() || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL?.trim() || 'https://github.com',
    repository: env.GITHUB_REPOSITORY?.trim() ?? '',
    sha: env.GITHUB_SHA?.trim() ?? '',
    ref: env.GITHUB_REF?.trim() ?? '',
    runId: env.GITHUB_RUN_ID?.trim() ?? '',
    eventPath: env.GITHUB_EVENT_PATH?.trim() ?? ''
  }
}

function mode(read: InputReader): Mode {
  const raw = read('mode').trim().toLowerCase() || 'wait'
  if (raw === 'wait' || raw === 'track' || raw === 'report') return raw
  throw new InputError(`Invalid mode '${read('mode').trim().slice(0, 50)}'. Expected wait, track or report.`)
}

/** A branch name GitHub accepts and that is safe in a URL path and a GraphQL expression. */
function ledgerBranch(read: InputReader): string {
  const raw = read('ledger-branch').trim()
  const ok = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/.test(raw) && !/\.\.|\/\/|\/$|\.lock$|\.$/.test(raw)
  if (!ok) {
    throw new InputError(
      `Invalid ledger-branch '${raw.slice(0, 100)}'. Expected a branch name of letters, digits, '-', '_', '.' and '/' (e.g. together-batches).`
    )
  }
  return raw
}

/** What the commit status, the ledger and the PR comment need: a token, checked once. */
function githubToken(read: InputReader, mode: Mode, commitStatus: string, prComment: boolean): string {
  const token = read('github-token').trim()
  const needs = mode !== 'wait' ? `mode: ${mode}` : commitStatus ? 'commit-status' : prComment ? 'pr-comment' : ''
  if (needs && !token) {
    throw new InputError(
      `Input 'github-token' is empty but ${needs} needs it. Expected a token with statuses: write (and contents: write for the ledger), the default \${{ github.token }}.`
    )
  }
  return needs ? secret(token, "input 'github-token'") : token
}

/**
 * Turns the raw inputs into `Settings`. Defaults come from action.yml (the runner fills them in);
 * this module adds only the documented fallbacks: environment variables for `api-key` and `base-url`,
 * and the working directory for the workspace when GITHUB_WORKSPACE is unset.
 * Throws `InputError` for the first invalid input.
 */
export function parseSettings(read: InputReader, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Settings {
  const stepMode = mode(read)
  const ids = batchIds(read, stepMode)
  const key = apiKey(read, env)
  const commitStatus = read('commit-status').trim()
  const prComment = boolean(read, 'pr-comment')
  const token = githubToken(read, stepMode, commitStatus, prComment)
  const tracking = stepMode !== 'wait'
  return {
    mode: stepMode,
    batchIds: ids,
    apiKey: key,
    baseUrl: baseUrl(read, env),
    timeoutMs: Math.round(timeout(read)),
    pollIntervalMs: Math.round(duration(read, 'poll-interval', 1000, '1s')),
    failOn: failOn(read),
    cancelOnTimeout: boolean(read, 'cancel-on-timeout'),
    cancelOnAbort: boolean(read, 'cancel-on-abort'),
    downloadDir: read('download-dir').trim(),
    maxFailedRequests: parsed(() => parseGate(read('max-failed-requests'))),
    maxFailedRequestsInput: read('max-failed-requests').trim(),
    batchDiscount: parsed(() => parseDiscount(read('batch-discount'))),
    maxCost: parsed(() => parseMaxCost(read('max-cost'))),
    inputFile: parsed(() => parseInputFile(read('input-file'), env.GITHUB_WORKSPACE?.trim() || cwd)),
    commitStatus,
    githubToken: token,
    prComment,
    ledgerBranch: tracking ? ledgerBranch(read) : read('ledger-branch').trim(),
    forgetAfterMs: tracking ? Math.round(duration(read, 'forget-after', 3_600_000, '1h')) : 0,
    resultsDir: join(env.RUNNER_TEMP?.trim() || tmpdir(), 'together-batch-results'),
    summaryAvailable: Boolean(env.GITHUB_STEP_SUMMARY),
    github: githubEnv(env),
    proxy: proxy(env)
  }
}
