import { readFile } from 'node:fs/promises'
import { httpStatus, isPullRequest, isSha, refusal, type CallOptions, type GitHubClient } from './octokit.js'
import type { GitHubTarget } from '../inputs/connection.js'

export type StatusState = 'pending' | 'success' | 'failure' | 'error'

/** Pages of 100 statuses read to find a context's current state. */
const MAX_STATUS_PAGES = 10
const STATES = new Set<unknown>(['pending', 'success', 'failure', 'error'])
/** GitHub's limit on a commit status description, in characters. */
const MAX_DESCRIPTION = 140
/** An event payload larger than this is not read (a pull request event is a few hundred KB at most). */
const MAX_EVENT_BYTES = 25 * 1024 * 1024

/** What the event payload says about the commit: a pull request's head commit and number, when there is one. */
export interface EventCommit {
  sha: string
  pullRequest?: number
}

/**
 * `text` as GitHub takes a description: at most 140 characters, cut at a whole character (never
 * between the halves of a surrogate pair) and ending in `…` when cut. Every status passes through it.
 */
function fitDescription(text: string): string {
  const chars = Array.from(text)
  return chars.length > MAX_DESCRIPTION ? `${chars.slice(0, MAX_DESCRIPTION - 1).join('')}…` : text
}

/** The pull request's head commit when the event has one (the merge commit is not what reviewers see). */
export async function eventCommit(target: GitHubTarget): Promise<EventCommit> {
  if (target.eventPath) {
    try {
      const text = await readFile(target.eventPath, 'utf8')
      if (text.length <= MAX_EVENT_BYTES) {
        const event = JSON.parse(text) as { pull_request?: { head?: { sha?: unknown }; number?: unknown } }
        const sha = event.pull_request?.head?.sha
        const number = event.pull_request?.number
        const pullRequest = isPullRequest(number) ? number : undefined
        if (isSha(sha)) return { sha, pullRequest }
      }
    } catch {
      // No readable event: the workflow's own commit is the right one.
    }
  }
  if (!isSha(target.sha)) throw new Error(`GITHUB_SHA is not a commit SHA, so no commit status can be set.`)
  return { sha: target.sha }
}

/** The link a status carries: the workflow run. */
export const runUrl = (target: GitHubTarget): string =>
  `${target.serverUrl.replace(/\/+$/, '')}/${target.repository}/actions/runs/${target.runId}`

/** Commit statuses on any commit of the repository (mode `report` sets them on the commits that tracked). */
export interface StatusClient {
  set(
    sha: string,
    context: string,
    state: StatusState,
    description: string,
    targetUrl: string,
    options?: CallOptions
  ): Promise<void>
  /** The newest state of `context` on `sha`, if any. */
  latest(sha: string, context: string): Promise<StatusState | undefined>
}

export function statusClient(github: GitHubClient): StatusClient {
  return {
    async set(sha, context, state, description, targetUrl, options) {
      const route = 'POST /repos/{owner}/{repo}/statuses/{sha}'
      // Redacted before it is cut: a secret across the cut would leave its first characters.
      const params = {
        sha,
        state,
        context,
        description: fitDescription(github.redact(description)),
        target_url: targetUrl
      }
      try {
        await github.request(route, params, options)
      } catch (error) {
        if (httpStatus(error) !== 403) throw error
        throw refusal(error, 'statuses: write')
      }
    },
    async latest(sha, context) {
      // Statuses come newest first; the first of this context is the current one. An answer that is
      // not a list, or more pages than are read, throws: "no earlier failure" must never be a guess.
      for (let page = 1; page <= MAX_STATUS_PAGES; page++) {
        const route = 'GET /repos/{owner}/{repo}/commits/{ref}/statuses'
        const data = await github.request(route, { ref: sha, per_page: 100, page })
        if (!Array.isArray(data)) throw new Error(`GitHub's list of the statuses of ${sha.slice(0, 12)} is not a list`)
        const found = (data as { context?: unknown; state?: unknown }[]).find(s => s.context === context)
        if (found) return STATES.has(found.state) ? (found.state as StatusState) : undefined
        if (data.length < 100) return undefined
      }
      throw new Error(
        `${sha.slice(0, 12)} has more than ${MAX_STATUS_PAGES * 100} statuses; ${context} is not among them`
      )
    }
  }
}
