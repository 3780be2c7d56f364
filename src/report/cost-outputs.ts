import type { BatchFiles } from '../result-files/collect.js'
import { formatCost, knownTotal, type CostReport } from '../result-files/cost.js'
import { totalUsage } from '../result-files/usage.js'

/** The token and cost fields of one `batches` entry, when its results were read. */
export function batchCostFields(batchId: string, files?: BatchFiles, cost?: CostReport): Record<string, unknown> {
  if (!files?.usage) return {}
  const usage = totalUsage(files.usage)
  const estimate = cost?.batches.get(batchId)?.estimate.cost
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    estimated_cost: estimate === undefined ? null : Number(formatCost(estimate))
  }
}

/**
 * `prompt-tokens`, `completion-tokens`, `total-tokens` (one batch, when its results were read) and
 * `estimated-cost` (every batch of the step together, when every price is known); '' otherwise.
 */
export function costOutputs(files: BatchFiles | undefined, cost?: CostReport): Record<string, string> {
  const usage = files?.usage ? totalUsage(files.usage) : undefined
  const total = knownTotal(cost)
  return {
    'prompt-tokens': usage ? String(usage.promptTokens) : '',
    'completion-tokens': usage ? String(usage.completionTokens) : '',
    'total-tokens': usage ? String(usage.totalTokens) : '',
    'estimated-cost': total === undefined ? '' : formatCost(total)
  }
}
