import type { BatchJob } from '../together/index.js'
import type { WaitResult } from '../engine/types.js'

/** Longest string field kept in the `batch` output, so one huge error message cannot bloat it. */
const MAX_FIELD = 4096

function compact(job: BatchJob): BatchJob {
  const copy: Record<string, unknown> = { ...job }
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'string' && value.length > MAX_FIELD) copy[key] = `${value.slice(0, MAX_FIELD)}…`
  }
  return copy as BatchJob
}

/** The step's outputs, as strings; every output is present ('' when unknown) so later steps can rely on it. */
export function buildOutputs(result: WaitResult): Record<string, string> {
  const job = result.batch
  return {
    status: result.status,
    'output-file-id': job?.output_file_id ?? '',
    'error-file-id': job?.error_file_id ?? '',
    progress: typeof job?.progress === 'number' ? String(job.progress) : '',
    error: (job?.error ?? '').slice(0, MAX_FIELD),
    batch: job ? JSON.stringify(compact(job)) : '',
    'timed-out': String(result.outcome === 'timed-out')
  }
}
