import type { GitHub } from '../github/service.js'
import { refusedSummary, submittedSection } from '../report/submit-summary.js'
import type { Settings } from '../settings.js'
import { SubmitError } from '../submit/submit-error.js'
import { submitFromFile, type SubmitOutcome, type SubmitRequest } from '../submit/submit-from-file.js'
import type { SubmitRunContext } from './run-context.js'
import type { StepOutcome } from './step.js'

/** The shortest wait left after a submit that took (nearly) all of `timeout`: one status check and a little more. */
const MIN_WAIT_MS = 1000

/**
 * The batches the step goes on with: `settings` with the batch in `batchIds` (and `timeout` less the
 * time the submit took), and the summary section of the submit ('' when the batches were given).
 * Or the step's outcome when preflight refused the file.
 */
export type BatchesToWaitFor = { settings: Settings; summary: string } | { refused: StepOutcome }

/**
 * The submit step, before the wait: with `batch-id`, sets the `batch-id` output to the given batches
 * and goes on; with only `input-file` (see `Settings.submit`), checks it, uploads it and creates its
 * batch, or finds those `reuse` allows (`submitFromFile`), sets the `batch-id` and `input-file-id`
 * outputs at once, and hands the batch to the wait. A refused file fails the step with its
 * annotations, a failed commit status and a summary of the problems: nothing is uploaded or created.
 * Throws a `SubmitError` (its message names what was left behind) when the upload or create fails.
 */
export async function submitStep(
  settings: Settings,
  run: SubmitRunContext,
  github: GitHub | undefined
): Promise<BatchesToWaitFor> {
  const { submit } = settings
  if (!submit) {
    // `input-file-id` follows from the batch once it is checked (see report/outputs.ts).
    run.setOutputs({ 'batch-id': settings.batchIds.join('\n'), 'input-file-id': '' })
    return { settings, summary: '' }
  }
  const startedAt = run.now()
  const outcome = await submitted(submit, run)
  if (outcome.kind === 'refused') {
    run.setOutputs({ 'batch-id': '', 'input-file-id': '', passed: 'false' })
    const message = outcome.rest ? `${outcome.message} ${outcome.rest}` : outcome.message
    await github?.status('failure', outcome.message)
    return {
      refused: {
        verdict: { ok: false, message },
        title: `input-file ${submit.file.name}`,
        summary: refusedSummary(outcome.report, message),
        annotations: outcome.annotations
      }
    }
  }
  run.setOutputs({ 'batch-id': outcome.batchId, 'input-file-id': outcome.inputFileId })
  // `timeout` bounds the whole step: the wait gets what the submit left of it (0 still checks once).
  const { timeoutMs } = settings
  const left = timeoutMs === 0 ? 0 : Math.max(MIN_WAIT_MS, timeoutMs - (run.now() - startedAt))
  return {
    settings: { ...settings, batchIds: [outcome.batchId], timeoutMs: left },
    summary: submittedSection(outcome, submit.reuse)
  }
}

/** `submitFromFile`, its failures said in one line: what was left behind, or that a cancel stopped it early. */
async function submitted(submit: SubmitRequest, run: SubmitRunContext): Promise<SubmitOutcome> {
  try {
    return await submitFromFile(submit, run)
  } catch (error) {
    if (error instanceof SubmitError) {
      // Outputs first: a later step (or a re-run) can find the uploaded file.
      if (error.inputFileId !== undefined) run.setOutputs({ 'input-file-id': error.inputFileId })
      throw error
    }
    if (!run.signal.aborted) throw error
    throw new Error(
      `The workflow was cancelled while input-file ${submit.file.name} was checked: nothing was uploaded and no batch was created.`,
      { cause: error }
    )
  }
}
