import type { EventCommit, StatusClient } from '../github/commit-status.js'
import type { Ledger } from '../github/ledger.js'
import type { Comment } from '../github/pr-comment.js'
import type { CommentRow } from '../report/pr-comment-text.js'
import type { Settings } from '../settings.js'
import { openStep } from './opening.js'
import { runReport } from './report.js'
import { runStep, type StepDeps, type StepOutcome } from './step.js'
import { runTrack } from './track.js'

/** What modes `track` and `report` need beyond a plain wait; made by the shell only for them. */
export interface LedgerDeps {
  ledger: Ledger
  commit(): Promise<EventCommit>
  statuses?: StatusClient
  /** Pull request comments of mode `report`, for batches tracked with `pr-comment`. */
  comment?: Comment<CommentRow>
}

/** Runs the step in its mode. */
export async function runMode(
  settings: Settings,
  deps: StepDeps,
  ledger?: () => Promise<LedgerDeps>
): Promise<StepOutcome> {
  const skipped = openStep(settings, deps)
  if (skipped) return skipped
  if (settings.mode === 'wait') return runStep(settings, deps)
  if (!ledger) throw new Error(`mode: ${settings.mode} needs the ledger, and none was given.`)
  const extra = await ledger()
  if (settings.mode === 'track')
    return runTrack(settings, { ...deps, ledger: extra.ledger, commit: await extra.commit() })
  return runReport(settings, { ...deps, ledger: extra.ledger, statuses: extra.statuses, prComments: extra.comment })
}
