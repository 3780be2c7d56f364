import type { Readable } from 'node:stream'
import { request, type Dispatcher } from 'undici'
import { codeOf, TogetherError, unreachableReason, type TogetherErrorKind } from './errors.js'
import { formatLimit, timeLimit } from './limits.js'
import { defaultDispatcher, parseProxyEnv, type ProxySettings } from './proxy.js'
import { createRedactor } from '../sanitize/redact.js'
import { errorMessage, oneLine } from '../util/text.js'
import type { RequestOptions } from './types.js'

/** How the client talks to Together: the key, the bound on a request, the connections. */
export interface TransportOptions {
  apiKey: string
  /** Other secrets to remove from every answer as it is read, like the key (the GitHub token); never sent. */
  secrets?: readonly string[]
  /** Sent as `User-Agent`, e.g. `wait-for-together-batch/1.0.0`. */
  userAgent?: string
  /** Bound on one request, headers and body together (for downloads: on the wait for headers; default 30 s). */
  requestTimeoutMs?: number
  /** Defaults to a keep-alive agent going through `proxy`. */
  dispatcher?: Dispatcher
  /** Proxies for the default dispatcher (see `parseProxyEnv`); read from process.env when not given. */
  proxy?: ProxySettings
  /** Keep-alive connections of the default dispatcher (default 16). */
  connections?: number
}

/** undici's answer, its status named as the client names it. */
export type Response = Pick<Dispatcher.ResponseData, 'headers' | 'body'> & { status: number }

export interface ExchangeOptions extends RequestOptions {
  /** False leaves the Authorization header out (a redirect to another host). */
  withKey?: boolean
  /**
   * A body that may take long (a download): the timeout then bounds only the wait for headers. The
   * body is bounded by `limits`, signals that abort with a TogetherError as their reason (a stall
   * bound, the whole download's), and by undici's `stallMs` between chunks as a backstop.
   */
  streaming?: { stallMs: number; limits: AbortSignal[] }
  /** A request body: a form, or a file streamed from disk (then give its `content-length` in `headers`). */
  body?: string | Readable
  /** Request headers besides auth and user agent (`content-type`, `content-length`, `accept` other than JSON). */
  headers?: Record<string, string>
  /**
   * A body that may take long to send (an upload): the exchange is bounded by `totalMs` instead of the
   * request timeout, which then bounds each pause in the sending (undici restarts it at every chunk
   * written) and the wait for the answer after the last byte.
   */
  sending?: { totalMs: number }
}

export type Method = 'GET' | 'POST' | 'PUT'

/** Longest server text kept in an error message. */
const MAX_MESSAGE_LENGTH = 500

/** Failures that retrying cannot fix: undici refusing an argument (a header value with a line break, a URL that is not http or https). */
const LOCAL_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE'])

/**
 * One HTTP exchange with Together: bearer auth (only to the API's own origin), bounded in time, no
 * automatic redirects, and every failure turned into a `TogetherError` whose text never holds the key.
 */
export class Transport {
  readonly redact: (text: string) => string
  readonly requestTimeoutMs: number
  private readonly apiKey: string
  private readonly userAgent: string
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private closed = false

  constructor(options: TransportOptions) {
    this.apiKey = options.apiKey
    this.redact = createRedactor([options.apiKey, ...(options.secrets ?? [])])
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.userAgent = options.userAgent ?? 'wait-for-together-batch'
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher =
      options.dispatcher ?? defaultDispatcher(options.proxy ?? parseProxyEnv(process.env), options.connections)
  }

  /** Server or library text for a message: key redacted first (so clipping cannot leave half a key), then on one clipped line. */
  clip(text: string): string {
    return oneLine(this.redact(text), MAX_MESSAGE_LENGTH)
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
    const timeoutMs = Math.max(1, Math.min(options.timeoutMs ?? this.requestTimeoutMs, this.requestTimeoutMs))
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
      ...(options.withKey === false ? {} : { authorization: `Bearer ${this.apiKey}` }),
      accept: 'application/json',
      'user-agent': this.userAgent,
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
    const fail = (kind: TogetherErrorKind, text: string): TogetherError =>
      new TogetherError(`${what} ${text}`, { kind, cause: error })
    if (options.signal?.aborted) return fail('aborted', 'was aborted')
    // The time limits abort with a TogetherError as their reason, and undici rejects with that reason.
    if (error instanceof TogetherError) return error
    const code = codeOf(error)
    const stallMs = options.streaming?.stallMs
    if (code === 'UND_ERR_BODY_TIMEOUT' && stallMs !== undefined) {
      return fail('timeout', `stalled: no data for ${formatLimit(stallMs)}`)
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return fail('timeout', `got no answer within ${formatLimit(timeoutMs)}`)
    }
    if (code === 'ERR_INVALID_URL') return fail('local', 'could not be sent: the base URL is not a valid URL')
    // undici puts the socket's own error (ECONNRESET, ENOTFOUND…) in `cause`: the more telling one.
    const cause = (error as { cause?: unknown } | null | undefined)?.cause
    const reason = errorMessage(cause ?? error)
    if (LOCAL_CODES.has(code) || (error as { name?: unknown } | null)?.name === 'InvalidArgumentError') {
      return fail('local', `could not be sent: ${this.clip(reason)}`)
    }
    const unreachable = unreachableReason(cause ?? error, url)
    if (unreachable) return fail('unreachable', `failed: ${this.clip(unreachable)}`)
    return fail('network', `failed: ${this.clip(reason)}`)
  }

  /** Closes the transport's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return
    this.closed = true
    await this.dispatcher.close()
  }
}
