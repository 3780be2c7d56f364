import { errorMessage } from '../util/text.js'

/** Why a request to Together did not produce a usable answer. */
export type TogetherErrorKind =
  /** The server answered with a non-2xx status. */
  | 'http'
  /** The connection failed or was reset. */
  | 'network'
  /**
   * The base URL's host does not resolve (ENOTFOUND) or its TLS handshake fails (a certificate
   * refused): worth retrying once the API has answered, a wrong `base-url` before that (the engine decides).
   */
  | 'unreachable'
  /** The request, or one of its bounds (header wait, stall, whole download), ran out of time. */
  | 'timeout'
  /** The caller aborted the request (workflow cancelled). */
  | 'aborted'
  /** A 2xx answer whose body is not what the API documents (not JSON, not a batch, an HTML page). */
  | 'invalid-response'
  /** An answer no retry can make usable: a redirect to a non-HTTP scheme, an unknown content encoding. */
  | 'unsupported-response'
  /** A failure on this machine: a header value undici refuses, an invalid URL, a file that cannot be written. */
  | 'local'
  /** An ID that is not a plain token, in an answer or in a request the client refused to send. */
  | 'invalid-id'
  /** The server answered about another batch than the one asked for. */
  | 'wrong-batch'

/** HTTP statuses worth asking again for; everything else in 4xx is the caller's mistake. */
const TRANSIENT_STATUSES = new Set([408, 409, 425, 429])

/** What a TogetherError is made of besides its message (`html` and `routeUnknown` are false unless given). */
export type TogetherErrorInit = Pick<TogetherError, 'kind' | 'status' | 'serverMessage' | 'retryAfterMs'> &
  Partial<Pick<TogetherError, 'html' | 'routeUnknown'>> & { cause?: unknown }

/**
 * A failed Together request. Callers branch on `kind`, `status`, `html` and `transient`, never on the
 * text. The message never contains the API key (the client redacts server text before it gets here).
 */
export class TogetherError extends Error {
  readonly kind: TogetherErrorKind
  readonly status?: number
  readonly serverMessage?: string
  /** How long the server asked us to wait before trying again, when it said so. */
  readonly retryAfterMs?: number
  /** The server answered with an HTML page: with a 404 or a 2xx, most likely a wrong base URL. */
  readonly html: boolean
  /** A 404 that says the server does not know the route: most likely a wrong base URL, not a wrong ID. */
  readonly routeUnknown: boolean

  constructor(message: string, init: TogetherErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'TogetherError'
    this.kind = init.kind
    this.status = init.status
    this.serverMessage = init.serverMessage
    this.retryAfterMs = init.retryAfterMs
    this.html = init.html ?? false
    this.routeUnknown = init.routeUnknown ?? false
  }

  /** True when trying the same request again later may succeed: the one place that decides retrying. */
  get transient(): boolean {
    switch (this.kind) {
      case 'http':
        return this.status === undefined || this.status >= 500 || TRANSIENT_STATUSES.has(this.status)
      // An invalid response too: a gateway may answer garbage for a while and recover; repeats are
      // the caller's to count.
      case 'network':
      case 'unreachable':
      case 'timeout':
      case 'invalid-response':
        return true
      case 'aborted':
      case 'unsupported-response':
      case 'local':
      case 'invalid-id':
      case 'wrong-batch':
        return false
    }
  }
}

/** Whether asking again later may succeed: only for a TogetherError that says so. */
export function isTransient(error: unknown): error is TogetherError {
  return error instanceof TogetherError && error.transient
}

/** A 2xx answer that is not what the request gets (`why`: "with no batch ID", "about file x"). */
export function invalidAnswer(what: string, why: string): TogetherError {
  return new TogetherError(`Together answered ${what} ${why}`, { kind: 'invalid-response' })
}

/** The `code` of a Node or undici error, as text ('undefined' without one). */
export const codeOf = (error: unknown): string => String((error as { code?: unknown } | null | undefined)?.code)

/** OpenSSL's verdicts on a certificate, as Node names them (and `ERR_TLS_CERT_ALTNAME_INVALID`). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

/**
 * Why the base URL's own host cannot be reached at all, when that is the failure: its name does not
 * resolve (ENOTFOUND: the name does not exist; EAI_AGAIN, a resolver that may recover, is not this), or
 * its TLS handshake fails (a refused certificate, or TLS to a port that does not speak it: OpenSSL's
 * `ERR_SSL_*`, or `EPROTO` from the socket). A proxy's own name is not the base URL's: that stays a
 * network failure.
 */
export function unreachableReason(error: unknown, url: string): string | undefined {
  const code = codeOf(error)
  const host = URL.parse(url)?.hostname ?? url
  const hostname = (error as { hostname?: unknown }).hostname
  if (code === 'ENOTFOUND' && (hostname === undefined || hostname === host)) {
    return `the host ${host} does not resolve (${errorMessage(error)})`
  }
  const tls = code.startsWith('ERR_SSL_') || (code === 'EPROTO' && url.startsWith('https:'))
  if (CERTIFICATE_CODES.has(code) || tls) {
    return `the TLS handshake with ${host} failed (${code}: ${errorMessage(error)}); a TLS-inspecting proxy needs its CA in NODE_EXTRA_CA_CERTS`
  }
  return undefined
}
