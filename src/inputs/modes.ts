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
  const needs = mode !== 'wait' ? `mode: ${mode}` : commitStatus ? 'commit-status' : prComment ? 'pr-comment' : ''
  if (needs && !token) {
    throw new InputError(
      `Input 'github-token' is empty but ${needs} needs it. Expected a token with statuses: write (and contents: write for the ledger), the default \${{ github.token }}.`
    )
  }
  return needs ? secret(token, "input 'github-token'") : token
}
