import type { WaitAllResult, WaitResult } from '../engine/types.js'
import type { StoredEntry } from '../github/ledger.js'
import type { BatchFiles } from '../result-files/collect.js'
import { parseGate } from '../result-files/gate.js'
import { formatDuration } from '../util/duration.js'
import { combine, judge, judgeResults, type Verdict } from '../verdict/verdict.js'

/**
 * What one check of a tracked batch means for the ledger: `final`, `unknown` (HTTP 404) and
 * `forgotten` (older than forget-after) are reported and removed; `pending` stays; `unchecked` (any
 * other failure to read it, a 404 of a wrong base-url included) stays and fails the step, so a broken
 * key, base URL or outage is never silent and never empties the ledger.
 */
export type Disposition = 'final' | 'unknown' | 'forgotten' | 'pending' | 'unchecked'

export interface Checked {
  stored: StoredEntry
  result: WaitResult
  disposition: Disposition
}

export function dispose(result: WaitResult, stored: StoredEntry, now: number, forgetAfterMs: number): Disposition {
  if (result.finalStatus !== undefined) return 'final'
  if (result.outcome === 'error' && result.error?.status === 404 && !result.error.routeUnknown) return 'unknown'
  if (result.outcome !== 'pending') return 'unchecked'
  return now - stored.entry.trackedAt > forgetAfterMs ? 'forgotten' : 'pending'
}

/** Whether the settings recorded with the batch ask for its files (or the report step has a download-dir). */
export const wantsFiles = (checked: Checked, downloadDir: string): boolean =>
  checked.disposition === 'final' &&
  (downloadDir !== '' || checked.stored.entry.maxFailedRequests !== '' || checked.stored.entry.maxCost !== undefined)

/** The verdict on one reported batch, by the settings recorded when it was tracked. */
export function judgeTracked(
  checked: Checked,
  waited: WaitAllResult,
  collected: ReadonlyMap<string, BatchFiles>,
  forgetAfterMs: number,
  costVerdict?: Verdict
): Verdict {
  const { result, stored } = checked
  const id = result.batchId
  const since = new Date(stored.entry.trackedAt).toISOString()
  switch (checked.disposition) {
    case 'unknown':
      return {
        ok: false,
        message: `Batch ${id}, tracked ${since}, is not known to Together (HTTP 404): it is removed from the ledger. Check that api-key belongs to the account that created it.`
      }
    case 'forgotten':
      return {
        ok: false,
        message: `Batch ${id}, tracked ${since}, is still ${result.status || 'not readable'} after forget-after (${formatDuration(forgetAfterMs)}): it is removed from the ledger and no longer reported.`
      }
    default: {
      const failOn = new Set(stored.entry.failOn)
      // A gate recorded by track was valid then; one that no longer parses is read as none, never as a pass it was not.
      let gate
      try {
        gate = parseGate(stored.entry.maxFailedRequests)
      } catch {
        gate = undefined
      }
      const files = combine(judge(result, failOn), judgeResults({ ...waited, results: [result] }, collected, gate))
      return combine(files, costVerdict)
    }
  }
}
