import type { WaitReport } from '../engine/types.js'
import { serializeEntry } from '../github/ledger-entry.js'
import type { GitHub } from '../github/service.js'
import type { Settings } from '../settings.js'
import { plural } from '../util/text.js'
import type { RunContext } from './run-context.js'
import { runStep, type StepOutcome } from './step.js'

/**
 * Mode `track`: checks each batch once, exactly as `timeout: 0` does; every batch not final yet is
 * recorded in the ledger with where it came from and how this step wants it judged, for mode
 * `report` to finish. Its commit status stays pending until then.
 */
export async function runTrack(settings: Settings, deps: RunContext, github: GitHub): Promise<StepOutcome> {
  // The commit (and pull request) the batches belong to, from the event payload.
  const commit = await github.headCommit()
  const pullRequests = await github.pullRequests()
  let tracked: string[] = []
  const record = async (waited: WaitReport): Promise<void> => {
    tracked = waited.results.filter(r => r.outcome === 'pending').map(r => r.batchId)
    const trackedAt = deps.now()
    // One at a time: each write moves the branch, so writes at once would only conflict with each other.
    for (const batchId of tracked) {
      const entry = {
        batchId,
        repository: settings.github.repository,
        sha: commit.sha,
        ref: settings.github.ref,
        pullRequests,
        runUrl: github.runUrl,
        trackedAt,
        group: settings.batchIds,
        policy: settings.policy,
        commitStatus: settings.commitStatus,
        prComment: settings.prComment
      }
      await github.ledger.put(batchId, serializeEntry(entry))
    }
    deps.setOutputs({ tracked: JSON.stringify(tracked) })
    if (tracked.length > 0) {
      deps.log.info(
        `Tracked ${plural(tracked.length, 'batch', 'batches')} in the ledger on branch ${settings.ledgerBranch}; a step with mode: report reports them when they finish.`
      )
    }
  }
  return runStep({ ...settings, timeoutMs: 0 }, deps, github, {
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
