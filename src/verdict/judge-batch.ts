import type { WaitReport, BatchResult } from '../engine/types.js'
import type { BatchFiles } from '../result-files/collect.js'
import { costOf, type CostReport } from '../result-files/cost.js'
import { topCodes, type Tally } from '../result-files/tally.js'
import { listFirst, oneLine, plural } from '../util/text.js'
import { judgeCost } from './cost.js'
import { describeGate, exceeds, type Gate, type Policy } from './policy.js'
import { errorReason, lastSeen } from './causes.js'
import { judge, judgeWaits, LISTED, type Verdict } from './verdict.js'

/** What can fail a batch: its status or wait, its result files, or one of the gates. */
export const FAILED_ON = [
  'fail-on',
  'no-output',
  'timeout',
  'aborted',
  'not-checked',
  'results',
  'max-failed-requests',
  'max-cost'
] as const

/** What failed a batch. */
export type FailedOn = (typeof FAILED_ON)[number]

/** One batch's verdict, made once; the step verdict, summary rows, comment rows and statuses derive from it. */
export interface BatchVerdict extends Verdict {
  batchId: string
  /** Checked once and not finished yet: passing so far, shown as still running. */
  running: boolean
  /** The first thing that failed the batch, when it failed. */
  failedOn?: FailedOn
  /** Why it failed, short enough for a table cell (server text, not escaped); '' when it passed. */
  reason: string
  /** The parts it was made of; the step's own wording over several batches lists them by kind. */
  wait: Verdict
  files?: Verdict
  cost?: Verdict
}

/** ` (2.5%)`: the failed share of a batch's requests, to one decimal (both callers have a failed request). */
function failedShare(tally: Tally): string {
  const total = tally.succeeded + tally.failed
  return ` (${Math.round((tally.failed / total) * 1000) / 10}%)`
}

/** A batch over `max-failed-requests`: says the batch itself ended well, what failed, and the limit. */
function gateMessage(result: BatchResult, tally: Tally, gate: Gate): string {
  const total = tally.succeeded + tally.failed
  const share = failedShare(tally)
  const codes = topCodes(tally, 3)
    .map(c => `${c.code} ×${c.count}`)
    .join(', ')
  const ended = result.outcome === 'completed' ? 'completed, but' : `ended ${result.status || 'unknown'}, and`
  return `Batch ${result.batchId} ${ended} ${tally.failed} of its ${plural(total, 'request')} failed${share}, more than max-failed-requests allows (${describeGate(gate)})${codes ? `; most common: ${codes}` : ''}.`
}

/** The result files' side: a file that could not be fetched, or a batch over `max-failed-requests`. */
function judgeFiles(result: BatchResult, files: BatchFiles | undefined, gate: Gate | undefined): Verdict | undefined {
  if (files?.error)
    return {
      ok: false,
      message: `Could not fetch the results of batch ${result.batchId}: ${oneLine(files.error, 200)}.`
    }
  if (files?.tally && gate && exceeds(files.tally, gate))
    return { ok: false, message: gateMessage(result, files.tally, gate) }
  return undefined
}

type Failure = { failedOn: FailedOn; reason: string }

/** What failed the wait of a batch, in a few words (the row's status cell says the status itself). */
function waitFailure(result: BatchResult): Failure {
  const error = result.batch?.error ? oneLine(result.batch.error, 200) : ''
  switch (result.outcome) {
    case 'no-output':
      return { failedOn: 'no-output', reason: error || 'completed without an output file: every request failed' }
    case 'timed-out':
      return { failedOn: 'timeout', reason: `not finished when the wait timed out (${lastSeen(result)})` }
    case 'aborted':
      return { failedOn: 'aborted', reason: 'the wait was aborted' }
    case 'error':
      return { failedOn: 'not-checked', reason: errorReason(result) }
    default:
      return { failedOn: 'fail-on', reason: error || `${result.status || 'its status'} is in fail-on` }
  }
}

function filesFailure(files: BatchFiles, gate: Gate | undefined): Failure {
  if (files.error) return { failedOn: 'results', reason: oneLine(files.error, 160) }
  const tally = files.tally!
  const total = tally.succeeded + tally.failed
  const share = failedShare(tally)
  return {
    failedOn: 'max-failed-requests',
    reason: `${tally.failed} of ${plural(total, 'request')} failed${share}, over ${describeGate(gate!)}`
  }
}

/** A batch's own failure stays first; a later problem is added to it, never put in its place. */
export function combine(first: Verdict, later: Verdict | undefined): Verdict {
  if (!later || later.ok) return first
  if (first.ok) return later
  return { ok: false, message: `${first.message} ${later.message}` }
}

/**
 * The verdict on one batch: its final status against `fail-on`, its result files against
 * `max-failed-requests`, and its own estimated cost (`cost`, when its results were priced) against
 * `max-cost`.
 */
export function judgeBatch(
  result: BatchResult,
  files: BatchFiles | undefined,
  cost: CostReport | undefined,
  policy: Policy
): BatchVerdict {
  const wait = judge(result, policy.failOn)
  const filesVerdict = judgeFiles(result, files, policy.requestGate)
  const costVerdict = cost && judgeCost(costOf(cost, [result.batchId]), policy.maxCost)
  const { ok, message } = combine(combine(wait, filesVerdict), costVerdict)
  const why = !wait.ok
    ? waitFailure(result)
    : filesVerdict && !filesVerdict.ok
      ? filesFailure(files!, policy.requestGate)
      : costVerdict && !costVerdict.ok
        ? { failedOn: 'max-cost' as const, reason: costVerdict.message }
        : undefined
  return {
    batchId: result.batchId,
    ok,
    message,
    running: result.outcome === 'pending',
    ...(why ? { failedOn: why.failedOn } : {}),
    reason: why?.reason ?? '',
    wait,
    ...(filesVerdict ? { files: filesVerdict } : {}),
    ...(costVerdict ? { cost: costVerdict } : {})
  }
}

/**
 * The step's verdict, from the verdicts of its batches: one batch's verdict is the step's; several
 * pass only when each passes and, with `max-cost`, when their estimated cost together is within it.
 */
export function judgeStep(
  all: Pick<WaitReport, 'results' | 'timeoutMs' | 'startedAt' | 'endedAt'>,
  batches: readonly BatchVerdict[],
  cost?: CostReport,
  maxCost?: number
): Verdict {
  if (batches.length === 1) return { ok: batches[0]!.ok, message: batches[0]!.message }
  const problems = batches.flatMap(b => (b.files ? [b.files.message] : []))
  const files: Verdict | undefined =
    problems.length === 0
      ? undefined
      : {
          ok: false,
          message: listFirst(problems, LISTED, ' ')
        }
  const total = combine(
    combine(
      judgeWaits(
        all,
        batches.map(b => b.wait)
      ),
      files
    ),
    judgeCost(cost, maxCost)
  )
  // Each batch's own verdict is part of the step's: the step never passes a batch that failed.
  const ok = total.ok && batches.every(b => b.ok)
  return ok || !total.ok ? total : { ok: false, message: batches.find(b => !b.ok)!.message }
}
