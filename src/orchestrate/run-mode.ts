import type { GitHub } from '../github/service.js'
import type { Settings } from '../settings.js'
import { openStep } from './opening.js'
import { runReport } from './report.js'
import type { SubmitRunContext } from './run-context.js'
import { runStep, type StepOutcome } from './step.js'
import { submitStep } from './submit-step.js'
import { runTrack } from './track.js'

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
