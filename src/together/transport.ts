import { request, type Dispatcher } from 'undici'
import { TogetherError } from './errors.js'
import { errorMessageOf } from './parse.js'
import { defaultDispatcher, parseProxyEnv } from './proxy.js'
import { parseRetryAfter } from './retry-after.js'
import type { RequestOptions } from './types.js'

export interface TransportOptions {
  apiKey: string
  userAgent: string
  requestTimeoutMs: number
  maxMessageLength: number
  dispatcher?: Dispatcher
}

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Dispatcher.ResponseData['body']
}

/**
 * One HTTP exchange with Together: bearer auth (only to the API's own origin), a timeout, no automatic
 * redirects, and every failure turned into a `TogetherError` whose text never holds the API key.
 */
export class Transport {
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private closed = false

  constructor(private readonly options: TransportOptions) {
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher = options.dispatcher ?? defaultDispatcher(parseProxyEnv(process.env))
  }

  redact(text: string): string {
    return this.options.apiKey ? text.split(this.options.apiKey).join('***') : text
  }

  clip(text: string): string {
    const flat = text.replace(/\s+/g, ' ').trim()
    const max = this.options.maxMessageLength
    return flat.length > max ? `${flat.slice(0, max)}…` : flat
  }

  /**
   * Sends one request; `what` names it in errors (`GET /batches/x`). With `withKey` false the
   * Authorization header is left out (a redirect to another host). The whole exchange, body included,
   * is bounded by the timeout unless `streaming` is set: then only the wait for headers and each pause
   * between body chunks are (a large download may take long, but never stall). The caller must read
   * the body, and map a failure while reading it with `fail`.
   */
  async send(
    method: 'GET' | 'POST',
    url: string,
    what: string,
    options: RequestOptions & { withKey?: boolean; accept?: string; streaming?: boolean } = {}
  ): Promise<Response & { fail(error: unknown): TogetherError }> {
    const timeoutMs = Math.max(
      1,
      Math.min(options.timeoutMs ?? this.options.requestTimeoutMs, this.options.requestTimeoutMs)
    )
    const timeout = options.streaming ? undefined : AbortSignal.timeout(timeoutMs)
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined)
    const fail = (error: unknown): TogetherError => this.transportError(what, error, options.signal, timeout, timeoutMs)
    try {
      const response = await request(url, {
        method,
        dispatcher: this.dispatcher,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
        headers: {
          ...(options.withKey === false ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
          accept: options.accept ?? 'application/json',
          'user-agent': this.options.userAgent
        },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        maxRedirections: 0
      })
      return { status: response.statusCode, headers: response.headers, body: response.body, fail }
    } catch (error) {
      throw fail(error)
    }
  }

  /** Maps a failure while sending or reading to a `TogetherError` (aborted, timeout or network). */
  private transportError(
    what: string,
    error: unknown,
    caller: AbortSignal | undefined,
    timeout: AbortSignal | undefined,
    timeoutMs: number
  ): TogetherError {
    if (error instanceof TogetherError) return error
    if (caller?.aborted) return new TogetherError(`${what} was aborted`, { kind: 'aborted', cause: error })
    const code = (error as { code?: string } | undefined)?.code
    if (timeout?.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TogetherError(`${what} got no answer within ${Math.ceil(timeoutMs / 1000)}s`, {
        kind: 'timeout',
        cause: error
      })
    }
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)
    return new TogetherError(`${what} failed: ${this.clip(this.redact(reason))}`, { kind: 'network', cause: error })
  }

  /** The `TogetherError` for a non-2xx answer whose body text is `text`. */
  httpError(what: string, status: number, headers: Response['headers'], text: string): TogetherError {
    if (status >= 300 && status < 400) {
      const location = headers.location
      return new TogetherError(
        `${what} was redirected (HTTP ${status}${location ? ` to ${this.clip(String(location))}` : ''}); redirects are not followed so the API key stays with the API`,
        { kind: 'http', status }
      )
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const serverMessage = this.clip(
      this.redact(errorMessageOf(body) ?? (text.trimStart().startsWith('<') ? 'HTML error page' : text))
    )
    return new TogetherError(`${what} answered HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`, {
      kind: 'http',
      status,
      serverMessage: serverMessage || undefined,
      retryAfterMs: parseRetryAfter(headers, Date.now())
    })
  }

  /** Closes the transport's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return
    this.closed = true
    await this.dispatcher.close()
  }
}
