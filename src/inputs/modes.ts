import { quoted } from '../util/text.js'
import { secret } from './connection.js'
import { InputError, type InputReader } from './input-error.js'

/** `wait` (today's behaviour), `track` (record unfinished batches) or `report` (judge tracked batches). */
export type Mode = 'wait' | 'track' | 'report'

export function mode(read: InputReader): Mode {
  const raw = read('mode').trim().toLowerCase() || 'wait'
  if (raw === 'wait' || raw === 'track' || raw === 'report') return raw
  throw new InputError(`Invalid mode ${quoted(read('mode').trim(), 50)}. Expected wait, track or report.`)
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
