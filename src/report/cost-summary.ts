import { formatCost, whyNoEstimate, type CostEstimate, type CostReport, type ModelCost } from '../result-files/cost.js'
import { modelLabel, type ModelUsage } from '../result-files/usage.js'
import { code, escapeText } from './escape.js'
import { listFirst, plural } from '../util/text.js'

const MAX_MODEL_ROWS = 50
/** Batches named in a warning about results that could not be read. */
const MAX_LISTED = 10

/** `1,234,567`: token counts read at a glance. */
export const groupDigits = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** `$3.4172`, with the dollar sign as an entity: two bare `$` in a line would start TeX math on GitHub. */
export const dollarsHtml = (amount: number): string => `&#36;${formatCost(amount)}`

/** A batch's cost for the several-batches table: '' when its results were not read. */
export function costCell(report: CostReport | undefined, batchId: string): string {
  const batch = report?.batches.get(batchId)
  if (!batch || batch.incomplete === 'unread') return ''
  return batch.estimate.cost === undefined ? 'no price' : dollarsHtml(batch.estimate.cost)
}

function cells(usage: ModelUsage, cost: string): string {
  return `<td>${groupDigits(usage.requests)}</td><td>${groupDigits(usage.promptTokens)}</td><td>${groupDigits(usage.completionTokens)}</td><td>${cost}</td>`
}

const modelRow = (m: ModelCost): string =>
  `<tr><td>${code(modelLabel(m.model))}</td>${cells(m.usage, m.cost === undefined ? 'no price' : dollarsHtml(m.cost))}</tr>`

/** Which prices the estimate used, always said, so a reader knows what the figure means. */
function basis(report: CostReport): string {
  const source = "Estimated from Together's list prices (<code>GET /v1/models</code>, US dollars per million tokens)"
  const discount = report.list.discountPercent
  return discount === undefined
    ? `${source}, with no batch discount: set <code>batch-discount</code> if your models are billed at one.`
    : `${source}, less a ${discount}% batch discount (<code>batch-discount</code>).`
}

function table(total: CostEstimate): string[] {
  const rows = [
    '<table>',
    '<tr><th>model</th><th>requests</th><th>prompt tokens</th><th>completion tokens</th><th>estimated cost</th></tr>',
    ...total.models.slice(0, MAX_MODEL_ROWS).map(modelRow)
  ]
  if (total.models.length > MAX_MODEL_ROWS)
    rows.push(`<tr><td colspan="5">… ${total.models.length - MAX_MODEL_ROWS} more models</td></tr>`)
  const cost = total.cost === undefined ? 'unknown' : `<b>${dollarsHtml(total.cost)}</b>`
  rows.push(`<tr><th align="left">total</th>${cells(total.usage, cost)}</tr>`, '</table>')
  return rows
}

/**
 * The tokens and estimated cost of every batch whose results were read: a row per model and a
 * total, the pricing basis, and why there is no estimate when there is none. '' when nothing was read.
 */
export function costSection(report: CostReport | undefined): string {
  if (!report || report.batches.size === 0) return ''
  const parts = ['', '### Tokens and estimated cost', '', ...table(report.total), '', basis(report)]
  const why = whyNoEstimate(report.total, report.list)
  if (why !== undefined) parts.push('', `⚠️ No cost estimate: ${escapeText(why, 600)}.`)
  const batches = [...report.batches]
  const unread = batches.filter(([, b]) => b.incomplete === 'unread').map(([id]) => id)
  if (unread.length > 0) {
    const ids = listFirst(
      unread.map(id => code(id)),
      MAX_LISTED
    )
    parts.push('', `⚠️ Not included: the results of ${ids} could not be read.`)
  }
  const partly = batches.flatMap(([id, b]) =>
    typeof b.incomplete === 'object' ? [[id, b.incomplete.unreadLines] as const] : []
  )
  for (const [id, lines] of partly.slice(0, MAX_LISTED)) {
    parts.push('', `⚠️ Not included: ${plural(lines, 'line')} of the results of ${code(id)} could not be read.`)
  }
  return `${parts.join('\n')}\n`
}
