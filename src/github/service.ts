import type { Effects, Logger } from '../util/effects.js'
import { DEFAULT_CONTEXT, type CommentRow } from '../report/pr-comment-text.js'
import type { Settings } from '../settings.js'
import { errorMessage } from '../util/text.js'
import {
  eventCommit,
  runUrl,
  statusClient,
  type EventCommit,
  type StatusState,
  type StatusClient
} from './commit-status.js'
import { createLedger, type Ledger } from './ledger.js'
import { createGitHubClient, httpStatus, type GitHubClient } from './octokit.js'
import { createComment, pullRequestsOf, type Comment } from './pr-comment.js'
import type { FailedOn } from '../verdict/judge-batch.js'

/**
 * Everything the run does on GitHub, over one client: one Octokit, so one breaker (once a call has
 * gone unanswered, every later call of the run is skipped at once) and one redactor for all it sends.
 */
export interface GitHub {
  /**
   * The step's own commit status: `commit-status` on the head commit, and after a cancel still one
   * brief try. A no-op when none is asked for or none can be set (a warning said why); never throws:
   * a failure is a warning.
   */
  status: (state: StatusState, description: string) => Promise<void>
  /**
   * The step's own comment on the pull requests of the head commit, with `pr-comment`; the same
   * rules. `stepFailure` names what failed the step besides its rows.
   */
  comment(rows: CommentRow[], stepFailure?: FailedOn): Promise<void>
  /** The pull requests the step comments on: the event's, or the open ones whose head is the commit. */
  pullRequests(): Promise<number[]>
  /** The open pull requests whose head is `sha` (mode `report`, for entries tracked without one). */
  pullRequestsOf(sha: string): Promise<number[]>
  /** Statuses on any commit of the repository (mode `report` sets them on the commits that tracked). */
  statuses: StatusClient
  /** Comments on any pull request (mode `report`, for batches tracked with `pr-comment`). */
  comments: Comment
  /** The ledger of tracked batches, on `ledger-branch`. */
  ledger: Ledger
  /** The commit the run is for: the pull request's head commit when the event has one. */
  headCommit(): Promise<EventCommit>
  /** The workflow run: the link every status and comment carries. */
  runUrl: string
}

/** What the service takes from the run: its cancel, its log, and what takes the secrets out. */
type ServiceRun = Pick<Effects, 'log' | 'redact'> & { signal: AbortSignal }

/** A failure said in a warning, `Could not <what>: <why>`; the step's work goes on. */
const couldNot =
  (log: Pick<Logger, 'warning'>, what: string) =>
  (error: unknown): undefined => {
    log.warning(`Could not ${what}: ${errorMessage(error)}`)
    return undefined
  }

/**
 * The run's GitHub service, when a feature needs GitHub (`commit-status`, `pr-comment`, mode `track`
 * or `report`); undefined otherwise. A status or comment that cannot be set up is a warning (the
 * step's work matters more); a ledger that cannot be kept fails the step. `connect` makes the client
 * (tests shorten its timeout).
 */
export async function connectGitHub(
  settings: Settings,
  run: ServiceRun,
  connect: typeof createGitHubClient = createGitHubClient
): Promise<GitHub | undefined> {
  const own = settings.mode !== 'report'
  const wantStatus = own && settings.commitStatus !== ''
  const wantComment = own && settings.prComment
  if (!wantStatus && !wantComment && settings.mode === 'wait') return undefined
  // Made once, by the first feature that can use it; each feature says in its own words why it cannot.
  let client: GitHubClient | undefined
  const open = async (what: string): Promise<GitHubClient> =>
    (client ??= await connect(settings.github, settings.githubToken, run.signal, what, { redact: run.redact }))
  let head: Promise<EventCommit> | undefined
  const headCommit = (): Promise<EventCommit> => (head ??= eventCommit(settings.github))

  const statusSha = wantStatus
    ? await open('no commit status can be set')
        .then(async () => (await headCommit()).sha)
        .catch(couldNot(run.log, 'set the commit status'))
    : undefined
  const pullRequests = wantComment ? await ownPullRequests(open, headCommit, run.log) : []
  if (settings.mode !== 'wait') await open('no ledger can be kept')
  if (!client) return undefined

  const url = runUrl(settings.github)
  const statuses = statusClient(client)
  const comments = createComment(client, settings.githubToken, url)
  const context = settings.commitStatus || DEFAULT_CONTEXT
  return {
    async status(state, description) {
      if (statusSha === undefined) return
      await statuses
        .set(statusSha, settings.commitStatus, state, description, url, { afterCancel: true })
        .catch(couldNot(run.log, 'set the commit status'))
    },
    async comment(rows, stepFailure) {
      for (const pr of pullRequests)
        await comments(pr, context, rows, stepFailure).catch(couldNot(run.log, `comment on pull request #${pr}`))
    },
    // Without pr-comment no pull request was looked up: the event's own, if it has one, is recorded.
    async pullRequests() {
      if (wantComment) return pullRequests
      const { pullRequest } = await headCommit()
      return pullRequest === undefined ? [] : [pullRequest]
    },
    pullRequestsOf: sha => pullRequestsOf(client!, sha),
    statuses,
    comments,
    ledger: createLedger(client, settings.ledgerBranch),
    headCommit,
    runUrl: url
  }
}

/**
 * The pull requests the step comments on: the event's, or, when the event is not a pull request
 * (push, schedule, workflow_dispatch), the open ones whose head is the commit. None found is an info
 * line; a lookup GitHub refuses is one warning, never the step's outcome.
 */
async function ownPullRequests(
  open: (what: string) => Promise<GitHubClient>,
  headCommit: () => Promise<EventCommit>,
  log: Logger
): Promise<number[]> {
  let sha = ''
  try {
    const commit = await headCommit()
    sha = commit.sha
    const client = await open('no comment can be written')
    if (commit.pullRequest !== undefined) return [commit.pullRequest]
    const found = await pullRequestsOf(client, sha)
    if (found.length === 0)
      log.info(`pr-comment is set, but no open pull request has commit ${sha.slice(0, 12)} at its head: no comment.`)
    return found
  } catch (error) {
    const lookup = sha && httpStatus(error) === 403 ? ' (the job needs pull-requests: read to find them)' : ''
    log.warning(`Could not comment on the pull request: ${errorMessage(error)}${lookup}`)
    return []
  }
}
