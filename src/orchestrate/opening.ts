import type { Settings } from '../settings.js'
import type { RunContext } from './run-context.js'
import type { StepOutcome } from './step.js'

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
