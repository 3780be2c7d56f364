import { commentMarker, renderComment, type CommentRow } from '../report/pr-comment-text.js'
import type { FailedOn } from '../verdict/judge-batch.js'
import { httpStatus, isPullRequest, refusal, type GitHubClient } from './octokit.js'

/**
 * Updates (or creates) the step's comment on one pull request. `stepFailure` names what failed the
 * step besides its rows, for the headline.
 */
export type Comment = (
  pullRequest: number,
  context: string,
  rows: readonly CommentRow[],
  stepFailure?: FailedOn
) => Promise<void>

/** Pull requests listed per commit at most: a commit is the head of a handful at the very most. */
export const MAX_PULLS = 20

/**
 * The open pull requests whose head is `sha` (a push, schedule or dispatch run is for a commit, not
 * a pull request): GET /repos/{owner}/{repo}/commits/{sha}/pulls. Throws what GitHub said.
 */
export async function pullRequestsOf(github: GitHubClient, sha: string): Promise<number[]> {
  const data = await github.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
    commit_sha: sha,
    per_page: 100
  })
  if (!Array.isArray(data)) throw new Error(`GitHub's list of the pull requests of ${sha.slice(0, 12)} is not a list`)
  const numbers = (data as { number?: unknown; state?: unknown; head?: { sha?: unknown } | null }[])
    .filter(
      pr => pr.state === 'open' && typeof pr.head?.sha === 'string' && pr.head.sha.toLowerCase() === sha.toLowerCase()
    )
    .map(pr => pr.number)
    .filter(isPullRequest)
  return [...new Set(numbers)].slice(0, MAX_PULLS)
}

/** Comments are looked for on this many pages of 100 at most. */
const MAX_PAGES = 10

interface IssueComment {
  id?: unknown
  body?: unknown
  user?: { login?: unknown; type?: unknown } | null
}

/**
 * Which comments this token wrote: anyone may post a comment that starts with the marker. An
 * installation token's (`ghs_`, as GITHUB_TOKEN is) are written by its app's bot; any other token's
 * by its user, as GET /user says. A token whose user cannot be told owns no comment: a new one is made.
 */
async function ownership(github: GitHubClient, token: string): Promise<(comment: IssueComment) => boolean> {
  if (token.startsWith('ghs_')) return comment => comment.user?.type === 'Bot'
  const me = (await github.request('GET /user').catch(() => undefined)) as { login?: unknown } | undefined
  const login = typeof me?.login === 'string' ? me.login : undefined
  return comment => login !== undefined && comment.user?.login === login
}

async function findComment(
  github: GitHubClient,
  pr: number,
  marker: string,
  own: (comment: IssueComment) => boolean
): Promise<IssueComment | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const data = await github.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      issue_number: pr,
      per_page: 100,
      page
    })
    if (!Array.isArray(data)) return undefined
    const found = (data as IssueComment[]).find(c => typeof c.body === 'string' && c.body.startsWith(marker) && own(c))
    if (found || data.length < 100) return found
  }
  return undefined
}

/**
 * One comment per pull request and context, created once and then edited in place (found by its
 * hidden marker, among the comments this token wrote), worded by the report with a link to the run
 * (`runUrl`) and the rows of other steps kept. A token that may not comment (403) is said once; later
 * comments in the run are skipped rather than warned about again.
 */
export function createComment(github: GitHubClient, token: string, runUrl: string): Comment {
  let refused: string | undefined
  let own: Promise<(comment: IssueComment) => boolean> | undefined
  return async (pr, context, rows, stepFailure) => {
    if (refused) throw new Error(`skipped, ${refused}`)
    try {
      const marker = commentMarker(context)
      own ??= ownership(github, token)
      const found = await findComment(github, pr, marker, await own)
      const previous = typeof found?.body === 'string' ? found.body : ''
      // Statuses quote the server: redacted before the comment escapes them (the client redacts what
      // it sends again, escaped or not).
      const redacted = rows.map(row => ({
        ...row,
        status: github.redact(row.status),
        reason: github.redact(row.reason)
      }))
      const body = renderComment(context, redacted, runUrl, previous, stepFailure)
      if (typeof found?.id === 'number')
        await github.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { comment_id: found.id, body })
      else await github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: pr, body })
    } catch (error) {
      if (httpStatus(error) === 403) {
        refused = 'GitHub refused the previous comment (HTTP 403)'
        throw refusal(error, 'pull-requests: write')
      }
      throw error
    }
  }
}
