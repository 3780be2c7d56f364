import type { BatchFiles } from '../result-files/collect.js'
import { foldCosts, formatCost, whyNoEstimate, type BatchUsage, type CostReport } from '../result-files/cost.js'
import { fetchPrices, type PriceDeps } from '../result-files/prices.js'
import { UNREADABLE_LINE } from '../result-files/tally.js'
import { emptyUsage, hasTokens, mergeUsage } from '../result-files/usage.js'

/**
 * Prices the tokens of every batch whose results were asked for (`collected`): one `GET /v1/models`
 * for the whole step, and only when some line reported tokens. Warns once when the estimate stays
 * empty, saying why.
 */
export async function priceResults(
  deps: PriceDeps,
  batchIds: readonly string[],
  collected: ReadonlyMap<string, BatchFiles>,
  discountPercent: number | undefined
): Promise<CostReport> {
  const usages = new Map<string, BatchUsage>()
  for (const id of batchIds) {
    const files = collected.get(id)
    if (!files) continue
    const lines = files.tally?.codes.get(UNREADABLE_LINE)?.count ?? 0
    if (!files.usage) usages.set(id, { usage: emptyUsage(), incomplete: 'unread' })
    else usages.set(id, { usage: files.usage, ...(lines > 0 ? { incomplete: { unreadLines: lines } } : {}) })
  }
  const merged = mergeUsage([...usages.values()].map(u => u.usage))
  const list = { discountPercent, ...(hasTokens(merged) ? await fetchPrices(deps) : {}) }
  const report = foldCosts(list, usages)
  const why = whyNoEstimate(report.total, list)
  if (why !== undefined) deps.log.warning(`No cost estimate: ${why}.`)
  else if (report.total.cost !== undefined && hasTokens(merged)) {
    deps.log.info(`Estimated cost: $${formatCost(report.total.cost)} (${report.total.usage.totalTokens} tokens).`)
  }
  return report
}
