import { formatDuration } from '../util/duration.js'
import type { FinalStatus } from '../together/status.js'
import type { WaitAllResult, WaitResult } from '../engine/types.js'
import { summarize } from '../engine/aggregate.js'
import type { BatchFiles } from '../result-files/collect.js'
import { exceeds, gateMessage, type Gate } from '../result-files/gate.js'
import { oneLine, percent } from '../util/text.js'

export interface Verdict {
  /** Whether the step succeeds. */
  ok: boolean
  /** One line: what happened and, on failure, what to do about it. Always names the batch. */
  message: string
}

/** What happened to the action's own cancel request, as a sentence appended to the verdict. */
function cancelNote(result: WaitResult): string {
  const { cancel } = result
  if (!cancel) return ''
  const error = oneLine(cancel.error, 200)
  switch (cancel.state) {
    case 'answered':
      return ` Cancel requested: Together answered ${oneLine(cancel.status, 40) || 'without a status'}.`
    case 'failed':
      return ` Cancelling it failed: ${error}.`
    case 'no-answer':
      return ` A cancel was sent but got no answer (${error}); it may still be running.`
    case 'not-sent':
      return ` No cancel was sent: ${error}; it is still running.`
  }
}

function lastSeen(result: WaitResult): string {
  if (!result.status) return 'no status was seen'
  const progress = typeof result.batch?.progress === 'number' ? ` at ${percent(result.batch.progress)}` : ''
  return `last status ${oneLine(result.status, 40)}${progress}`
}

function errorVerdict(result: WaitResult): string {
  const id = result.batchId
  const { status, message } = result.error ?? { message: 'unknown error' }
  if (status === 401 || status === 403) {
    return `Together refused the API key (HTTP ${status}) for batch ${id}: check the api-key input or the TOGETHER_API_KEY secret, and that the key may read this batch.`
  }
  if (status === 404) {
    return `Batch ${id} was not found for this API key (HTTP 404): check batch-id and that the key belongs to the account that created the batch.`
  }
  return `Could not check batch ${id}: ${oneLine(message)}.`
}

/** Whether the step passes, and the one line that says why, from the engine's result and `fail-on`. */
export function judge(result: WaitResult, failOn: ReadonlySet<FinalStatus>): Verdict {
  const id = result.batchId
  const job = result.batch
  const errorText = job?.error ? `: ${oneLine(job.error)}` : ''
  const errorFile = job?.error_file_id ? ` Error file: ${oneLine(job.error_file_id, 100)}.` : ''
  switch (result.outcome) {
    case 'completed':
      return { ok: true, message: `Batch ${id} completed; output file ${oneLine(job?.output_file_id, 100)}.` }
    case 'no-output':
      return {
        ok: false,
        message: `Batch ${id} completed without an output file, so every request failed${errorText}.${errorFile || ' It has no error file either.'} Fix the input file and create a new batch.`
      }
    case 'final': {
      const status = result.finalStatus!
      if (!failOn.has(status)) {
        return { ok: true, message: `Batch ${id} ended ${status} (not in fail-on, so the step passes).` }
      }
      const hint =
        status === 'EXPIRED'
          ? ' It did not finish before its deadline; any partial output is in output-file-id.'
          : status === 'CANCELLED'
            ? ' It was cancelled; remove CANCELLED from fail-on to accept that.'
            : ' See the error file for the failed requests.'
      return { ok: false, message: `Batch ${id} ended ${status}${errorText}.${errorFile}${hint}` }
    }
    case 'timed-out':
      return {
        ok: false,
        message: `Timed out after ${formatDuration(Math.max(result.timeoutMs, result.endedAt - result.startedAt))} waiting for batch ${id} (${lastSeen(result)}). Raise the 'timeout' input, or check it later with timeout set again.${cancelNote(result)}`
      }
    case 'aborted':
      return {
        ok: false,
        message: `The wait for batch ${id} was aborted (workflow cancelled or job timeout) after ${formatDuration(result.endedAt - result.startedAt)}, ${lastSeen(result)}.${cancelNote(result) || ' The batch is left running; set cancel-on-abort: true to cancel it.'}`
      }
    case 'error':
      return { ok: false, message: errorVerdict(result) }
    case 'pending':
      return {
        ok: true,
        message: `Batch ${id} is not finished yet (${lastSeen(result)}); checked once because timeout is 0.`
      }
  }
}

/** How many items a one-line message lists before saying "and N more". */
const LISTED = 5

function listed(items: string[]): string {
  const shown = items.slice(0, LISTED).join('; ')
  return items.length > LISTED ? `${shown}; and ${items.length - LISTED} more` : shown
}

/** The step's verdict over every batch: one batch is judged alone; several pass only if each passes. */
export function judgeAll(all: WaitAllResult, failOn: ReadonlySet<FinalStatus>): Verdict {
  const verdicts = all.results.map(r => ({ result: r, verdict: judge(r, failOn) }))
  if (verdicts.length === 1) return verdicts[0]!.verdict
  const counts = summarize(all.results)
  const failing = verdicts.filter(v => !v.verdict.ok)
  if (failing.length === 0) {
    const pending = counts.running > 0 ? `, ${counts.running} not finished yet (checked once)` : ''
    return { ok: true, message: `${counts.completed} of ${counts.total} batches completed${pending}.` }
  }
  const describe = ({ result }: { result: WaitResult }): string => {
    const error = result.batch?.error ? ` (${oneLine(result.batch.error, 80)})` : ''
    if (result.outcome === 'error') return `${result.batchId}: ${oneLine(result.error?.message, 120)}`
    if (result.outcome === 'no-output') return `${result.batchId} COMPLETED without output file`
    return `${result.batchId} ${result.status || 'no status'}${error}`
  }
  const timedOut = failing.filter(f => f.result.outcome === 'timed-out' || f.result.outcome === 'aborted')
  const broken = failing.filter(f => !timedOut.includes(f))
  const parts: string[] = []
  if (broken.length > 0)
    parts.push(`${broken.length} of ${counts.total} batches failed: ${listed(broken.map(describe))}.`)
  if (timedOut.length > 0) {
    const aborted = timedOut[0]!.result.outcome === 'aborted'
    const how = aborted
      ? 'The wait was aborted'
      : `Timed out after ${formatDuration(Math.max(all.timeoutMs, all.endedAt - all.startedAt))}`
    parts.push(`${how} with ${timedOut.length} not finished: ${listed(timedOut.map(describe))}.`)
    if (!aborted) parts.push("Raise the 'timeout' input.")
  }
  return { ok: false, message: parts.join(' ') }
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
    else if (files?.tally && gate && exceeds(files.tally, gate))
      problems.push(gateMessage(result.batchId, files.tally, gate))
  }
  if (problems.length === 0) return undefined
  return {
    ok: false,
    message:
      problems.slice(0, LISTED).join(' ') + (problems.length > LISTED ? ` And ${problems.length - LISTED} more.` : '')
  }
}

/** The first failing verdict, else the wait's own. */
export function combine(wait: Verdict, results: Verdict | undefined): Verdict {
  if (!wait.ok || !results) return wait
  return results
}
