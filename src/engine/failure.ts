import { TogetherError } from '../together/index.js'
import type { RequestFailure } from './types.js'

/**
 * Client-side failures that no retry can fix. Listed here because `transient` treats kinds it does not
 * know as worth retrying, and these may be newer than the client this runs with.
 */
const NEVER_RETRIED = new Set<string>(['local', 'invalid-id', 'wrong-batch'])

/**
 * Whether asking again later may succeed: only for a TogetherError that says so. A base URL whose host
 * does not resolve or whose TLS handshake fails (`unreachable`) is a wrong `base-url` until the API has
 * answered once (`answered`); after that, the same failure is a passing one.
 */
export function retryable(error: unknown, answered = true): error is TogetherError {
  if (!(error instanceof TogetherError) || !error.transient || NEVER_RETRIED.has(error.kind)) return false
  return answered || error.kind !== 'unreachable'
}

/** What the verdict needs of a failure; `html` and `routeUnknown` are read defensively, older clients do not set them. */
export function describeFailure(error: unknown): RequestFailure {
  const message = error instanceof Error ? error.message : String(error)
  if (!(error instanceof TogetherError)) return { message }
  const html = (error as { html?: unknown }).html === true
  const routeUnknown = (error as { routeUnknown?: unknown }).routeUnknown === true
  return {
    message,
    status: error.status,
    serverMessage: error.serverMessage,
    kind: error.kind,
    ...(html && { html }),
    ...(routeUnknown && { routeUnknown })
  }
}
