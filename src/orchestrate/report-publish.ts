import type { StatusState } from '../github/commit-status.js'
import { statusHeadline, type CommentRow } from '../report/headline.js'
import { DEFAULT_CONTEXT } from '../report/pr-comment-text.js'
import { errorMessage, oneLine } from '../util/text.js'
import type { BatchResult } from '../engine/types.js'
import type { StoredEntry } from '../github/ledger.js'
import type { GitHub } from '../github/service.js'
import { groupBy } from '../util/group-by.js'
import type { BatchVerdict } from '../verdict/judge-batch.js'
import type { RunContext } from './run-context.js'

/**
 * What one check of a tracked batch means for the ledger: `final`, `unknown` (HTTP 404) and
 * `forgotten` (older than forget-after) are reported and removed; `pending` stays; `unchecked` (any
 * other failure to read it, a 404 of a wrong base-url included) stays and fails the step, so a broken
 * key, base URL or outage is never silent and never empties the ledger.
 */
export type LedgerFate = 'final' | 'unknown' | 'forgotten' | 'pending' | 'unchecked'

/** One tracked batch on its way through the report: read from the ledger, checked, judged, published. */
export interface Tracked {
  stored: StoredEntry
  result: BatchResult
  fate: LedgerFate
  /** The verdict, for the batches reported (fates `final`, `unknown`, `forgotten`). */
  verdict?: BatchVerdict
  /** Its row in the pull request comment, from the verdict; its commit status says it in the headline's words. */
  row?: CommentRow
}

/** A tracked batch that is reported in this run, and so leaves the ledger. */
export type Reported = Tracked & { verdict: BatchVerdict; row: CommentRow }

export const isReported = (t: Tracked): t is Reported => t.verdict !== undefined

/** The batches a tracking step shared one commit status (or one comment) between. */
interface Shared {
  sha: string
  context: string
  reported: Reported[]
  /** Batches of the same status still in the ledger after this run. */
  remaining: number
  /**
   * How many batches share this status: those of the tracking steps of its batches (the batches
   * themselves included), so a re-run that tracked more batches on the same commit counts them too.
   */
  size: number
}

/** The reported batches by the commit status they share (`sha` and context), with what stays behind. */
function byStatus(tracked: readonly Tracked[]): Shared[] {
  const key = (t: Tracked): string => `${t.stored.entry.sha} ${t.stored.entry.commitStatus}`
  const staying = tracked.filter(t => t.fate === 'pending' || t.fate === 'unchecked')
  const kept = groupBy(staying, key)
  const reported = tracked.filter(isReported).filter(r => r.stored.entry.commitStatus)
  return [...groupBy(reported, key).entries()].map(([k, group]) => {
    const stay = kept.get(k) ?? []
    const ids = [...group, ...stay].flatMap(t => [t.stored.entry.batchId, ...t.stored.entry.group])
    return {
      sha: group[0]!.stored.entry.sha,
      context: group[0]!.stored.entry.commitStatus,
      reported: group,
      remaining: stay.length,
      size: new Set(ids).size
    }
  })
}

/**
 * The state of one commit status shared by the batches a step tracked: a failure as soon as one
 * fails, and it stays one (the status itself remembers a failure from an earlier run); otherwise
 * pending while one still runs, then success. Undefined: leave the status as it is.
 */
async function stateOf(shared: Shared, github: GitHub): Promise<[StatusState, string] | undefined> {
  const failing = shared.reported.find(r => !r.verdict.ok)
  if (failing) return ['failure', statusHeadline([failing.row])]
  // A batch of the same step judged earlier (by track, or an earlier report) may have failed it.
  if (shared.reported.length < shared.size) {
    // Unknown is not "no earlier failure": the status says it could not tell, and is final, as the
    // batches leave the ledger and no later report would set it.
    let current: StatusState | undefined
    try {
      current = await github.statuses.latest(shared.sha, shared.context)
    } catch (error) {
      return ['error', `Could not read the earlier statuses of this commit: ${errorMessage(error)}`]
    }
    if (current === 'failure' || current === 'error') return undefined
  }
  if (shared.remaining > 0) {
    const done = shared.size - shared.remaining
    return ['pending', `${done} of ${shared.size} Together batches reported; ${shared.remaining} still running`]
  }
  if (shared.size <= 1) return ['success', statusHeadline([shared.reported[0]!.row])]
  return ['success', `${shared.size} Together batches reported, all passed`]
}

/** Sets the final (or still pending) commit status of every commit with a reported batch; failures are warnings. */
async function publishStatuses(deps: RunContext, github: GitHub, tracked: readonly Tracked[]): Promise<void> {
  for (const shared of byStatus(tracked)) {
    try {
      const state = await stateOf(shared, github)
      if (state) await github.statuses.set(shared.sha, shared.context, state[0], state[1], github.runUrl)
    } catch (error) {
      deps.log.warning(
        `Could not set the commit status ${oneLine(shared.context, 100)} on ${shared.sha.slice(0, 12)}: ${errorMessage(error)}`
      )
    }
  }
}

/**
 * The pull requests each entry's comment goes to: those recorded when it was tracked, or, for an
 * entry tracked on a push before its pull request was opened, the open ones whose head is its
 * commit now (one lookup per commit; a failed lookup is one warning).
 */
async function pullRequestsOfEntries(
  deps: RunContext,
  github: GitHub,
  entries: readonly Tracked[]
): Promise<(t: Tracked) => number[]> {
  const found = new Map<string, number[]>()
  for (const { stored } of entries) {
    const sha = stored.entry.sha
    if (stored.entry.pullRequests.length > 0 || found.has(sha)) continue
    try {
      found.set(sha, await github.pullRequestsOf(sha))
    } catch (error) {
      found.set(sha, [])
      deps.log.warning(`Could not find the pull requests of commit ${sha.slice(0, 12)}: ${errorMessage(error)}`)
    }
  }
  return t =>
    t.stored.entry.pullRequests.length > 0 ? t.stored.entry.pullRequests : (found.get(t.stored.entry.sha) ?? [])
}

/**
 * Updates the comment of each pull request with a reported batch tracked with `pr-comment`: the
 * batch's row changes from running to its outcome; rows of other batches stay as they were.
 */
async function publishComments(deps: RunContext, github: GitHub, tracked: readonly Tracked[]): Promise<void> {
  const commented = tracked.filter(isReported).filter(r => r.stored.entry.prComment)
  const prsOf = await pullRequestsOfEntries(deps, github, commented)
  const byComment = groupBy(
    commented.flatMap(r => prsOf(r).map(pr => ({ pr, r }))),
    ({ pr, r }) => `${pr} ${r.stored.entry.commitStatus}`
  )
  for (const pairs of byComment.values()) {
    const { pr, r } = pairs[0]!
    try {
      await github.comments(
        pr,
        r.stored.entry.commitStatus || DEFAULT_CONTEXT,
        pairs.map(p => p.r.row)
      )
    } catch (error) {
      deps.log.warning(`Could not comment on pull request #${pr}: ${errorMessage(error)}`)
    }
  }
}

/**
 * Publishes the reported batches (commit statuses, then comment rows), then removes them from the
 * ledger: a run that stops before a removal reports the batch again next time, with the same
 * visible effects. Returns why removals failed.
 */
export async function publishReport(deps: RunContext, github: GitHub, tracked: readonly Tracked[]): Promise<string[]> {
  await publishStatuses(deps, github, tracked)
  await publishComments(deps, github, tracked)
  const errors: string[] = []
  for (const item of tracked.filter(isReported)) {
    try {
      const removal = await github.ledger.remove(item.result.batchId, item.stored.blobSha)
      if (removal === 'changed')
        deps.log.info(`Batch ${item.result.batchId} was tracked again meanwhile: it stays in the ledger.`)
    } catch (error) {
      errors.push(errorMessage(error))
    }
  }
  return errors
}
