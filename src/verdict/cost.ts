import { describeBasis, formatCost, whyNoEstimate, type CostReport } from '../result-files/cost.js'
import { plural } from '../util/text.js'
import type { Verdict } from './verdict.js'

const dollars = (amount: number): string => `$${formatCost(amount)}`

/**
 * `max-cost` over every batch of the step. It fails closed: when the estimate cannot be made (results
 * not read, no price for a model, prices not fetched) the step fails and says why. Undefined when
 * there is no limit, or the estimate is within it. Batches that have not finished are not counted.
 */
export function judgeCost(report: CostReport | undefined, maxCost: number | undefined): Verdict | undefined {
  if (maxCost === undefined || report === undefined) return undefined
  // The limit as the user would write it: $25.00, $1.60, $0.005.
  const limit = `max-cost $${Number.isInteger(maxCost * 100) ? maxCost.toFixed(2) : String(maxCost)}`
  if (report.unread.length > 0) {
    const ids = report.unread.slice(0, 5).join(', ')
    return { ok: false, message: `Cannot check ${limit}: the results of batch ${ids} could not be read.` }
  }
  const [partly, ...others] = report.unreadLines
  if (partly) {
    const more = others.length > 0 ? ` (and in ${plural(others.length, 'more batch', 'more batches')})` : ''
    return {
      ok: false,
      message: `Cannot check ${limit}: ${plural(partly[1], 'line')} of the results of batch ${partly[0]}${more} could not be read, so what they cost is unknown.`
    }
  }
  const why = whyNoEstimate(report.total, report.list)
  if (why !== undefined) {
    return { ok: false, message: `Cannot check ${limit}: ${why}. A cost gate that cannot be checked fails.` }
  }
  // Compared as shown (the `estimated-cost` output), so the message never reads "$10.0000 is more than $10.0000".
  const cost = Number(formatCost(report.total.cost!))
  if (cost <= maxCost) return undefined
  const batches = report.batches.size === 1 ? '' : ` of ${report.batches.size} batches`
  return {
    ok: false,
    message: `Estimated cost${batches} ${dollars(cost)} is more than ${limit} (${describeBasis(report.list.discountPercent)}).`
  }
}
