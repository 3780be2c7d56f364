import { statusToken } from '../together/status.js'
import type { Verdict } from '../verdict/verdict.js'
import type { WaitResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { mergeTallies, type Tally } from '../result-files/tally.js'

export function pendingDescription(batchIds: readonly string[]): string {
  return batchIds.length === 1
    ? `Waiting for Together batch ${batchIds[0]!}`
    : `Waiting for ${batchIds.length} Together batches`
}

/** `COMPLETED · 998/1000 requests ok`, `2/3 batches completed`, or the failure's own line. */
export function finalDescription(
  results: readonly WaitResult[],
  verdict: Verdict,
  collected?: ReadonlyMap<string, BatchFiles>
): string {
  if (!verdict.ok) return verdict.message
  const tallies = results.map(r => collected?.get(r.batchId)?.tally).filter((t): t is Tally => t !== undefined)
  const sum = mergeTallies(tallies)
  const total = sum.succeeded + sum.failed
  const requests = tallies.length === results.length && total > 0 ? ` · ${sum.succeeded}/${total} requests ok` : ''
  if (results.length === 1) return `${statusToken(results[0]!.status)}${requests}`
  const completed = results.filter(r => r.outcome === 'completed').length
  return `${completed}/${results.length} batches completed${requests}`
}
