import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici'
import { TogetherError } from './errors.js'
import { errorMessageOf, parseBatchJob, parseBatchList } from './parse.js'
import { parseRetryAfter } from './retry-after.js'
import type { BatchApi, BatchJob, RequestOptions } from './types.js'

export const DEFAULT_BASE_URL = 'https://api.together.ai/v1'

export interface TogetherClientOptions {
  apiKey: string
  /** e.g. `https://api.together.ai/v1`; a trailing slash is fine. */
  baseUrl?: string
  /** Sent as `User-Agent`, e.g. `wait-for-together-batch/1.0.0`. */
  userAgent?: string
  /** Bound on one request, headers and body together. */
  requestTimeoutMs?: number
  /** Longest server text kept in an error message. */
  maxMessageLength?: number
  /** Defaults to a keep-alive agent that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  dispatcher?: Dispatcher
}

/** One path segment: '/', '?', '#' and '%' encoded, and dots too, so '..' cannot climb to another endpoint. */
export function encodeId(id: string): string {
  return encodeURIComponent(id).replace(/\./g, '%2E')
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']

/**
 * Keep-alive connections; through the proxy named by HTTPS_PROXY / HTTP_PROXY (minus NO_PROXY hosts)
 * when one is set, as self-hosted runners behind a proxy need.
 */
export function defaultDispatcher(env: NodeJS.ProcessEnv): Dispatcher {
  const options = { keepAliveTimeout: 60_000, connections: 8 }
  return PROXY_VARIABLES.some(name => env[name]) ? new EnvHttpProxyAgent(options) : new Agent(options)
}

/**
 * Together batch API over undici: `Authorization: Bearer`, keep-alive connections, a timeout on every
 * request, redirects never followed (so the key never travels to another host), and the API key
 * redacted from anything the server sends back before it reaches an error message or a batch field.
 */
export class TogetherClient implements BatchApi {
  readonly baseUrl: string
  private readonly apiKey: string
  private readonly userAgent: string
  private readonly requestTimeoutMs: number
  private readonly maxMessageLength: number
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private closed = false

  constructor(options: TogetherClientOptions) {
    this.apiKey = options.apiKey
    this.baseUrl = (options.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.userAgent = options.userAgent ?? 'wait-for-together-batch'
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.maxMessageLength = options.maxMessageLength ?? 500
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher = options.dispatcher ?? defaultDispatcher(process.env)
  }

  async getBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    const body = await this.call('GET', `/batches/${encodeId(id)}`, options)
    return this.expect(parseBatchJob(body), `GET /batches/${id}`, 'a batch object')
  }

  async listBatches(options?: RequestOptions): Promise<BatchJob[]> {
    const body = await this.call('GET', '/batches', options)
    return this.expect(parseBatchList(body), 'GET /batches', 'a list of batches')
  }

  async cancelBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    const body = await this.call('POST', `/batches/${encodeId(id)}/cancel`, options)
    return this.expect(parseBatchJob(body), `POST /batches/${id}/cancel`, 'a batch object')
  }

  /** Closes the client's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return
    this.closed = true
    await this.dispatcher.close()
  }

  private expect<T>(value: T | undefined, what: string, expected: string): T {
    if (value === undefined) {
      throw new TogetherError(`Together answered ${what} with something that is not ${expected}`, {
        kind: 'invalid-response'
      })
    }
    return value
  }

  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('***') : text
  }

  private clip(text: string): string {
    const flat = text.replace(/\s+/g, ' ').trim()
    return flat.length > this.maxMessageLength ? `${flat.slice(0, this.maxMessageLength)}…` : flat
  }

  private async call(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<unknown> {
    const timeoutMs = Math.max(1, Math.min(options.timeoutMs ?? this.requestTimeoutMs, this.requestTimeoutMs))
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
    const what = `${method} ${path}`
    let text: string
    let status: number
    let headers: Record<string, string | string[] | undefined>
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        dispatcher: this.dispatcher,
        signal,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json',
          'user-agent': this.userAgent
        },
        maxRedirections: 0
      })
      status = response.statusCode
      headers = response.headers
      text = this.redact(await response.body.text())
    } catch (error) {
      if (options.signal?.aborted) {
        throw new TogetherError(`${what} was aborted`, { kind: 'aborted', cause: error })
      }
      if (timeout.aborted) {
        throw new TogetherError(`${what} got no answer within ${Math.ceil(timeoutMs / 1000)}s`, {
          kind: 'timeout',
          cause: error
        })
      }
      const reason =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)
      throw new TogetherError(`${what} failed: ${this.clip(this.redact(reason))}`, { kind: 'network', cause: error })
    }

    let body: unknown
    let parsed = true
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = false
    }

    if (status >= 300 && status < 400) {
      const location = headers.location
      throw new TogetherError(
        `${what} was redirected (HTTP ${status}${location ? ` to ${this.clip(String(location))}` : ''}); redirects are not followed so the API key stays with ${this.baseUrl}`,
        { kind: 'http', status }
      )
    }
    if (status < 200 || status >= 300) {
      const serverMessage = this.clip(
        (parsed ? errorMessageOf(body) : undefined) ?? (text.trimStart().startsWith('<') ? 'HTML error page' : text)
      )
      throw new TogetherError(`${what} answered HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`, {
        kind: 'http',
        status,
        serverMessage: serverMessage || undefined,
        retryAfterMs: parseRetryAfter(headers, Date.now())
      })
    }
    if (!parsed) {
      throw new TogetherError(`${what} answered HTTP ${status} with a body that is not JSON`, {
        kind: 'invalid-response'
      })
    }
    return body
  }
}
