import { isIPv4 } from 'node:net'
import { DEFAULT_BASE_URL } from '../together/client.js'
import { hideCredentials, quoted } from '../util/text.js'
import { InputError, type InputReader, type Mode } from './reader.js'

/**
 * The inputs and variables that say where to connect and with what credentials: Together's URL and
 * key, GitHub's token, and the ledger's branch.
 */

/** Plain http is allowed only to this machine: `localhost`, an IPv4 literal in 127.0.0.0/8, or [::1]. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (isIPv4(hostname) && hostname.startsWith('127.'))
}

/** https anywhere; plain http only to this machine, so the key never crosses a network in clear text. */
export function baseUrl(read: InputReader, env: NodeJS.ProcessEnv): string {
  const raw = read('base-url').trim() || env.TOGETHER_BASE_URL?.trim() || DEFAULT_BASE_URL
  const shown = quoted(hideCredentials(raw), 200)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`Invalid base-url ${shown}. Expected a URL such as ${DEFAULT_BASE_URL}.`)
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(
      `Invalid base-url '${url.protocol}//${url.host}${url.pathname}…'. Expected a URL without credentials, query or fragment.`
    )
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InputError(
      `Invalid base-url ${shown}. Expected an https:// URL (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1]) so the API key is never sent in clear text.`
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

/** The key from `api-key`, else from TOGETHER_API_KEY; '' when neither is set (see `withoutApiKey`). */
export function apiKey(read: InputReader, env: NodeJS.ProcessEnv): string {
  const input = read('api-key').trim()
  if (input) return secret(input, "input 'api-key'")
  const fromEnv = env.TOGETHER_API_KEY?.trim() ?? ''
  return fromEnv && secret(fromEnv, 'TOGETHER_API_KEY environment variable')
}

/**
 * A run without an API key: with `if-no-api-key: skip`, the one line that says the step passes without
 * checking anything; with `fail`, an input error that says where the key comes from and why it may
 * be missing.
 */
export function withoutApiKey(choice: 'fail' | 'skip'): string {
  const why = 'runs from forks and Dependabot get no secrets'
  if (choice === 'skip') {
    return `No Together API key (${why}): nothing was checked, as if-no-api-key: skip asks; passed stays false.`
  }
  throw new InputError(
    `No Together API key: set the 'api-key' input (e.g. api-key: \${{ secrets.TOGETHER_API_KEY }}) or the TOGETHER_API_KEY environment variable. If this run has none because ${why}, if-no-api-key: skip passes it without checking.`
  )
}

/** A branch name GitHub accepts and that is safe in a URL path and a GraphQL expression. */
export function ledgerBranch(read: InputReader): string {
  const raw = read('ledger-branch').trim()
  const ok = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/.test(raw) && !/\.\.|\/\/|\/$|\.lock$|\.$/.test(raw)
  if (!ok) {
    throw new InputError(
      `Invalid ledger-branch ${quoted(raw, 100)}. Expected a branch name of letters, digits, '-', '_', '.' and '/' (e.g. together-batches).`
    )
  }
  return raw
}

/** What the commit status, the ledger and the PR comment need: a token, checked once. */
export function githubToken(read: InputReader, mode: Mode, commitStatus: string, prComment: boolean): string {
  const token = read('github-token').trim()
  // What asks for the token, and the permission each needs of it.
  const needs = [
    // Mode report also sets the statuses recorded by track (and comments, when tracked with pr-comment).
    ...(mode !== 'wait'
      ? [[`mode: ${mode}`, mode === 'report' ? 'contents: write, statuses: write' : 'contents: write']]
      : []),
    ...(commitStatus ? [['commit-status', 'statuses: write']] : []),
    ...(prComment ? [['pr-comment', 'pull-requests: write']] : [])
  ]
  if (needs.length > 0 && !token) {
    const what = needs.map(n => n[0]).join(' and ')
    throw new InputError(
      `Input 'github-token' is empty but ${what} ${needs.length === 1 ? 'needs' : 'need'} it. Expected a token with ${needs.map(n => n[1]).join(', ')}, such as the default \${{ github.token }} with permissions: ${needs.map(n => n[1]).join(', ')} in the job.`
    )
  }
  return needs.length > 0 ? secret(token, "input 'github-token'") : token
}

/** The workflow run as the runner describes it in its environment (read by settings). */
export interface GitHubTarget {
  apiUrl: string
  serverUrl: string
  /** `owner/repo`; '' outside Actions. */
  repository: string
  sha: string
  /** GITHUB_REF, recorded in the ledger. */
  ref: string
  runId: string
  /** The event payload's file, for a pull request's head commit. */
  eventPath: string
}

/** The runner's GITHUB_* variables, with GitHub.com's URLs when they are unset. */
export function githubTarget(env: NodeJS.ProcessEnv): GitHubTarget {
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
