import type { WaitResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { BatchVerdict } from '../verdict/judge-batch.js'
import type { CommentRow } from './pr-comment-text.js'

export const requestsText = (files: BatchFiles | undefined): string =>
  files?.tally ? `${files.tally.succeeded} ok, ${files.tally.failed} failed` : ''

/** The icon of a batch's verdict: still running, passed, or failed. */
export const verdictIcon = (verdict: Pick<BatchVerdict, 'ok' | 'running'>): CommentRow['icon'] =>
  verdict.running ? '🔄' : verdict.ok ? '✅' : '❌'

/** A row per batch, from the verdict made on it: still running, passed, or failed. */
export function commentRows(
  results: readonly WaitResult[],
  verdicts: readonly BatchVerdict[],
  collected?: ReadonlyMap<string, BatchFiles>
): CommentRow[] {
  return results.map((result, i) => ({
    batchId: result.batchId,
    icon: verdictIcon(verdicts[i]!),
    status: result.status,
    requests: requestsText(collected?.get(result.batchId))
  }))
}
