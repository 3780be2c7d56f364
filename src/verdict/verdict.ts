import { formatDuration } from '../util/duration.js'
import type { FinalStatus } from '../together/status.js'
import type { WaitReport, BatchResult } from '../engine/types.js'
import { summarize } from '../engine/aggregate.js'
import { listFirst, oneLine } from '../util/text.js'
import { cancelNote, errorReason, errorVerdict, lastSeen, neverAnswered, rateLimitVerdict } from './causes.js'

export interface Verdict {
  /** Whether the step succeeds. */
  ok: boolean
  /** One line: what happened and, on failure, what to do about it. Always names the batch. */
  message: string
}

function finalVerdict(result: BatchResult, status: FinalStatus, failOn: ReadonlySet<FinalStatus>): Verdict {
  const id = result.batchId
  if (!failOn.has(status)) {
    return { ok: true, message: `Batch ${id} ended ${status} (not in fail-on, so the step passes).` }
  }
  const job = result.batch
  const errorFile = job?.error_file_id ? ` Error file: ${oneLine(job.error_file_id, 100)}.` : ''
  // The server's own error text, when there is one, already says why; ours is only a fallback.
  const why = job?.error
    ? `: ${oneLine(job.error)}`
    : status === 'EXPIRED'
      ? ' (it did not finish before its deadline)'
      : ''
  const hint =
    status === 'EXPIRED'
      ? job?.output_file_id
        ? ' Its partial output is in output-file-id.'
        : ' It left no output file.'
      : status === 'CANCELLED'
        ? ' Remove CANCELLED from fail-on to accept cancelled batches.'
        : errorFile && ' See the error file for the failed requests.'
  return { ok: false, message: `Batch ${id} ended ${status}${why}.${errorFile}${hint}` }
}

function timedOutVerdict(result: BatchResult): string {
  if (result.rateLimited) return rateLimitVerdict(result, result.rateLimited.retryAfterMs)
  const waited = formatDuration(Math.max(result.timeoutMs, result.endedAt - result.startedAt))
  const unanswered = neverAnswered(result)
  if (unanswered) {
    return `Timed out after ${waited} waiting for batch ${result.batchId}: ${unanswered}.${cancelNote(result)}`
  }
  return `Timed out after ${waited} waiting for batch ${result.batchId} (${lastSeen(result)}). Raise the 'timeout' input (and the job's timeout-minutes), or use mode: track with a scheduled mode: report for batches that outlast a job.${cancelNote(result)}`
}

function abortedVerdict(result: BatchResult): string {
  const seen = neverAnswered(result) ?? lastSeen(result)
  const cancel = cancelNote(result) || ' The batch is left running; set cancel-on-abort: true to cancel it.'
  return `The wait for batch ${result.batchId} was aborted (workflow cancelled or job timeout) after ${formatDuration(result.endedAt - result.startedAt)}, ${seen}.${cancel}`
}

/** Whether the step passes, and the one line that says why, from the engine's result and `fail-on`. */
export function judge(result: BatchResult, failOn: ReadonlySet<FinalStatus>): Verdict {
  const id = result.batchId
  const job = result.batch
  switch (result.outcome) {
    case 'completed':
      return { ok: true, message: `Batch ${id} completed; output file ${oneLine(job?.output_file_id, 100)}.` }
    case 'no-output': {
      const errorText = job?.error ? `: ${oneLine(job.error)}` : ''
      const errorFile = job?.error_file_id
        ? ` Error file: ${oneLine(job.error_file_id, 100)}.`
        : ' It has no error file either.'
      return {
        ok: false,
        message: `Batch ${id} completed without an output file, so every request failed${errorText}.${errorFile} Fix the input file and create a new batch.`
      }
    }
    case 'ended-not-completed':
      return finalVerdict(result, result.finalStatus!, failOn)
    case 'timed-out':
      return { ok: false, message: timedOutVerdict(result) }
    case 'aborted':
      return { ok: false, message: abortedVerdict(result) }
    case 'error':
      return { ok: false, message: errorVerdict(result) }
    case 'pending':
      return {
        ok: true,
        message: `Batch ${id} is not finished yet (${lastSeen(result)}); checked once, as this step asks (timeout 0 or mode: track).`
      }
  }
}

/** How many items a one-line message lists before saying "and N more". */
export const LISTED = 5

function listed(items: string[]): string {
  return listFirst(items, LISTED, '; ')
}

/** One failing batch in the list of several. */
function describe(result: BatchResult): string {
  const id = result.batchId
  if (result.outcome === 'error') return `${id}: ${errorReason(result)}`
  if (result.outcome === 'no-output') return `${id} COMPLETED without output file`
  const unanswered = neverAnswered(result)
  if (unanswered) return `${id} ${unanswered}`
  const error = result.batch?.error ? ` (${oneLine(result.batch.error, 80)})` : ''
  const limited = result.rateLimited
    ? ` (rate-limited: Together asked to wait ${formatDuration(result.rateLimited.retryAfterMs)})`
    : ''
  return `${id} ${result.status || 'no status'}${error}${limited}`
}

/**
 * The wait's side of the step's verdict over several batches, from each batch's own wait verdict:
 * several pass only if each passes.
 */
export function judgeWaits(
  all: Pick<WaitReport, 'results' | 'timeoutMs' | 'startedAt' | 'endedAt'>,
  waits: readonly Verdict[]
): Verdict {
  const counts = summarize(all.results)
  const failing = all.results.filter((_, i) => !waits[i]!.ok)
  if (failing.length === 0) {
    const pending = counts.running > 0 ? `, ${counts.running} not finished yet (checked once)` : ''
    return { ok: true, message: `${counts.completed} of ${counts.total} batches completed${pending}.` }
  }
  const timedOut = failing.filter(r => r.outcome === 'timed-out' || r.outcome === 'aborted')
  const broken = failing.filter(r => !timedOut.includes(r))
  const parts: string[] = []
  if (broken.length > 0)
    parts.push(`${broken.length} of ${counts.total} batches failed: ${listed(broken.map(describe))}.`)
  if (timedOut.length > 0) {
    const aborted = timedOut[0]!.outcome === 'aborted'
    const how = aborted
      ? 'The wait was aborted'
      : `Timed out after ${formatDuration(Math.max(all.timeoutMs, all.endedAt - all.startedAt))}`
    parts.push(`${how} with ${timedOut.length} not finished: ${listed(timedOut.map(describe))}.`)
    // A longer timeout only helps batches that were answering and not held off by a rate limit.
    if (!aborted && timedOut.some(r => !r.rateLimited && !neverAnswered(r))) parts.push("Raise the 'timeout' input.")
  }
  return { ok: false, message: parts.join(' ') }
}
