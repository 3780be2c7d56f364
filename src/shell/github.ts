import type { Logger } from '../engine/types.js'
import { eventCommit, runUrl, statusClient } from '../github/commit-status.js'
import { createLedger } from '../github/ledger.js'
import { createGitHubClient } from '../github/octokit.js'
import { createComment, type Comment, type CommentText } from '../github/pr-comment.js'
import type { LedgerDeps } from '../orchestrate/dispatch.js'
import { commentMarker, DEFAULT_CONTEXT, renderComment, type CommentRow } from '../report/pr-comment-text.js'
import type { Settings } from '../settings.js'
import { errorMessage } from '../util/text.js'

/** The ledger, statuses and comments of modes `track` and `report`; what they send passes `redact`. */
export async function ledgerDeps(
  settings: Settings,
  signal: AbortSignal,
  redact: (text: string) => string
): Promise<LedgerDeps> {
  const github = await createGitHubClient(settings.github, settings.githubToken, signal, 'no ledger can be kept', {
    redact
  })
  return {
    ledger: createLedger(github, settings.ledgerBranch),
    commit: () => eventCommit(settings.github),
    statuses: statusClient(github),
    comment:
      settings.mode === 'report'
        ? createComment(github, commentText(runUrl(settings.github), redact), settings.githubToken)
        : undefined
  }
}

/**
 * The step's own pull request comment (modes `wait` and `track`), when `pr-comment` is set and the
 * event is a pull request. Never throws: a comment that cannot be written is a warning.
 */
export async function stepComment(
  settings: Settings,
  signal: AbortSignal,
  log: Logger,
  redact: (text: string) => string
): Promise<((rows: CommentRow[]) => Promise<void>) | undefined> {
  if (!settings.prComment || settings.mode === 'report') return undefined
  let comment: Comment<CommentRow>
  let pr: number | undefined
  try {
    pr = (await eventCommit(settings.github)).pullRequest
    if (pr === undefined) {
      log.info('pr-comment is set, but this run is not for a pull request: no comment.')
      return undefined
    }
    const github = await createGitHubClient(
      settings.github,
      settings.githubToken,
      signal,
      'no comment can be written',
      {
        redact
      }
    )
    comment = createComment(github, commentText(runUrl(settings.github), redact), settings.githubToken)
  } catch (error) {
    log.warning(`Could not comment on the pull request: ${errorMessage(error)}`)
    return undefined
  }
  const context = settings.commitStatus || DEFAULT_CONTEXT
  return rows =>
    comment(pr, context, rows).catch((error: unknown) =>
      log.warning(`Could not comment on pull request #${pr}: ${errorMessage(error)}`)
    )
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
        rows.map(row => ({ ...row, status: redact(row.status) })),
        run,
        previous
      )
  }
}
