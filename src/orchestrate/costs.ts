import type { Logger, WaitAllResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { estimateCost, formatCost, whyNoEstimate, type CostReport, type PriceList } from '../result-files/cost.js'
import { fetchPrices, type PriceDeps } from '../result-files/prices.js'
import { UNREADABLE_LINE } from '../result-files/tally.js'
import { hasTokens, mergeUsage, type Usage } from '../result-files/usage.js'

/**
 * Prices the tokens of every batch whose results were read: one `GET /v1/models` for the whole step,
 * and only when some line reported tokens. Warns once when the estimate stays empty, saying why.
 */
export async function estimateCosts(
  deps: PriceDeps & { log: Logger },
  all: WaitAllResult,
  collected: ReadonlyMap<string, BatchFiles>,
  discountPercent: number | undefined
): Promise<CostReport> {
  const read = new Map<string, Usage>()
  const unread: string[] = []
  const unreadLines = new Map<string, number>()
  for (const result of all.results) {
    const files = collected.get(result.batchId)
    if (files?.usage) read.set(result.batchId, files.usage)
    else if (files) unread.push(result.batchId)
    const lines = files?.tally?.codes.get(UNREADABLE_LINE)?.count ?? 0
    if (lines > 0) unreadLines.set(result.batchId, lines)
  }
  const merged = mergeUsage([...read.values()])
  const list: PriceList = { discountPercent, ...(hasTokens(merged) ? await fetchPrices(deps) : {}) }
  const batches = new Map([...read].map(([id, usage]) => [id, estimateCost(usage, list)]))
  const total = estimateCost(merged, list)
  const why = whyNoEstimate(total, list)
  if (why !== undefined) deps.log.warning(`No cost estimate: ${why}.`)
  else if (total.cost !== undefined && hasTokens(merged)) {
    deps.log.info(`Estimated cost: $${formatCost(total.cost)} (${total.usage.totalTokens} tokens).`)
  }
  return { list, batches, total, unread, unreadLines }
}
