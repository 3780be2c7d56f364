import { formatDuration } from '../util/duration.js'
import { DEFAULT_BASE_URL } from '../together/client.js'
import type { RequestFailure, BatchResult } from '../engine/types.js'
import { oneLine, percent } from '../util/text.js'

/** The wording of why a wait did not get a usable answer: request errors, rate limits, cancels. */

const BASE_URL_HINT = `check base-url (expected the API root such as ${DEFAULT_BASE_URL})`

/** An answer from something that is not the Together API: the cause is base-url, not the batch. */
function wrongServer(error: RequestFailure): string | undefined {
  if (error.kind === 'invalid-response' && error.repeated) {
    const what = error.html ? 'an HTML page instead of a Together batch' : 'something that is not a Together batch'
    return `the server answered with ${what} ${error.repeated} times: ${BASE_URL_HINT}`
  }
  if (error.status === 404 && error.html) {
    return `the server answered HTTP 404 with an HTML page, not the Together API: ${BASE_URL_HINT}`
  }
  if (error.status === 404 && error.routeUnknown) {
    const said = error.serverMessage ? `: ${oneLine(error.serverMessage, 100)}` : ''
    return `the server does not know the route (HTTP 404${said}), so the batch was never looked up: ${BASE_URL_HINT}`
  }
  // Before any answer: the host does not resolve or its certificate is refused (see engine/tracker.ts).
  if (error.kind === 'unreachable') return `${oneLine(error.message, 300)}: ${BASE_URL_HINT}`
  return undefined
}

/** The full line for outcome `error`. */
export function errorVerdict(result: BatchResult): string {
  const id = result.batchId
  const error = result.error ?? { message: 'unknown error' }
  const server = wrongServer(error)
  if (server) return `Could not check batch ${id}: ${server}.`
  if (error.status === 401 || error.status === 403) {
    return `Together refused the API key (HTTP ${error.status}) for batch ${id}: check the api-key input or the TOGETHER_API_KEY secret, and that the key may read this batch.`
  }
  if (error.status === 404) {
    return `Batch ${id} was not found for this API key (HTTP 404): check batch-id and that the key belongs to the account that created the batch.`
  }
  return `Could not check batch ${id}: ${oneLine(error.message)}.`
}

/** A short form of the error, for the list of failed batches. */
export function errorReason(result: BatchResult): string {
  const error = result.error ?? { message: 'unknown error' }
  return wrongServer(error) ?? oneLine(error.message, 120)
}

/** No check of this batch ever succeeded: the last error is the only cause there is to name. */
export function neverAnswered(result: BatchResult): string | undefined {
  if (result.batch || !result.lastError) return undefined
  return `no check succeeded; last error: ${oneLine(result.lastError.message, 200)}`
}

/** `last status IN_PROGRESS at 40%`, and the error of the last check when that one failed. */
export function lastSeen(result: BatchResult): string {
  if (!result.status) return 'no status was seen'
  const progress = result.progress
  const at = typeof progress === 'number' ? ` at ${percent(progress)}` : ''
  const failed = result.lastError ? `; the last check failed: ${oneLine(result.lastError.message, 200)}` : ''
  return `last status ${oneLine(result.status, 40)}${at}${failed}`
}

/** A retry-after longer than this is not a figure worth repeating: it is shown as "longer than the time left". */
const MAX_SHOWN_RETRY_AFTER_MS = 3_600_000

/** Together asked (HTTP 429) for a pause longer than the time left, and still refused at the end. */
export function rateLimitVerdict(result: BatchResult, retryAfterMs: number): string {
  const waited = formatDuration(result.endedAt - result.startedAt)
  const asked =
    retryAfterMs > MAX_SHOWN_RETRY_AFTER_MS
      ? 'longer than the time left'
      : `${formatDuration(retryAfterMs)}, longer than the time left`
  return `Together rate-limited the status checks of batch ${result.batchId} (HTTP 429, asked to wait ${asked}); the wait stopped after ${waited} (${lastSeen(result)}). Raise poll-interval or wait for fewer batches at once, or check it later.`
}

/** What happened to the action's own cancel request, as a sentence appended to the verdict. */
export function cancelNote(result: BatchResult): string {
  const { cancel } = result
  if (!cancel) return ''
  const error = oneLine(cancel.error, 200)
  switch (cancel.state) {
    case 'answered':
      return ` Cancel requested: Together answered ${oneLine(cancel.status, 40) || 'without a status'}.`
    case 'failed':
      return ` Cancelling it failed: ${error}.`
    case 'no-answer':
      return ` A cancel was sent but got no answer (${error}); it may still be running.`
    case 'not-sent':
      return ` No cancel was sent: ${error}; it is still running.`
  }
}
