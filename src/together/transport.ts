import type { Readable } from 'node:stream'
import { request, type Dispatcher } from 'undici'
import { TogetherError } from './errors.js'
import { formatLimit, timeLimit } from './limits.js'
import { defaultDispatcher, parseProxyEnv, type ProxySettings } from './proxy.js'
import { createRedactor } from '../sanitize/redact.js'
import { errorMessage, oneLine } from '../util/text.js'
import type { RequestOptions } from './types.js'

export interface TransportOptions {
  apiKey: string
  /** Redacted from answers like the key, never sent. */
  secrets?: readonly string[]
  userAgent: string
  requestTimeoutMs: number
  maxMessageLength: number
  dispatcher?: Dispatcher
  /** For the default dispatcher; read from process.env when not given. */
  proxy?: ProxySettings
  connections?: number
}

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Dispatcher.ResponseData['body']
}

export interface ExchangeOptions extends RequestOptions {
  /** False leaves the Authorization header out (a redirect to another host). */
  withKey?: boolean
  accept?: string
  acceptEncoding?: string
  /**
   * A body that may take long (a download): the timeout then bounds only the wait for headers. The
   * body is bounded by `limits`, signals that abort with a TogetherError as their reason (a stall
   * bound, the whole download's), and by undici's `stallMs` between chunks as a backstop.
   */
  streaming?: { stallMs: number; limits: AbortSignal[] }
  /** A request body: a form, or a file streamed from disk (then give its `content-length` in `headers`). */
  body?: string | Readable
  /** Request headers besides auth, accept and user agent (`content-type`, `content-length`). */
  headers?: Record<string, string>
  /**
   * A body that may take long to send (an upload): the exchange is bounded by `totalMs` instead of the
   * request timeout, which then bounds each pause in the sending (undici restarts it at every chunk
   * written) and the wait for the answer after the last byte.
   */
  sending?: { totalMs: number }
}

export type Method = 'GET' | 'POST' | 'PUT'

/** Failures that retrying cannot fix: undici refusing an argument (a header value with a line break, a URL that is not http or https). */
const LOCAL_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE'])

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code

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
function unreachableReason(error: unknown, url: string): string | undefined {
  const code = String(codeOf(error))
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

/**
 * One HTTP exchange with Together: bearer auth (only to the API's own origin), bounded in time, no
 * automatic redirects, and every failure turned into a `TogetherError` whose text never holds the key.
 */
export class Transport {
  readonly redact: (text: string) => string
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private closed = false

  constructor(private readonly options: TransportOptions) {
    this.redact = createRedactor([options.apiKey, ...(options.secrets ?? [])])
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher =
      options.dispatcher ??
      defaultDispatcher(options.proxy ?? parseProxyEnv(process.env), { connections: options.connections })
  }

  /** Server or library text for a message: key redacted first (so clipping cannot leave half a key), then on one clipped line. */
  clip(text: string): string {
    return oneLine(this.redact(text), this.options.maxMessageLength)
  }

  /**
   * Sends one request and hands the response to `use`, which reads the body; `what` names the request
   * in errors (`GET /batches/x`). Whatever `use` throws that is not a TogetherError is read as a failure
   * of the exchange. Timers are released however it ends.
   */
  async exchange<T>(
    method: Method,
    url: string,
    what: string,
    options: ExchangeOptions,
    use: (response: Response) => Promise<T>
  ): Promise<T> {
    const timeoutMs = Math.max(
      1,
      Math.min(options.timeoutMs ?? this.options.requestTimeoutMs, this.options.requestTimeoutMs)
    )
    // Covers the wait for a pooled connection and the connect too, which undici's headersTimeout does not.
    const boundMs = options.sending ? Math.max(1, options.sending.totalMs) : timeoutMs
    const answer = timeLimit(
      boundMs,
      options.sending
        ? `${what} did not finish within ${formatLimit(boundMs)}, the limit for a whole upload`
        : `${what} got no answer within ${formatLimit(timeoutMs)}`
    )
    const limits = [answer.signal, ...(options.streaming?.limits ?? [])]
    const signal = AbortSignal.any(options.signal ? [options.signal, ...limits] : limits)
    const fail = (error: unknown): TogetherError => this.failure(what, url, error, options, timeoutMs)
    try {
      let response: Dispatcher.ResponseData
      try {
        response = await request(url, {
          method,
          dispatcher: this.dispatcher,
          signal,
          headers: this.headers(options),
          body: options.body,
          headersTimeout: timeoutMs,
          bodyTimeout: options.streaming?.stallMs ?? timeoutMs,
          maxRedirections: 0
        })
      } catch (error) {
        // undici throws some argument errors (a URL it cannot parse) before it returns a promise.
        throw fail(error)
      }
      if (options.streaming) answer.clear()
      const { statusCode: status, headers, body } = response
      try {
        return await use({ status, headers, body })
      } catch (error) {
        // A body left unread would hold its connection; the error listener keeps undici's abort quiet.
        body.on('error', () => undefined).destroy()
        throw fail(error)
      }
    } finally {
      answer.clear()
    }
  }

  private headers(options: ExchangeOptions): Record<string, string> {
    return {
      ...(options.withKey === false ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
      accept: options.accept ?? 'application/json',
      ...(options.acceptEncoding ? { 'accept-encoding': options.acceptEncoding } : {}),
      'user-agent': this.options.userAgent,
      ...options.headers
    }
  }

  /** Maps a failure while sending or reading to a `TogetherError`: aborted, timeout, local, unreachable or network. */
  private failure(
    what: string,
    url: string,
    error: unknown,
    options: ExchangeOptions,
    timeoutMs: number
  ): TogetherError {
    if (options.signal?.aborted) return new TogetherError(`${what} was aborted`, { kind: 'aborted', cause: error })
    // The time limits abort with a TogetherError as their reason, and undici rejects with that reason.
    if (error instanceof TogetherError) return error
    const code = codeOf(error)
    const stallMs = options.streaming?.stallMs
    if (code === 'UND_ERR_BODY_TIMEOUT' && stallMs !== undefined) {
      return new TogetherError(`${what} stalled: no data for ${formatLimit(stallMs)}`, {
        kind: 'timeout',
        cause: error
      })
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TogetherError(`${what} got no answer within ${formatLimit(timeoutMs)}`, {
        kind: 'timeout',
        cause: error
      })
    }
    if (code === 'ERR_INVALID_URL') {
      return new TogetherError(`${what} could not be sent: the base URL is not a valid URL`, {
        kind: 'local',
        cause: error
      })
    }
    // undici puts the socket's own error (ECONNRESET, ENOTFOUND…) in `cause`: the more telling one.
    const cause = (error as { cause?: unknown } | null | undefined)?.cause
    const reason = errorMessage(cause ?? error)
    if (LOCAL_CODES.has(String(code)) || (error as { name?: unknown } | null)?.name === 'InvalidArgumentError') {
      return new TogetherError(`${what} could not be sent: ${this.clip(reason)}`, { kind: 'local', cause: error })
    }
    const unreachable = unreachableReason(cause ?? error, url)
    if (unreachable) {
      return new TogetherError(`${what} failed: ${this.clip(unreachable)}`, { kind: 'unreachable', cause: error })
    }
    return new TogetherError(`${what} failed: ${this.clip(reason)}`, { kind: 'network', cause: error })
  }

  /** Closes the transport's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return
    this.closed = true
    await this.dispatcher.close()
  }
}
