import type { WaitReport } from '../engine/types.js'
import { serializeEntry } from '../github/ledger-entry.js'
import type { GitHub } from '../github/service.js'
import type { Settings } from '../settings.js'
import { plural } from '../util/text.js'
import { runReport } from './report.js'
import type { RunContext, SubmitRunContext } from './run-context.js'
import { runStep, type StepOutcome } from './step.js'
import { submitStep } from './submit-step.js'

/**
 * Runs the step in its mode; `github` is undefined when no GitHub feature is on. Modes `wait` and
 * `track` first take their batch from `submitStep` (the given batches, or the one submitted from
 * `input-file`); mode `report` never submits.
 */
export async function runMode(
  settings: Settings,
  run: SubmitRunContext,
  github: GitHub | undefined
): Promise<StepOutcome> {
  const skipped = openStep(settings, run)
  if (skipped) return skipped
  if (settings.mode === 'wait') return submitThen(settings, run, github, batches => runStep(batches, run, github))
  if (!github) throw new Error(`mode: ${settings.mode} needs the ledger, and none was given.`)
  if (settings.mode === 'report') return runReport(settings, run, github)
  return submitThen(settings, run, github, batches => runTrack(batches, run, github))
}

/** The batches from `submitStep`, then `step` on them; the submit's summary section follows the step's. */
async function submitThen(
  settings: Settings,
  run: SubmitRunContext,
  github: GitHub | undefined,
  step: (settings: Settings) => Promise<StepOutcome>
): Promise<StepOutcome> {
  const batches = await submitStep(settings, run, github)
  if ('refused' in batches) return batches.refused
  const outcome = await step(batches.settings)
  return { ...outcome, summary: outcome.summary + batches.summary }
}

/**
 * What every mode does before its first request: warns about the inputs (a timeout past the hosted-job
 * limit), and ends a run without an API key that `if-no-api-key: skip` lets pass: one line, a one-line
 * summary, `passed` false, nothing checked and no commit status (the run cannot tell how the batches did).
 * Undefined when the step goes on.
 */
export function openStep(settings: Settings, run: Pick<RunContext, 'log' | 'setOutputs'>): StepOutcome | undefined {
  for (const warning of settings.warnings) run.log.warning(warning)
  if (settings.skipReason === undefined) return undefined
  run.setOutputs({ passed: 'false' })
  return {
    verdict: { ok: true, message: settings.skipReason },
    title: 'Together batches',
    summary: '## ⏭️ Together batches not checked: no API key (if-no-api-key: skip)\n',
    annotations: []
  }
}

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
