import { TogetherError } from '../together/errors.js'
import { errorMessage } from '../util/text.js'
import type { RequestFailure } from './types.js'

/** What the verdict needs of a failure. */
export function describeFailure(error: unknown): RequestFailure {
  const message = errorMessage(error)
  if (!(error instanceof TogetherError)) return { message }
  const { status, serverMessage, kind, html, routeUnknown } = error
  return { message, status, serverMessage, kind, ...(html && { html }), ...(routeUnknown && { routeUnknown }) }
}
