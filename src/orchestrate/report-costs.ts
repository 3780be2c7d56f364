import type { Logger, WaitAllResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { estimateCost, type CostReport } from '../result-files/cost.js'
import { emptyUsage } from '../result-files/usage.js'
import type { PriceDeps } from '../result-files/prices.js'
import { judgeCost } from '../verdict/cost.js'
import type { Verdict } from '../verdict/verdict.js'
import { estimateCosts } from './costs.js'
import type { Checked } from './report-judge.js'

/**
 * The `max-cost` verdict of each reported batch whose recorded settings set one: its own estimated
 * cost against its own limit, priced with one `GET /v1/models` per recorded `batch-discount` (usually
 * one for the whole run). A limit that cannot be checked fails, as in mode `wait`.
 */
export async function trackedCostVerdicts(
  deps: PriceDeps & { log: Logger },
  waited: WaitAllResult,
  checked: readonly Checked[],
  collected: ReadonlyMap<string, BatchFiles>
): Promise<Map<string, Verdict | undefined>> {
  const gated = checked.filter(c => c.disposition === 'final' && c.stored.entry.maxCost !== undefined)
  const byDiscount = new Map<number | undefined, Checked[]>()
  for (const c of gated) {
    const discount = c.stored.entry.batchDiscount
    byDiscount.set(discount, [...(byDiscount.get(discount) ?? []), c])
  }
  const verdicts = new Map<string, Verdict | undefined>()
  for (const [discount, group] of byDiscount) {
    const results = group.map(c => c.result)
    const report = await estimateCosts(deps, { ...waited, results }, collected, discount)
    for (const { result, stored } of group) {
      const id = result.batchId
      const own: CostReport = {
        list: report.list,
        batches: new Map([...report.batches].filter(([batchId]) => batchId === id)),
        total: report.batches.get(id) ?? estimateCost(emptyUsage(), report.list),
        unread: report.unread.filter(batchId => batchId === id),
        unreadLines: new Map([...report.unreadLines].filter(([batchId]) => batchId === id))
      }
      verdicts.set(id, judgeCost(own, stored.entry.maxCost))
    }
  }
  return verdicts
}
