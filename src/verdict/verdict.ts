import { formatDuration } from '../util/duration.js'
import type { FinalStatus } from '../together/status.js'
import type { WaitAllResult, WaitResult } from '../engine/types.js'
import { summarize } from '../engine/aggregate.js'
import type { BatchFiles } from '../result-files/collect.js'
import { describeGate, exceeds, type Gate } from '../result-files/gate.js'
import { topCodes, type Tally } from '../result-files/tally.js'
import { oneLine, plural } from '../util/text.js'
import { cancelNote, errorReason, errorVerdict, lastSeen, neverAnswered, rateLimitVerdict } from './causes.js'

export interface Verdict {
  /** Whether the step succeeds. */
  ok: boolean
  /** One line: what happened and, on failure, what to do about it. Always names the batch. */
  message: string
}

/** `1 request`, `2 requests`. */

function finalVerdict(result: WaitResult, status: FinalStatus, failOn: ReadonlySet<FinalStatus>): Verdict {
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

function timedOutVerdict(result: WaitResult): string {
  if (result.rateLimited) return rateLimitVerdict(result, result.rateLimited.retryAfterMs)
  const waited = formatDuration(Math.max(result.timeoutMs, result.endedAt - result.startedAt))
  const unanswered = neverAnswered(result)
  if (unanswered) {
    return `Timed out after ${waited} waiting for batch ${result.batchId}: ${unanswered}.${cancelNote(result)}`
  }
  return `Timed out after ${waited} waiting for batch ${result.batchId} (${lastSeen(result)}). Raise the 'timeout' input (and the job's timeout-minutes), or use mode: track with a scheduled mode: report for batches that outlast a job.${cancelNote(result)}`
}

function abortedVerdict(result: WaitResult): string {
  const seen = neverAnswered(result) ?? lastSeen(result)
  const cancel = cancelNote(result) || ' The batch is left running; set cancel-on-abort: true to cancel it.'
  return `The wait for batch ${result.batchId} was aborted (workflow cancelled or job timeout) after ${formatDuration(result.endedAt - result.startedAt)}, ${seen}.${cancel}`
}

/** Whether the step passes, and the one line that says why, from the engine's result and `fail-on`. */
export function judge(result: WaitResult, failOn: ReadonlySet<FinalStatus>): Verdict {
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
    case 'final':
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
const LISTED = 5

function listed(items: string[]): string {
  const shown = items.slice(0, LISTED).join('; ')
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown
}

/** One failing batch in the list of several. */
function describe(result: WaitResult): string {
  const id = result.batchId
  if (result.outcome === 'error') return `${id}: ${errorReason(result)}`
  if (result.outcome === 'no-output') return `${id} COMPLETED without output file`
  const unanswered = result.outcome === 'final' ? undefined : neverAnswered(result)
  if (unanswered) return `${id} ${unanswered}`
  const error = result.batch?.error ? ` (${oneLine(result.batch.error, 80)})` : ''
  const limited = result.rateLimited
    ? ` (rate-limited: Together asked to wait ${formatDuration(result.rateLimited.retryAfterMs)})`
    : ''
  return `${id} ${result.status || 'no status'}${error}${limited}`
}

/** The step's verdict over every batch: one batch is judged alone; several pass only if each passes. */
export function judgeAll(all: WaitAllResult, failOn: ReadonlySet<FinalStatus>): Verdict {
  const verdicts = all.results.map(r => ({ result: r, verdict: judge(r, failOn) }))
  if (verdicts.length === 1) return verdicts[0]!.verdict
  const counts = summarize(all.results)
  const failing = verdicts.filter(v => !v.verdict.ok).map(v => v.result)
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

/** A batch over `max-failed-requests`: says the batch itself ended well, what failed, and the limit. */
function gateVerdict(result: WaitResult, tally: Tally, gate: Gate): string {
  const total = tally.succeeded + tally.failed
  const share = total > 0 ? ` (${Math.round((tally.failed / total) * 1000) / 10}%)` : ''
  const codes = topCodes(tally, 3)
    .map(c => `${c.code} ×${c.count}`)
    .join(', ')
  const ended = result.outcome === 'completed' ? 'completed, but' : `ended ${result.status || 'unknown'}, and`
  return `Batch ${result.batchId} ${ended} ${tally.failed} of its ${plural(total, 'request')} failed${share}, more than max-failed-requests allows (${describeGate(gate)})${codes ? `; most common: ${codes}` : ''}.`
}

/**
 * The results' side of the verdict, once the files were fetched: a file that could not be fetched, or
 * a batch over `max-failed-requests`, fails the step even when every batch COMPLETED. Undefined when
 * there is nothing to object to.
 */
export function judgeResults(
  all: WaitAllResult,
  collected: ReadonlyMap<string, BatchFiles>,
  gate: Gate | undefined
): Verdict | undefined {
  const problems: string[] = []
  for (const result of all.results) {
    const files = collected.get(result.batchId)
    if (files?.error)
      problems.push(`Could not fetch the results of batch ${result.batchId}: ${oneLine(files.error, 200)}.`)
    else if (files?.tally && gate && exceeds(files.tally, gate)) problems.push(gateVerdict(result, files.tally, gate))
  }
  if (problems.length === 0) return undefined
  return {
    ok: false,
    message:
      problems.slice(0, LISTED).join(' ') + (problems.length > LISTED ? ` And ${problems.length - LISTED} more.` : '')
  }
}

/** A batch's own failure stays first; a result-file problem is added to it, never put in its place. */
export function combine(wait: Verdict, results: Verdict | undefined): Verdict {
  if (!results || results.ok) return wait
  if (wait.ok) return results
  return { ok: false, message: `${wait.message} ${results.message}` }
}
