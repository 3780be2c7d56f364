/** Why a request to Together did not produce a usable answer. */
export type TogetherErrorKind =
  /** The server answered with a non-2xx status. */
  | 'http'
  /** The connection failed or was reset. */
  | 'network'
  /** The request took longer than its timeout. */
  | 'timeout'
  /** The caller aborted the request (workflow cancelled). */
  | 'aborted'
  /** A 2xx answer whose body is not what the API documents (not JSON, not a batch). */
  | 'invalid-response'

/** HTTP statuses worth asking again for; everything else in 4xx is the caller's mistake. */
const TRANSIENT_STATUSES = new Set([408, 409, 425, 429])

export interface TogetherErrorInit {
  kind: TogetherErrorKind
  status?: number
  serverMessage?: string
  retryAfterMs?: number
  cause?: unknown
}

/**
 * A failed Together request. Callers branch on `kind`, `status` and `transient`, never on the text.
 * The message never contains the API key (the client redacts server text before it gets here).
 */
export class TogetherError extends Error {
  readonly kind: TogetherErrorKind
  readonly status?: number
  readonly serverMessage?: string
  /** How long the server asked us to wait before trying again, when it said so. */
  readonly retryAfterMs?: number

  constructor(message: string, init: TogetherErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'TogetherError'
    this.kind = init.kind
    this.status = init.status
    this.serverMessage = init.serverMessage
    this.retryAfterMs = init.retryAfterMs
  }

  /** True when trying the same request again later may succeed. */
  get transient(): boolean {
    switch (this.kind) {
      case 'aborted':
        return false
      case 'http':
        return this.status === undefined || this.status >= 500 || TRANSIENT_STATUSES.has(this.status)
      default:
        return true
    }
  }
}
