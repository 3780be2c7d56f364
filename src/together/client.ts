import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Dispatcher } from 'undici'
import { TogetherError } from './errors.js'
import { parseModelList, type ModelInfo, type ModelsApi } from './models.js'
import { parseBatchJob, parseBatchList, parseFileInfo } from './parse.js'
import { Transport } from './transport.js'
import type { BatchApi, BatchJob, FileInfo, FilesApi, RequestOptions } from './types.js'

export { defaultDispatcher } from './transport.js'

export const DEFAULT_BASE_URL = 'https://api.together.ai/v1'
const MAX_REDIRECTS = 3

export interface TogetherClientOptions {
  apiKey: string
  /** e.g. `https://api.together.ai/v1`; a trailing slash is fine. */
  baseUrl?: string
  /** Sent as `User-Agent`, e.g. `wait-for-together-batch/1.0.0`. */
  userAgent?: string
  /** Bound on one request, headers and body together (for downloads: on each wait for data). */
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

/**
 * Together batch and file API over undici: `Authorization: Bearer`, keep-alive connections, a timeout
 * on every request, redirects never followed with the key to another host, and the API key redacted
 * from anything the server sends back before it reaches an error message or a batch field.
 */
export class TogetherClient implements BatchApi, FilesApi, ModelsApi {
  readonly baseUrl: string
  private readonly transport: Transport

  constructor(options: TogetherClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.transport = new Transport({
      apiKey: options.apiKey,
      userAgent: options.userAgent ?? 'wait-for-together-batch',
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxMessageLength: options.maxMessageLength ?? 500,
      dispatcher: options.dispatcher
    })
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

  async getFile(id: string, options?: RequestOptions): Promise<FileInfo> {
    const body = await this.call('GET', `/files/${encodeId(id)}`, options)
    return this.expect(parseFileInfo(body), `GET /files/${id}`, 'a file object')
  }

  /** The models and their list prices; malformed entries are left out. */
  async listModels(options?: RequestOptions): Promise<ModelInfo[]> {
    const body = await this.call('GET', '/models', options)
    return this.expect(parseModelList(body), 'GET /models', 'a list of models')
  }

  /**
   * Streams a file's content to `path` (constant memory): written as `<path>.part`, checked against
   * `expectedBytes` when given, then renamed, so `path` only ever holds a complete file. Follows up to
   * three redirects (signed storage URLs), sending the API key only to the API's own origin.
   */
  async downloadFile(
    id: string,
    path: string,
    options: RequestOptions & { expectedBytes?: number } = {}
  ): Promise<number> {
    const what = `GET /files/${id}/content`
    let url = `${this.baseUrl}/files/${encodeId(id)}/content`
    const origin = new URL(this.baseUrl).origin
    for (let hop = 0; ; hop++) {
      const withKey = new URL(url).origin === origin
      const response = await this.transport.send('GET', url, what, {
        ...options,
        withKey,
        streaming: true,
        accept: '*/*'
      })
      const location = response.headers.location
      if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
        await response.body.dump()
        url = new URL(String(location), url).toString()
        continue
      }
      if (response.status < 200 || response.status >= 300) {
        const text = await response.body.text().catch(() => '')
        throw this.transport.httpError(what, response.status, response.headers, text)
      }
      const partial = `${path}.part`
      let bytes = 0
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length
          callback(null, chunk)
        }
      })
      try {
        await pipeline(response.body, counter, createWriteStream(partial))
      } catch (error) {
        await rm(partial, { force: true })
        throw response.fail(error)
      }
      if (options.expectedBytes !== undefined && bytes !== options.expectedBytes) {
        await rm(partial, { force: true })
        throw new TogetherError(`${what} delivered ${bytes} bytes, expected ${options.expectedBytes}`, {
          kind: 'invalid-response'
        })
      }
      await rename(partial, path)
      return bytes
    }
  }

  /** Closes the client's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    await this.transport.close()
  }

  private expect<T>(value: T | undefined, what: string, expected: string): T {
    if (value === undefined) {
      throw new TogetherError(`Together answered ${what} with something that is not ${expected}`, {
        kind: 'invalid-response'
      })
    }
    return value
  }

  private async call(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<unknown> {
    const what = `${method} ${path}`
    const response = await this.transport.send(method, `${this.baseUrl}${path}`, what, options)
    let text: string
    try {
      text = this.transport.redact(await response.body.text())
    } catch (error) {
      throw response.fail(error)
    }
    if (response.status < 200 || response.status >= 300) {
      throw this.transport.httpError(what, response.status, response.headers, text)
    }
    try {
      return text === '' ? undefined : JSON.parse(text)
    } catch {
      throw new TogetherError(`${what} answered HTTP ${response.status} with a body that is not JSON`, {
        kind: 'invalid-response'
      })
    }
  }
}
