import type { Logger } from '../engine/types.js'
import { commentMarker, DEFAULT_CONTEXT, renderComment, type CommentRow } from '../report/pr-comment-text.js'
import type { Settings } from '../settings.js'
import { errorMessage } from '../util/text.js'
import {
  eventCommit,
  runUrl,
  statusClient,
  type EventCommit,
  type SetStatus,
  type StatusClient
} from './commit-status.js'
import { createLedger, type Ledger } from './ledger.js'
import { createGitHubClient, type GitHubClient } from './octokit.js'
import { createComment, type Comment, type CommentText } from './pr-comment.js'

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
  status: SetStatus
  /** The step's own comment on the head commit's pull request, with `pr-comment`; the same rules. */
  comment(rows: CommentRow[]): Promise<void>
  /** Statuses on any commit of the repository (mode `report` sets them on the commits that tracked). */
  statuses: StatusClient
  /** Comments on any pull request (mode `report`, for batches tracked with `pr-comment`). */
  comments: Comment<CommentRow>
  /** The ledger of tracked batches, on `ledger-branch`. */
  ledger: Ledger
  /** The commit the run is for: the pull request's head commit when the event has one. */
  headCommit(): Promise<EventCommit>
  /** The workflow run: the link every status and comment carries. */
  runUrl: string
}

/** What the service takes from the run: its cancel, its log, and what takes the secrets out. */
interface ServiceRun {
  signal: AbortSignal
  log: Logger
  redact: (text: string) => string
}

type Connect = typeof createGitHubClient

/**
 * The run's GitHub service, when a feature needs GitHub (`commit-status`, `pr-comment`, mode `track`
 * or `report`); undefined otherwise. A status or comment that cannot be set up is a warning (the
 * step's work matters more); a ledger that cannot be kept fails the step. `connect` makes the client
 * (tests shorten its timeout).
 */
export async function connectGitHub(
  settings: Settings,
  run: ServiceRun,
  connect: Connect = createGitHubClient
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

  const statusSha = wantStatus ? await ownStatusCommit(open, headCommit, run.log) : undefined
  const pullRequest = wantComment ? await ownPullRequest(open, headCommit, run.log) : undefined
  if (settings.mode !== 'wait') await open('no ledger can be kept')
  if (!client) return undefined

  const url = runUrl(settings.github)
  const statuses = statusClient(client)
  const comments = createComment(client, commentText(url, run.redact), settings.githubToken)
  const context = settings.commitStatus || DEFAULT_CONTEXT
  return {
    async status(state, description) {
      if (statusSha === undefined) return
      await statuses
        .set(statusSha, settings.commitStatus, state, description, url, { afterCancel: true })
        .catch((error: unknown) => run.log.warning(`Could not set the commit status: ${errorMessage(error)}`))
    },
    async comment(rows) {
      if (pullRequest === undefined) return
      await comments(pullRequest, context, rows).catch((error: unknown) =>
        run.log.warning(`Could not comment on pull request #${pullRequest}: ${errorMessage(error)}`)
      )
    },
    statuses,
    comments,
    ledger: createLedger(client, settings.ledgerBranch),
    headCommit,
    runUrl: url
  }
}

/** The commit the step's own status goes on; undefined, with a warning, when there is none. */
async function ownStatusCommit(
  open: (what: string) => Promise<GitHubClient>,
  headCommit: () => Promise<EventCommit>,
  log: Logger
): Promise<string | undefined> {
  try {
    await open('no commit status can be set')
    return (await headCommit()).sha
  } catch (error) {
    log.warning(`Could not set the commit status: ${errorMessage(error)}`)
    return undefined
  }
}

/** The pull request the step comments on; undefined when the run is not for one (or, warned, unreadable). */
async function ownPullRequest(
  open: (what: string) => Promise<GitHubClient>,
  headCommit: () => Promise<EventCommit>,
  log: Logger
): Promise<number | undefined> {
  try {
    const { pullRequest } = await headCommit()
    if (pullRequest === undefined) {
      log.info('pr-comment is set, but this run is not for a pull request: no comment.')
      return undefined
    }
    await open('no comment can be written')
    return pullRequest
  } catch (error) {
    log.warning(`Could not comment on the pull request: ${errorMessage(error)}`)
    return undefined
  }
}

/**
 * The report's wording of the pull request comment, with a link to this run. Statuses quote the server:
 * redacted before the comment escapes them (the client redacts what it sends again, escaped or not).
 */
function commentText(run: string, redact: (text: string) => string): CommentText<CommentRow> {
  return {
    marker: commentMarker,
    render: (context, rows, previous) =>
      renderComment(
        context,
        rows.map(row => ({ ...row, status: redact(row.status), reason: redact(row.reason) })),
        run,
        previous
      )
  }
}
