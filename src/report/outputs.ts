import { statusToken } from '../together/status.js'
import type { BatchJob } from '../together/types.js'
import type { WaitReport, BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import type { CostReport } from '../result-files/cost.js'
import { batchCostFields, costOutputs } from './cost-outputs.js'

/** Longest string field kept in the `batch` output, so one huge error message cannot bloat it. */
const MAX_FIELD = 4096

function compact(job: BatchJob): BatchJob {
  const copy: Record<string, unknown> = { ...job }
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'string' && value.length > MAX_FIELD) copy[key] = `${value.slice(0, MAX_FIELD)}…`
  }
  return copy
}

/** One entry of the `batches` output. */
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
  return {
    id: result.batchId,
    status: statusToken(result.status),
    progress: result.progress ?? null,
    output_file_id: job?.output_file_id ?? null,
    error_file_id: job?.error_file_id ?? null,
    error: job?.error ? job.error.slice(0, MAX_FIELD) : null,
    timed_out: result.outcome === 'timed-out',
    ...counts,
    ...batchCostFields(result.batchId, files, cost)
  }
}

/**
 * The step's outputs, as strings; every output is present ('' when unknown) so later steps can rely
 * on it. With several batches the per-batch scalars are left empty (see `batches`), and `status` is
 * COMPLETED when all completed, else the status of the first batch, in input order, that did not.
 * `batch-id` and `input-file-id` are the submit step's (orchestrate/submit-step.ts); with one batch,
 * the input file the batch names is `input-file-id`.
 */
export function buildOutputs(
  all: WaitReport,
  collected?: ReadonlyMap<string, BatchFiles>,
  cost?: CostReport
): Record<string, string> {
  const common = {
    batches: JSON.stringify(all.results.map(r => batchEntry(r, collected?.get(r.batchId), cost))),
    done: String(all.done)
  }
  if (all.results.length > 1) {
    const first = all.results.find(r => r.outcome !== 'completed')
    return {
      status: first ? statusToken(first.status) : 'COMPLETED',
      'output-file-id': '',
      'error-file-id': '',
      progress: '',
      error: '',
      batch: '',
      'timed-out': String(all.results.some(r => r.outcome === 'timed-out')),
      'output-path': '',
      'error-path': '',
      'succeeded-requests': '',
      'failed-requests': '',
      ...costOutputs(undefined, cost),
      ...common
    }
  }
  const result = all.results[0]!
  const job = result.batch
  const files = collected?.get(result.batchId)
  return {
    // Set by the submit step first ('' for given batches): only a file the batch names replaces it.
    ...(job?.input_file_id ? { 'input-file-id': job.input_file_id } : {}),
    status: statusToken(result.status),
    'output-file-id': job?.output_file_id ?? '',
    'error-file-id': job?.error_file_id ?? '',
    progress: String(result.progress ?? ''),
    error: (job?.error ?? '').slice(0, MAX_FIELD),
    batch: job ? JSON.stringify(compact(job)) : '',
    'timed-out': String(result.outcome === 'timed-out'),
    'output-path': files?.outputPath ?? '',
    'error-path': files?.errorPath ?? '',
    'succeeded-requests': files?.tally ? String(files.tally.succeeded) : '',
    'failed-requests': files?.tally ? String(files.tally.failed) : '',
    ...costOutputs(files, cost),
    ...common
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
