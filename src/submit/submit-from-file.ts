import type { Annotation } from '../result-files/annotations.js'
import type { InputFile } from '../result-files/input-file.js'
import type { ModelsApi } from '../together/types.js'
import { errorMessage } from '../util/text.js'
import type { SubmitEndpoint } from './request-rules.js'
import type { ReuseMode } from './reuse.js'
import { preflight, type PreflightReport } from './preflight.js'
import { preflightAnnotations, preflightFacts, preflightFailure, unlistedModelsWarning } from './preflight-report.js'
import { submitBatch, type SubmitDeps, type Submitted } from './submit.js'

/** `GET /v1/models` only adds a warning: one short try, never a reason to fail. */
const MODELS_TIMEOUT_MS = 15_000

export interface SubmitRequest {
  /** `input-file`, validated by `parseInputFile`. */
  file: InputFile
  endpoint: SubmitEndpoint
  reuse: ReuseMode
}

/**
 * What came of submitting: `refused` by preflight (nothing was uploaded; emit `annotations` as errors,
 * one fewer than GitHub shows so the step's own error is not the one dropped, and fail the step with
 * `message` and `rest`), or `submitted` (wait for `batchId`).
 */
export type SubmitOutcome =
  | { kind: 'refused'; report: PreflightReport; annotations: Annotation[]; rest?: string; message: string }
  | ({ kind: 'submitted'; report: PreflightReport } & Submitted)

/** Warns about models `GET /v1/models` does not list; a failure to list them is only a debug line. */
async function warnUnlistedModels(report: PreflightReport, deps: SubmitDeps & { api: ModelsApi }): Promise<void> {
  if (report.models.size === 0) return
  try {
    const listed = await deps.api.listModels({ signal: deps.signal, timeoutMs: MODELS_TIMEOUT_MS })
    const warning = unlistedModelsWarning(report, listed)
    if (warning) deps.log.warning(warning)
  } catch (error) {
    if (deps.signal?.aborted) throw error
    deps.log.debug(`The models of input-file ${report.file} were not checked: ${errorMessage(error)}`)
  }
}

/**
 * The submit step in one call, for `input-file` without `batch-id`: preflight (nothing leaves the
 * runner when it finds a problem), the facts logged, unlisted models warned about, then `submitBatch`.
 * Throws a `SubmitError` when the upload or create fails (it says what exists), or when `signal` aborts.
 */
export async function submitFromFile(
  request: SubmitRequest,
  deps: SubmitDeps & { api: ModelsApi }
): Promise<SubmitOutcome> {
  const report = await preflight(request.file, request.endpoint, deps.signal)
  if (report.problems.length > 0) {
    return { kind: 'refused', report, ...preflightAnnotations(report), message: preflightFailure(report) }
  }
  deps.log.info(preflightFacts(report))
  await warnUnlistedModels(report, deps)
  return { kind: 'submitted', report, ...(await submitBatch({ report, reuse: request.reuse }, deps)) }
}
