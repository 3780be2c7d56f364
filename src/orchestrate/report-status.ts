import type { Logger } from '../engine/types.js'
import type { StatusClient, StatusState } from '../github/commit-status.js'
import { errorMessage, oneLine, plural } from '../util/text.js'
import type { Verdict } from '../verdict/verdict.js'
import type { Checked } from './report-judge.js'

export interface Reported extends Checked {
  verdict: Verdict
  /** `COMPLETED · 998/1000 requests ok`: what a passing status says. */
  description: string
}

interface Group {
  sha: string
  context: string
  reported: Reported[]
  /** Batches of the same status still in the ledger after this run. */
  remaining: number
  /** How many batches the tracking step shared this status between. */
  size: number
}

function groups(reported: readonly Reported[], kept: readonly Checked[]): Group[] {
  const byKey = new Map<string, Group>()
  for (const item of reported) {
    const { sha, commitStatus: context, group } = item.stored.entry
    if (!context) continue
    const key = `${sha} ${context}`
    const found = byKey.get(key) ?? { sha, context, reported: [], remaining: 0, size: 0 }
    found.reported.push(item)
    found.size = Math.max(found.size, group.length)
    byKey.set(key, found)
  }
  for (const item of kept) {
    const found = byKey.get(`${item.stored.entry.sha} ${item.stored.entry.commitStatus}`)
    if (found) found.remaining++
  }
  return [...byKey.values()]
}

/**
 * The state of one commit status shared by the batches a step tracked: a failure as soon as one
 * fails, and it stays one (the status itself remembers a failure from an earlier run); otherwise
 * pending while one still runs, then success. Undefined: leave the status as it is.
 */
async function stateOf(group: Group, statuses: StatusClient): Promise<[StatusState, string] | undefined> {
  const failing = group.reported.find(r => !r.verdict.ok)
  if (failing) return ['failure', failing.verdict.message]
  // A batch of the same step judged earlier (by track, or an earlier report) may have failed it.
  if (group.reported.length < group.size) {
    // Unknown is not "no earlier failure": the status says it could not tell, and is final, as the
    // batches leave the ledger and no later report would set it.
    let current: StatusState | undefined
    try {
      current = await statuses.latest(group.sha, group.context)
    } catch (error) {
      return ['error', `Could not read the earlier statuses of this commit: ${errorMessage(error)}`]
    }
    if (current === 'failure' || current === 'error') return undefined
  }
  if (group.remaining > 0) {
    const done = group.size - group.remaining
    return ['pending', `${done} of ${group.size} Together batches reported; ${group.remaining} still running`]
  }
  if (group.size <= 1) return ['success', group.reported[0]!.description]
  return ['success', `${group.size} Together batches reported, all passed`]
}

/** Sets the final (or still pending) commit status of every commit with a reported batch; failures are warnings. */
export async function setReportStatuses(
  statuses: StatusClient | undefined,
  reported: readonly Reported[],
  kept: readonly Checked[],
  runUrl: string,
  log: Logger
): Promise<void> {
  const all = groups(reported, kept)
  if (all.length === 0) return
  if (!statuses) {
    log.warning(`Could not set ${plural(all.length, 'commit status', 'commit statuses')}: no GitHub client.`)
    return
  }
  for (const group of all) {
    try {
      const state = await stateOf(group, statuses)
      if (state) await statuses.set(group.sha, group.context, state[0], state[1], runUrl)
    } catch (error) {
      log.warning(
        `Could not set the commit status ${oneLine(group.context, 100)} on ${group.sha.slice(0, 12)}: ${errorMessage(error)}`
      )
    }
  }
}
