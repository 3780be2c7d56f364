import { TogetherError } from '../together/errors.js'
import { errorMessage } from '../util/text.js'

/**
 * Submitting failed. `inputFileId` names the uploaded file when there is one; the message says whether
 * a batch may exist (a create was sent and its answer lost: a re-run with `reuse: running` attaches to it).
 */
export class SubmitError extends Error {
  constructor(
    message: string,
    readonly inputFileId: string | undefined,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'SubmitError'
  }
}

/** How far a submit got: what a failure message must name. */
export interface SubmitProgress {
  stage: 'listing files and batches' | 'uploading' | 'create'
  /** The input file a batch is (to be) created from. */
  inputFileId?: string
  /** A file whose upload began (its ID given) and may not have finished. */
  started?: string
}

/** Together answered no for good (a 4xx), or the request was refused before it was sent: nothing was created. */
export function isRefusal(error: unknown): boolean {
  return error instanceof TogetherError && (error.kind === 'local' || (error.kind === 'http' && !error.transient))
}

/** The error for a failure, saying what exists: nothing, an uploaded file, maybe a batch. */
export function submitFailure(error: unknown, file: string, progress: SubmitProgress): SubmitError {
  const why = errorMessage(error)
  const { stage, inputFileId, started } = progress
  if (stage !== 'create' || inputFileId === undefined) {
    const left = started ? ` The upload of ${started} was begun and may be left unfinished in GET /v1/files.` : ''
    const message = `Could not submit input-file ${file} (${stage}): ${why}. No batch was created.${left}`
    return new SubmitError(message, undefined, { cause: error })
  }
  if (isRefusal(error)) {
    const message = `Together refused a batch of input-file ${file} (${inputFileId}): ${why}. No batch was created.`
    return new SubmitError(message, inputFileId, { cause: error })
  }
  const message =
    `Could not create the batch of input-file ${file} (${inputFileId}): ${why}. A batch may exist anyway: ` +
    'run again with reuse: running to attach to it rather than pay twice.'
  return new SubmitError(message, inputFileId, { cause: error })
}
