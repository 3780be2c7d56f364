import { readFile } from 'node:fs/promises'

/** The workflow run as the runner describes it in its environment (read by settings). */
export interface GitHubTarget {
  apiUrl: string
  serverUrl: string
  /** `owner/repo`; '' outside Actions. */
  repository: string
  sha: string
  runId: string
  /** The event payload's file, for a pull request's head commit. */
  eventPath: string
}

type StatusState = 'pending' | 'success' | 'failure' | 'error'

/** Sets one commit status on the workflow's commit. */
export type SetStatus = (state: StatusState, description: string) => Promise<void>

/** One GitHub call may take this long; a status that cannot be set is only worth a warning. */
const GITHUB_CALL_TIMEOUT_MS = 10_000
/** The final status after a cancel has this long: SIGTERM follows the first signal by 7.5 s. */
const AFTER_CANCEL_TIMEOUT_MS = 1500
const SHA = /^[0-9a-f]{40}$/i
/** An event payload larger than this is not read (a pull request event is a few hundred KB at most). */
const MAX_EVENT_BYTES = 25 * 1024 * 1024

/** The pull request's head commit when the event has one (the merge commit is not what reviewers see). */
async function headSha(target: GitHubTarget): Promise<string> {
  if (target.eventPath) {
    try {
      const text = await readFile(target.eventPath, 'utf8')
      if (text.length <= MAX_EVENT_BYTES) {
        const event = JSON.parse(text) as { pull_request?: { head?: { sha?: unknown } } }
        const sha = event.pull_request?.head?.sha
        if (typeof sha === 'string' && SHA.test(sha)) return sha
      }
    } catch {
      // No readable event: the workflow's own commit is the right one.
    }
  }
  if (!SHA.test(target.sha)) throw new Error(`GITHUB_SHA is not a commit SHA, so no commit status can be set.`)
  return target.sha
}

/**
 * Commit statuses through @actions/github, loaded only when a status is asked for (it is a sixth of
 * the bundle). Every call is bounded by `timeoutMs` and stops when `signal` aborts.
 */
export async function createCommitStatus(
  target: GitHubTarget,
  token: string,
  contextName: string,
  signal: AbortSignal,
  timeoutMs = GITHUB_CALL_TIMEOUT_MS
): Promise<SetStatus> {
  const [owner, repo, ...rest] = target.repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new Error('GITHUB_REPOSITORY is not owner/repo, so no commit status can be set (is this a workflow run?).')
  }
  const sha = await headSha(target)
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(token, { baseUrl: target.apiUrl.replace(/\/+$/, '') })
  const targetUrl = `${target.serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/actions/runs/${target.runId}`
  // A GitHub API that did not answer once is not asked again in this run: each call would cost the
  // whole timeout again, and the step's own work matters more than its status.
  let unanswered = false
  return async (state, description) => {
    if (unanswered) throw new Error(`skipped, GitHub did not answer the previous call within ${timeoutMs / 1000}s`)
    // After a cancel the final status still goes out, briefly: a status left pending would block a
    // protected branch for good, and the runner's grace period leaves a second or two for it.
    const cancelled = signal.aborted
    const timeout = AbortSignal.timeout(cancelled ? Math.min(timeoutMs, AFTER_CANCEL_TIMEOUT_MS) : timeoutMs)
    try {
      await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha,
        state,
        context: contextName,
        description,
        target_url: targetUrl,
        request: { signal: cancelled ? timeout : AbortSignal.any([signal, timeout]) }
      })
    } catch (error) {
      if (!timeout.aborted) throw error
      unanswered = true
      throw new Error(`GitHub did not answer in time`, { cause: error })
    }
  }
}
