import type { WaitAllResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { Gate } from '../result-files/gate.js'
import type { FinalStatus } from '../together/status.js'
import { combine, judge, judgeResults } from '../verdict/verdict.js'
import type { CommentRow } from './pr-comment-text.js'

export const requestsText = (files: BatchFiles | undefined): string =>
  files?.tally ? `${files.tally.succeeded} ok, ${files.tally.failed} failed` : ''

/** A row per batch of a wait (or the check of mode track): still running, passed, or failed and why not. */
export function commentRows(
  waited: WaitAllResult,
  failOn: ReadonlySet<FinalStatus>,
  collected?: ReadonlyMap<string, BatchFiles>,
  gate?: Gate
): CommentRow[] {
  return waited.results.map(result => {
    const files = collected?.get(result.batchId)
    const verdict = combine(
      judge(result, failOn),
      collected ? judgeResults({ ...waited, results: [result] }, collected, gate) : undefined
    )
    const icon = result.outcome === 'pending' ? '🔄' : verdict.ok ? '✅' : '❌'
    return { batchId: result.batchId, icon, status: result.status, requests: requestsText(files) }
  })
}
