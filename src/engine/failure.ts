import { TogetherError } from '../together/index.js'
import type { RequestFailure } from './types.js'

/**
 * Client-side failures that no retry can fix. Listed here because `transient` treats kinds it does not
 * know as worth retrying, and these may be newer than the client this runs with.
 */
const NEVER_RETRIED = new Set<string>(['local', 'invalid-id', 'wrong-batch'])

/** Whether asking again later may succeed: only for a TogetherError that says so. */
export function retryable(error: unknown): error is TogetherError {
  return error instanceof TogetherError && error.transient && !NEVER_RETRIED.has(error.kind)
}

/** What the verdict needs of a failure; `html` is read defensively, older clients do not set it. */
export function describeFailure(error: unknown): RequestFailure {
  const message = error instanceof Error ? error.message : String(error)
  if (!(error instanceof TogetherError)) return { message }
  const html = (error as { html?: unknown }).html === true
  return { message, status: error.status, serverMessage: error.serverMessage, kind: error.kind, ...(html && { html }) }
}
