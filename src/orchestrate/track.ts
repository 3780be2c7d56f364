import type { WaitAllResult } from '../engine/types.js'
import type { EventCommit } from '../github/commit-status.js'
import { runUrl } from '../github/commit-status.js'
import type { Ledger } from '../github/ledger.js'
import { serializeEntry } from '../github/ledger-entry.js'
import type { Settings } from '../settings.js'
import { plural } from '../util/text.js'
import { runStep, type StepDeps, type StepOutcome } from './step.js'

export interface TrackDeps extends StepDeps {
  ledger: Ledger
  /** The commit (and pull request) the batches belong to, from the event payload. */
  commit: EventCommit
}

/**
 * Mode `track`: checks each batch once, exactly as `timeout: 0` does; every batch not final yet is
 * recorded in the ledger with where it came from and how this step wants it judged, for mode
 * `report` to finish. Its commit status stays pending until then.
 */
export async function runTrack(settings: Settings, deps: TrackDeps): Promise<StepOutcome> {
  let tracked: string[] = []
  const record = async (waited: WaitAllResult): Promise<void> => {
    tracked = waited.results.filter(r => r.outcome === 'pending').map(r => r.batchId)
    const trackedAt = deps.now()
    // One at a time: each write moves the branch, so writes at once would only conflict with each other.
    for (const batchId of tracked) {
      const entry = {
        batchId,
        repository: settings.github.repository,
        sha: deps.commit.sha,
        ref: settings.github.ref,
        pullRequest: deps.commit.pullRequest,
        runUrl: runUrl(settings.github),
        trackedAt,
        group: settings.batchIds,
        failOn: [...settings.failOn],
        maxFailedRequests: settings.maxFailedRequestsInput,
        commitStatus: settings.commitStatus,
        prComment: settings.prComment,
        maxCost: settings.maxCost,
        batchDiscount: settings.batchDiscount
      }
      await deps.ledger.put(batchId, serializeEntry(entry))
    }
    deps.setOutputs({ tracked: JSON.stringify(tracked) })
    if (tracked.length > 0) {
      deps.log.info(
        `Tracked ${plural(tracked.length, 'batch', 'batches')} in the ledger on branch ${settings.ledgerBranch}; a step with mode: report reports them when they finish.`
      )
    }
  }
  return runStep({ ...settings, timeoutMs: 0 }, deps, {
    afterWait: record,
    finalStatus: verdict =>
      verdict.ok && tracked.length > 0
        ? [
            'pending',
            `${plural(tracked.length, 'Together batch', 'Together batches')} tracked; reported when they finish`
          ]
        : undefined
  })
}
