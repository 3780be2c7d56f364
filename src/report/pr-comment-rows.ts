import type { BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { costOf, knownTotal, type CostReport } from '../result-files/cost.js'
import type { BatchVerdict, FailedOn } from '../verdict/judge-batch.js'

/** One batch's line in the pull request comment. */
export interface CommentRow {
  batchId: string
  /** ✅ passed, ❌ failed, 🔄 still running. */
  icon: '✅' | '❌' | '🔄'
  status: string
  /** Requests that succeeded and failed, when the result files were counted. */
  requests?: { ok: number; failed: number }
  /** Estimated cost in US dollars, when the results were priced. */
  cost?: number
  /** What failed the batch, when it failed. */
  failedOn?: FailedOn
  /** Why it failed, in a few words (server text, redacted, not escaped); '' when it did not. */
  reason: string
}

/** The icon of a batch's verdict: still running, passed, or failed. */
const verdictIcon = (verdict: Pick<BatchVerdict, 'ok' | 'running'>): CommentRow['icon'] =>
  verdict.running ? '🔄' : verdict.ok ? '✅' : '❌'

/** A batch's row, from the verdict made on it and what its results counted and cost. */
export function commentRow(
  result: BatchResult,
  verdict: BatchVerdict,
  files?: BatchFiles,
  cost?: CostReport
): CommentRow {
  const tally = files?.tally
  const own = cost && knownTotal(costOf(cost, [result.batchId]))
  return {
    batchId: result.batchId,
    icon: verdictIcon(verdict),
    status: result.status,
    ...(tally ? { requests: { ok: tally.succeeded, failed: tally.failed } } : {}),
    ...(own !== undefined && files?.usage ? { cost: own } : {}),
    ...(verdict.failedOn ? { failedOn: verdict.failedOn } : {}),
    reason: verdict.reason
  }
}

/** A row per batch, from the verdicts made on them. */
export function commentRows(
  results: readonly BatchResult[],
  verdicts: readonly BatchVerdict[],
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
): CommentRow[] {
  return results.map((result, i) => commentRow(result, verdicts[i]!, collected?.get(result.batchId), cost))
}
