import { costGap, describeBasis, formatCost, type CostGap, type CostReport } from '../result-files/cost.js'
import { listFirst, plural } from '../util/text.js'
import type { Verdict } from './verdict.js'

const dollars = (amount: number): string => `$${formatCost(amount)}`

function cannotCheck(gap: CostGap): string {
  switch (gap.kind) {
    case 'unread':
      return `the results of batch ${listFirst(gap.batchIds, 5)} could not be read.`
    case 'lines': {
      const more = gap.others > 0 ? ` (and in ${plural(gap.others, 'more batch', 'more batches')})` : ''
      return `${plural(gap.lines, 'line')} of the results of batch ${gap.batchId}${more} could not be read, so what they cost is unknown.`
    }
    case 'estimate':
      return `${gap.why}. A cost gate that cannot be checked fails.`
  }
}

/**
 * `max-cost` over the batches of `report`. It fails closed: when the estimate is not complete (results
 * not read, no price for a model, prices not fetched) it fails and says why. Undefined when there is
 * no limit, or the estimate is within it. Batches that have not finished are not counted.
 */
export function judgeCost(report: CostReport | undefined, maxCost: number | undefined): Verdict | undefined {
  if (maxCost === undefined || report === undefined) return undefined
  // The limit as the user would write it: $25.00, $1.60, $0.005.
  const limit = `max-cost $${Number.isInteger(maxCost * 100) ? maxCost.toFixed(2) : String(maxCost)}`
  const gap = costGap(report)
  if (gap) return { ok: false, message: `Cannot check ${limit}: ${cannotCheck(gap)}` }
  // Compared as shown (the `estimated-cost` output), so the message never reads "$10.0000 is more than $10.0000".
  const cost = Number(formatCost(report.total.cost!))
  if (cost <= maxCost) return undefined
  const batches = report.batches.size === 1 ? '' : ` of ${report.batches.size} batches`
  return {
    ok: false,
    message: `Estimated cost${batches} ${dollars(cost)} is more than ${limit} (${describeBasis(report.list.discountPercent)}).`
  }
}
