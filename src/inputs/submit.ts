import type { InputFile } from '../result-files/input-file.js'
import { isSubmitEndpoint, SUBMIT_ENDPOINTS } from '../submit/request-rules.js'
import { REUSE_MODES } from '../submit/reuse.js'
import type { SubmitRequest } from '../submit/submit-from-file.js'
import { quoted } from '../util/text.js'
import { choice, InputError, type InputReader, type Mode } from './reader.js'

/** The inputs of a submit from `input-file`: `endpoint` and `reuse`. */

function endpoint(read: InputReader): SubmitRequest['endpoint'] {
  const raw = read('endpoint').trim()
  if (isSubmitEndpoint(raw)) return raw
  throw new InputError(
    `Invalid endpoint ${quoted(raw, 100)}. Expected one of the endpoints Together runs batches for: ${SUBMIT_ENDPOINTS.join(', ')}.`
  )
}

/**
 * What to submit: `input-file` with `endpoint` and `reuse`, when no `batch-id` is given in mode `wait`
 * or `track` (mode `report` never submits; with a `batch-id`, `input-file` only places annotations).
 * `endpoint` and `reuse` are checked whatever the mode, so a wrong value fails before any request.
 */
export function submitRequest(
  read: InputReader,
  mode: Mode,
  batchIds: readonly string[],
  file: InputFile | undefined
): SubmitRequest | undefined {
  const request = { endpoint: endpoint(read), reuse: choice(read, 'reuse', REUSE_MODES, REUSE_MODES.join(', ')) }
  if (mode === 'report' || batchIds.length > 0 || file === undefined) return undefined
  return { file, ...request }
}
