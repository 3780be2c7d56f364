import { expect } from '@jest/globals'
import nock from 'nock'
import { runAction, type ActionRun, type RunActionOptions } from '../../tools/runner/run-action.js'
import { uEscape, type HostileServer, type Logged } from './hostile-server.js'

/** A key with characters that change under URL encoding, so an encoded echo is told apart from the raw one. */
export const KEY = 'tgp_v1_Hostile+Key/9f8e7d6c5b4a3210='
export const GITHUB_TOKEN = 'ghs_secret_token_123'
const SHA = '0123456789abcdef0123456789abcdef01234567'

export interface HostileRun extends ActionRun {
  /** What the Together stand-in received. */
  api: Logged[]
  /** What the GitHub stand-in received (commit statuses). */
  github: Logged[]
}

export interface HostileRunOptions extends Omit<RunActionOptions, 'inputs'> {
  api: HostileServer
  /** With it, `commit-status` and `github-token` are set and the GITHUB_* environment points at it. */
  github?: HostileServer
  inputs?: Record<string, string>
}

/** The environment a workflow run gives the action, with GITHUB_API_URL at the GitHub stand-in. */
function githubEnv(github: HostileServer): Record<string, string> {
  return {
    GITHUB_API_URL: github.origin,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242'
  }
}

/** Runs the bundle against the stand-ins, with short defaults that any input overrides. */
export async function runHostile(options: HostileRunOptions): Promise<HostileRun> {
  nock.enableNetConnect(/127\.0\.0\.\d+|localhost/)
  const { api, github, inputs, env, ...rest } = options
  const run = await runAction({
    killAfterMs: 40_000,
    ...rest,
    env: { ...(github ? githubEnv(github) : {}), ...env },
    inputs: {
      'batch-id': 'batch-h1',
      'api-key': KEY,
      'base-url': api.baseUrl,
      'poll-interval': '1s',
      timeout: '20s',
      // The runner always substitutes its default, `${{ github.token }}`.
      'github-token': GITHUB_TOKEN,
      ...(github ? { 'commit-status': 'together/batch' } : {}),
      ...inputs
    }
  })
  return { ...run, api: [...api.requests], github: [...(github?.requests ?? [])] }
}

/** Line breaks a log viewer or the runner may honour; a command after any of them is forged. */
// eslint-disable-next-line no-control-regex -- vertical tab and form feed are line breaks too
const BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/
/** Whitespace and invisible format characters (bidi controls, zero-width) a forged command may hide behind. */
const LEAD = /^[\s\p{Cf}]+/u
const COMMAND = /^(::|##\[)/
const MEANT = [/^::debug::/, /^::warning[ :]/, /^::error[ :]/, /^::notice[ :]/, /^::group::/, /^::endgroup::$/]

/** Stdout/stderr lines that would run a workflow command the action did not mean to send. */
export function forgedLines(log: string, secrets: readonly string[]): string[] {
  const forged: string[] = []
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r$/, '')
    const [first = '', ...after] = line.split(BREAKS)
    const meant =
      MEANT.some(re => re.test(line)) || secrets.some(s => line === `::add-mask::${s}`) || !COMMAND.test(first)
    const hidden = COMMAND.test(first.replace(LEAD, '')) && !COMMAND.test(first)
    if (!meant || hidden || after.some(part => COMMAND.test(part.replace(LEAD, '')))) forged.push(line)
  }
  return forged
}

/** `&#45;`, `&#x2d;`, `&amp;`…: the summary is HTML, so an entity-encoded secret is still shown. */
const decodeEntities = (html: string): string =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(
      /&(amp|lt|gt|quot|apos);/g,
      (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!
    )

/**
 * The forms a secret takes when a server echoes it: raw, URL-encoded, `\u`-escaped JSON; and its first
 * 8 characters, which is what is left of it when text is cut before it is redacted.
 */
const forms = (secret: string): [string, string][] => [
  ['raw', secret],
  ['url-encoded', encodeURIComponent(secret)],
  ['\\u-escaped', uEscape(secret)],
  ['cut', secret.slice(0, 8)]
]

/** Where each secret shows up (as `where: form`), apart from the action's own `::add-mask::<secret>` lines. */
export function leaks(run: ActionRun & Partial<HostileRun>, secrets: readonly string[]): string[] {
  const log = run.log
    .split('\n')
    .filter(line => !secrets.some(s => line.replace(/\r$/, '') === `::add-mask::${s}`))
    .join('\n')
  const places: [string, string][] = [
    ['log', log],
    ['summary', run.summary],
    ['summary (entities decoded)', decodeEntities(run.summary)],
    ...Object.entries(run.outputs).map(([name, value]): [string, string] => [`output ${name}`, value]),
    ...(run.github ?? []).map((r, i): [string, string] => [`GitHub request ${i + 1} body`, r.body])
  ]
  const found: string[] = []
  for (const secret of secrets.filter(Boolean))
    for (const [where, text] of places) {
      const shown = forms(secret).filter(([, value]) => text.includes(value))
      // A whole form holds the first 8 characters too: "cut" is reported only on its own.
      const whole = shown.filter(([form]) => form !== 'cut')
      for (const [form] of whole.length ? whole : shown) found.push(`${where}: ${form}`)
    }
  return [...new Set(found)]
}

/**
 * What every hostile run must satisfy: no secret (API key, GitHub token) anywhere the action writes or
 * sends to GitHub, and no stdout line that is a workflow command the action did not mean to send.
 */
export function expectNoLeakNoForgery(run: ActionRun & Partial<HostileRun>, secrets: readonly string[]): void {
  const forged = forgedLines(run.log, secrets).map(visible)
  expect({ leaks: leaks(run, secrets), forged }).toEqual({ leaks: [], forged: [] })
}

/** Text with line breaks, controls and invisible characters shown as `\uXXXX`, for readable failures. */
export const visible = (text: string): string =>
  text.replace(/[^\x20-\x7e]/g, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** The `::error` annotations, with the runner's escapes (%25, %0D, %0A) decoded. */
export const errorLines = (log: string): string[] =>
  log
    .split('\n')
    .filter(line => line.startsWith('::error'))
    .map(line => line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))

/** The `::warning` annotations, decoded like `errorLines`. */
export const warningLines = (log: string): string[] =>
  log
    .split('\n')
    .filter(line => line.startsWith('::warning'))
    .map(line => line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
