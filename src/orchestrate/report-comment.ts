import type { Logger } from '../engine/types.js'
import type { Comment } from '../github/pr-comment.js'
import type { BatchFiles } from '../result-files/collect.js'
import { requestsText } from '../report/pr-comment-rows.js'
import { DEFAULT_CONTEXT, type CommentRow } from '../report/pr-comment-text.js'
import { errorMessage } from '../util/text.js'
import type { Reported } from './report-status.js'

/**
 * Updates the comment of each pull request with a reported batch tracked with `pr-comment`: the
 * batch's row changes from running to its outcome; rows of other batches stay as they were.
 */
export async function updateReportComments(
  comment: Comment<CommentRow> | undefined,
  reported: readonly Reported[],
  collected: ReadonlyMap<string, BatchFiles>,
  log: Logger
): Promise<void> {
  const byComment = new Map<string, { pr: number; context: string; rows: CommentRow[] }>()
  for (const item of reported) {
    const { pullRequest, prComment, commitStatus } = item.stored.entry
    if (!prComment || pullRequest === undefined) continue
    const context = commitStatus || DEFAULT_CONTEXT
    const key = `${pullRequest} ${context}`
    const group = byComment.get(key) ?? { pr: pullRequest, context, rows: [] }
    group.rows.push({
      batchId: item.result.batchId,
      icon: item.verdict.ok ? '✅' : '❌',
      status: item.result.status,
      requests: requestsText(collected.get(item.result.batchId))
    })
    byComment.set(key, group)
  }
  for (const { pr, context, rows } of byComment.values()) {
    if (!comment) {
      log.warning(`Could not comment on pull request #${pr}: no GitHub client.`)
      continue
    }
    try {
      await comment(pr, context, rows)
    } catch (error) {
      log.warning(`Could not comment on pull request #${pr}: ${errorMessage(error)}`)
    }
  }
}
