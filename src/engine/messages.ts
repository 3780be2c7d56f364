import { formatDuration } from '../util/duration.js'
import type { BatchJob } from '../together/types.js'
import type { CancelOutcome } from './types.js'
import { clip, oneLine, percent } from '../util/text.js'
import type { Aggregate } from './aggregate.js'

/** The job log's lines: pure functions of what happened, so they are tested as strings. */

export function startLine(
  batchId: string,
  job: BatchJob,
  options: { timeoutMs: number; pollIntervalMs: number }
): string {
  const model = job.model_id ? `model ${oneLine(job.model_id, 120)}` : 'model unknown'
  const endpoint = job.endpoint ? `endpoint ${oneLine(job.endpoint, 120)}` : 'endpoint unknown'
  if (options.timeoutMs === 0) return `Checking Together batch ${batchId} once (${model}, ${endpoint}).`
  return `Waiting for Together batch ${batchId} (${model}, ${endpoint}) for up to ${formatDuration(options.timeoutMs)}, checking at least every ${formatDuration(options.pollIntervalMs)}.`
}

/** With several batches, the one line that opens the wait; each batch's own start line goes to debug. */
export function startAllLine(count: number, options: { timeoutMs: number; pollIntervalMs: number }): string {
  if (options.timeoutMs === 0) return `Checking ${count} Together batches once.`
  return `Waiting for ${count} Together batches for up to ${formatDuration(options.timeoutMs)}, checking each at least every ${formatDuration(options.pollIntervalMs)}.`
}

/** `[5m 00s] 12/40 completed · 1 failed · 27 in progress · 63%` */
export function aggregateLine(elapsedMs: number, counts: Aggregate): string {
  return `[${formatDuration(elapsedMs)}] ${counts.completed}/${counts.total} completed · ${counts.failed} failed · ${counts.running} in progress · ${percent(counts.percent)}`
}

export function progressLine(elapsedMs: number, status: string, progress?: number, etaInMs?: number): string {
  const shown = progress === undefined ? '' : ` ${percent(progress)}`
  const parts = [`[${formatDuration(elapsedMs)}] ${oneLine(status, 60) || 'status unknown'}${shown}`]
  if (etaInMs !== undefined && etaInMs > 0) parts.push(`ETA ~${formatDuration(etaInMs)}`)
  return parts.join(' · ')
}

export function heartbeatLine(elapsedMs: number, status: string, progress?: number): string {
  const at = progress === undefined ? '' : ` at ${percent(progress)}`
  return `[${formatDuration(elapsedMs)}] still ${oneLine(status, 60) || 'waiting'}${at}, no change since the last line.`
}

/** A failed status check, and what happens next (`Retrying in 4s.`). */
export function retryLine(batchId: string, message: string, next: string, attempt?: number): string {
  return `Checking batch ${batchId} failed${attempt ? ` (attempt ${attempt})` : ''}: ${oneLine(message)}. ${next}`
}

/** The `next` of a retry line when a 429 asks for a pause past the last check. */
export function rateLimitedNext(leftMs: number): string {
  return `Together asked to wait longer than the ${formatDuration(Math.max(0, leftMs))} left: one last check at the end.`
}

export function unknownStatusLine(batchId: string, status: string): string {
  const shown = status ? `unknown status '${oneLine(status, 60)}'` : 'no status'
  return `Batch ${batchId} reported ${shown}; treating it as still running.`
}

export function leftRunningLine(batchIds: readonly string[]): string {
  const which = batchIds.length === 1 ? `batch ${batchIds[0]!} is` : `batches ${batchIds.join(', ')} are`
  return `Wait aborted; ${which} left running on Together (set cancel-on-abort: true to cancel).`
}

export function cancelLine(batchId: string, cancel: CancelOutcome): string {
  const why = cancel.reason === 'abort' ? 'the wait was aborted' : 'the timeout was reached'
  const error = oneLine(cancel.error)
  switch (cancel.state) {
    case 'answered':
      return `Cancelled batch ${batchId} after ${why}: Together answered ${oneLine(cancel.status, 60) || 'without a status'}.`
    case 'failed':
      return `Could not cancel batch ${batchId} after ${why}: ${error}. It may still be running.`
    case 'no-answer':
      // Said without "sent": past the connection limit a cancel may still wait for a connection.
      return `No answer to the cancel of batch ${batchId} after ${why}: ${error}. It may still be running.`
    case 'not-sent':
      return `Did not send a cancel for batch ${batchId} after ${why}: ${error}. It is still running.`
  }
}

/** The raw batch object, for debug logging: bounded, so one huge field cannot flood the log. */
export function payloadLine(batchId: string, job: BatchJob): string {
  return `Batch ${batchId}: ${clip(JSON.stringify(job), 2000)}`
}

/** How a check reads the states while too few batches wait for the batch list (debug). */
export function singleReadLine(waiting: number, listFrom: number): string {
  return `Reading batch states with one GET per batch (${waiting} waiting; the batch list is read from ${listFrom} up).`
}

/** A check that read the states from the batch list (debug). */
export function listReadLine(read: number, own: number): string {
  const rest =
    own === 0
      ? ''
      : `; ${own} to check with their own GET (not in the list, listed twice, COMPLETED without an output file, or an entry that breaks the rules)`
  return `Read ${read} batch states from one GET /v1/batches${rest}.`
}

/** Why a list that answered holds nothing usable: it is then taken as a failed one. */
export function listHeldNoneReason(waiting: number): string {
  return `it lists none of the ${waiting} batches waited for`
}

/** A check whose batch list could not be used (debug). */
export function listFailedLine(reason: string, skipMs: number): string {
  const skip = skipMs > 0 ? `; the list is skipped for ${formatDuration(skipMs)}` : ''
  return `The batch list could not be used (${oneLine(reason)}): the batches due are checked with their own GET${skip}.`
}
