import type { GitHub } from '../github/service.js'
import type { Settings } from '../settings.js'
import { runReport } from './report.js'
import type { RunContext } from './run-context.js'
import { runStep, type StepOutcome } from './step.js'
import { runTrack } from './track.js'

/** Runs the step in its mode; `github` is undefined when no GitHub feature is on. */
export async function runMode(settings: Settings, run: RunContext, github: GitHub | undefined): Promise<StepOutcome> {
  if (settings.mode === 'wait') return runStep(settings, run, github)
  if (!github) throw new Error(`mode: ${settings.mode} needs the ledger, and none was given.`)
  return settings.mode === 'track' ? runTrack(settings, run, github) : runReport(settings, run, github)
}
