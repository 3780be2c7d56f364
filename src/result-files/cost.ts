import type { ModelPricing } from '../together/types.js'
import { listFirst, oneLine, plural } from '../util/text.js'
import { mergeUsage, modelLabel, totalUsage, type ModelUsage, type Usage } from './usage.js'

/** List prices by model ID, US dollars per million tokens. */
export type Prices = ReadonlyMap<string, ModelPricing>

/** The prices an estimate uses, and why there are none when there are none. */
export interface PriceList {
  prices?: Prices
  /** Why `GET /v1/models` gave no prices. */
  error?: string
  /** `batch-discount`, in percent; undefined: list prices. */
  discountPercent?: number
}

export interface ModelCost {
  model: string
  usage: ModelUsage
  /** US dollars; undefined when the model has tokens and no price. */
  cost?: number
}

/** The estimated cost of some usage: per model, and in all (undefined when any model has no price). */
export interface CostEstimate {
  models: ModelCost[]
  usage: ModelUsage
  cost?: number
  /** Models with tokens and no price (labels, not escaped). */
  unpriced: string[]
}

/** A model's price: its exact ID, else the same ID in another case (the API is not strict about case). */
export function priceOf(prices: Prices | undefined, model: string): ModelPricing | undefined {
  if (!prices) return undefined
  const exact = prices.get(model)
  if (exact) return exact
  const lower = model.toLowerCase()
  for (const [id, price] of prices) if (id.toLowerCase() === lower) return price
  return undefined
}

/**
 * Dollars for the tokens at per-million prices, less the discount. A model without tokens costs
 * nothing; one with lines whose counts could not be read costs an unknown amount.
 */
export function modelCost(usage: ModelUsage, price: ModelPricing | undefined, discountPercent = 0): number | undefined {
  if (usage.uncounted > 0) return undefined
  if (usage.promptTokens === 0 && usage.completionTokens === 0) return 0
  if (!price) return undefined
  const list = (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000
  return list * (1 - discountPercent / 100)
}

/** Prices every model of `usage`, most expensive first (unpriced first of all, then by tokens). */
export function priceUsage(usage: Usage, list: PriceList): CostEstimate {
  const models = [...usage.entries()].map(([model, u]) => ({
    model,
    usage: u,
    cost: modelCost(u, priceOf(list.prices, model), list.discountPercent)
  }))
  models.sort(
    (a, b) =>
      (b.cost ?? Infinity) - (a.cost ?? Infinity) ||
      b.usage.totalTokens - a.usage.totalTokens ||
      a.model.localeCompare(b.model)
  )
  const unpriced = models.filter(m => m.cost === undefined && m.usage.uncounted === 0).map(m => modelLabel(m.model))
  const cost = models.every(m => m.cost !== undefined) ? models.reduce((sum, m) => sum + m.cost!, 0) : undefined
  return { models, usage: totalUsage(usage), cost, unpriced }
}

/** Why an estimate is empty, as one line for a warning or a verdict; undefined when it is not. */
export function whyNoEstimate(estimate: CostEstimate, list: PriceList): string | undefined {
  if (estimate.cost !== undefined) return undefined
  const uncounted = estimate.usage.uncounted
  if (uncounted > 0)
    return `${plural(uncounted, 'result line gives', 'result lines give')} token counts that cannot be read`
  if (list.error) return `the prices could not be fetched (${oneLine(list.error, 300)})`
  return `GET /v1/models lists no price for ${listFirst(
    estimate.unpriced.map(m => oneLine(m, 100)),
    5
  )}`
}

/** `3.4172`: the form of the `estimated-cost` output and of the summary's amounts. */
export const formatCost = (dollars: number): string => dollars.toFixed(4)

/** `list prices` or `list prices less a 50% batch discount`. */
export const describeBasis = (discountPercent: number | undefined): string =>
  discountPercent === undefined ? 'list prices' : `list prices less a ${discountPercent}% batch discount`

/** What one batch's results cost, as far as they could be read. */
interface BatchCost {
  /** Requests and tokens per model; empty when the results could not be read. */
  usage: Usage
  /** The usage priced. */
  estimate: CostEstimate
  /** What the estimate leaves out: the whole results (`unread`), or lines that could not be read. */
  incomplete?: 'unread' | { unreadLines: number }
}

/** The cost of a step: per batch whose results were asked for, and in all. */
export interface CostReport {
  list: PriceList
  batches: ReadonlyMap<string, BatchCost>
  /** Every batch together, folded from `batches`. */
  total: CostEstimate
}

/** The cost of some batches: each priced, and their sum. */
export function foldCosts(list: PriceList, usages: ReadonlyMap<string, BatchUsage>): CostReport {
  const batches = new Map<string, BatchCost>()
  for (const [id, { usage, incomplete }] of usages)
    batches.set(id, { usage, estimate: priceUsage(usage, list), ...(incomplete ? { incomplete } : {}) })
  return { list, batches, total: priceUsage(mergeUsage([...usages.values()].map(u => u.usage)), list) }
}

/** A batch's usage as read from its results, before pricing. */
export type BatchUsage = Pick<BatchCost, 'usage' | 'incomplete'>

/** The part of a report about some of its batches (mode report gates each batch by its own cost). */
export const costOf = (report: CostReport, ids: readonly string[]): CostReport =>
  foldCosts(report.list, new Map(ids.flatMap(id => (report.batches.has(id) ? [[id, report.batches.get(id)!]] : []))))

/** Why an estimate does not cover everything it should. */
export type CostGap =
  | { kind: 'unread'; batchIds: string[] }
  | { kind: 'lines'; batchId: string; lines: number; others: number }
  | { kind: 'estimate'; why: string }

/**
 * The one decision whether an estimate is complete: every batch's results read in full, and every
 * model priced. Undefined when it is; the gate, the outputs and the summary all ask here.
 */
export function costGap(report: CostReport): CostGap | undefined {
  const batches = [...report.batches]
  const unread = batches.filter(([, b]) => b.incomplete === 'unread').map(([id]) => id)
  if (unread.length > 0) return { kind: 'unread', batchIds: unread }
  const partly = batches.flatMap(([id, b]) =>
    typeof b.incomplete === 'object' ? [{ id, lines: b.incomplete.unreadLines }] : []
  )
  if (partly.length > 0)
    return { kind: 'lines', batchId: partly[0]!.id, lines: partly[0]!.lines, others: partly.length - 1 }
  const why = whyNoEstimate(report.total, report.list)
  return why === undefined ? undefined : { kind: 'estimate', why }
}

/**
 * The step's estimated cost when it is complete; undefined when it is not, or when no batch's
 * results were asked for at all (all timed out, say), which is not the same as costing nothing.
 */
export const knownTotal = (report: CostReport | undefined): number | undefined =>
  report && report.batches.size > 0 && !costGap(report) ? report.total.cost : undefined
