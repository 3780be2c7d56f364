import { statusToken } from '../together/status.js'
import type { BatchJob } from '../together/types.js'
import type { WaitReport, BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { formatCost, knownTotal, type CostReport } from '../result-files/cost.js'
import { totalUsage } from '../result-files/usage.js'

/** Longest string field kept in the `batch` output, so one huge error message cannot bloat it. */
const MAX_FIELD = 4096

function compact(job: BatchJob): BatchJob {
  const copy: Record<string, unknown> = { ...job }
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'string' && value.length > MAX_FIELD) copy[key] = `${value.slice(0, MAX_FIELD)}…`
  }
  return copy
}

/** One entry of the `batches` output, with its tokens and cost when its results were read. */
export function batchEntry(result: BatchResult, files?: BatchFiles, cost?: CostReport): Record<string, unknown> {
  const job = result.batch
  const counts = files?.tally
    ? {
        output_path: files.outputPath ?? null,
        error_path: files.errorPath ?? null,
        succeeded_requests: files.tally.succeeded,
        failed_requests: files.tally.failed
      }
    : {}
  const usage = files?.usage && totalUsage(files.usage)
  const estimate = cost?.batches.get(result.batchId)?.estimate.cost
  const tokens = usage
    ? {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
        estimated_cost: estimate === undefined ? null : Number(formatCost(estimate))
      }
    : {}
  return {
    id: result.batchId,
    status: statusToken(result.status),
    progress: result.progress ?? null,
    output_file_id: job?.output_file_id ?? null,
    error_file_id: job?.error_file_id ?? null,
    error: job?.error ? job.error.slice(0, MAX_FIELD) : null,
    timed_out: result.outcome === 'timed-out',
    ...counts,
    ...tokens
  }
}

/**
 * The step's outputs, as strings; every output is present ('' when unknown) so later steps can rely
 * on it. With several batches the per-batch scalars are left empty (see `batches`), and `status` is
 * COMPLETED when all completed, else the status of the first batch, in input order, that did not.
 * `estimated-cost` is every batch of the step together, when every price is known.
 * `batch-id` and `input-file-id` are the submit step's (orchestrate/submit-step.ts); with one batch,
 * the input file the batch names is `input-file-id`.
 */
export function buildOutputs(
  all: WaitReport,
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
): Record<string, string> {
  const one = all.results.length === 1 ? all.results[0] : undefined
  const shown = one ?? all.results.find(r => r.outcome !== 'completed')
  const job = one?.batch
  const files = one && collected?.get(one.batchId)
  const usage = files?.usage && totalUsage(files.usage)
  const total = knownTotal(cost)
  return {
    // Set by the submit step first ('' for given batches): only a file the batch names replaces it.
    ...(job?.input_file_id ? { 'input-file-id': job.input_file_id } : {}),
    status: shown ? statusToken(shown.status) : 'COMPLETED',
    'output-file-id': job?.output_file_id ?? '',
    'error-file-id': job?.error_file_id ?? '',
    progress: String(one?.progress ?? ''),
    error: (job?.error ?? '').slice(0, MAX_FIELD),
    batch: job ? JSON.stringify(compact(job)) : '',
    'timed-out': String(all.results.some(r => r.outcome === 'timed-out')),
    'output-path': files?.outputPath ?? '',
    'error-path': files?.errorPath ?? '',
    'succeeded-requests': files?.tally ? String(files.tally.succeeded) : '',
    'failed-requests': files?.tally ? String(files.tally.failed) : '',
    'prompt-tokens': usage ? String(usage.promptTokens) : '',
    'completion-tokens': usage ? String(usage.completionTokens) : '',
    'total-tokens': usage ? String(usage.totalTokens) : '',
    'estimated-cost': total === undefined ? '' : formatCost(total),
    batches: JSON.stringify(all.results.map(r => batchEntry(r, collected?.get(r.batchId), cost))),
    done: String(all.done)
  }
}

/**
 * The outputs that follow the verdict: `passed`, and `status` corrected so that a failing step never
 * reads COMPLETED (a batch that completed without an output file, or over max-failed-requests or
 * max-cost): it reads FAILED then. The `batch` and `batches` outputs keep Together's own status.
 */
export function verdictOutputs(status: string, ok: boolean): Record<string, string> {
  return { passed: String(ok), status: !ok && status === 'COMPLETED' ? 'FAILED' : status }
}
