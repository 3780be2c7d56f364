import type { Dispatcher } from 'undici'
import { DEFAULT_MAX_LIST_BYTES, LIST_WHAT, readBatchList } from './batch-list.js'
import { download } from './download.js'
import { TogetherError } from './errors.js'
import { checkBatchIds, checkSameBatch, encodeId, idLabel, requirePlainFileId } from './ids.js'
import { exchangeJson } from './json-exchange.js'
import { parseCreatedBatch, parseFileList } from './lists.js'
import { parseModelList, type ModelInfo, type ModelsApi } from './models.js'
import { parseBatchJob, parseFileInfo } from './parse.js'
import type { ProxySettings } from './proxy.js'
import { Transport, type ExchangeOptions, type Response } from './transport.js'
import type { BatchApi, BatchJob, CreatedBatch, DownloadOptions, FileInfo, FilesApi, ListOptions } from './types.js'
import type { ListedFile, RequestOptions, SubmitApi, UploadOptions } from './types.js'
import { upload } from './upload.js'

export const DEFAULT_BASE_URL = 'https://api.together.ai/v1'
const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000
/**
 * The most downloaded of one file: more than a batch's results should ever be, less than a hosted
 * runner's free disk. A larger announced size is refused, and a file of unknown size is cut off past
 * it, so a server that never stops sending cannot fill the disk before the time bound ends it.
 */
const DEFAULT_MAX_DOWNLOAD_BYTES = 10 * 1024 ** 3

export interface TogetherClientOptions {
  apiKey: string
  /** Other secrets to remove from every answer as it is read, like the key (the GitHub token). */
  secrets?: readonly string[]
  /** e.g. `https://api.together.ai/v1`; a trailing slash is fine. */
  baseUrl?: string
  /** Sent as `User-Agent`, e.g. `wait-for-together-batch/1.0.0`. */
  userAgent?: string
  /** Bound on one request, headers and body together (for downloads: on the wait for headers). */
  requestTimeoutMs?: number
  /** Default longest pause in a download's data (default: `requestTimeoutMs`). */
  downloadStallTimeoutMs?: number
  /** Default bound on a whole download, redirects included (default 10 minutes). */
  downloadTotalTimeoutMs?: number
  /** Default size bound on a download, announced or not (default 10 GiB). */
  downloadMaxBytes?: number
  /** Size bound on the batch list (default 16 MiB, about 30,000 batches). */
  listMaxBytes?: number
  /** Longest server text kept in an error message. */
  maxMessageLength?: number
  /** Defaults to a keep-alive agent going through `proxy`. */
  dispatcher?: Dispatcher
  /** Proxies for the default dispatcher (see `parseProxyEnv`); read from process.env when not given. */
  proxy?: ProxySettings
  /** Keep-alive connections of the default dispatcher (default 16). */
  connections?: number
}

/** The origin of `url`, or a `local` error: a base URL that does not parse is no network trouble. */
function originOf(url: string, what: string): string {
  try {
    return new URL(url).origin
  } catch (error) {
    throw new TogetherError(`${what} could not be sent: the base URL is not a valid URL`, {
      kind: 'local',
      cause: error
    })
  }
}

/**
 * Together batch and file API over undici: `Authorization: Bearer`, keep-alive connections, bounded
 * requests, redirects never followed with the key to another host, IDs checked before they are used,
 * and the API key redacted from anything the server sends back.
 */
export class TogetherClient implements BatchApi, FilesApi, ModelsApi, SubmitApi {
  readonly baseUrl: string
  private readonly transport: Transport
  private readonly requestTimeoutMs: number
  private readonly downloadStallTimeoutMs?: number
  private readonly downloadTotalTimeoutMs: number
  private readonly downloadMaxBytes: number
  private readonly listMaxBytes: number

  constructor(options: TogetherClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.downloadStallTimeoutMs = options.downloadStallTimeoutMs
    this.downloadTotalTimeoutMs = options.downloadTotalTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS
    this.downloadMaxBytes = options.downloadMaxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES
    this.listMaxBytes = options.listMaxBytes ?? DEFAULT_MAX_LIST_BYTES
    this.transport = new Transport({
      apiKey: options.apiKey,
      secrets: options.secrets,
      userAgent: options.userAgent ?? 'wait-for-together-batch',
      requestTimeoutMs: this.requestTimeoutMs,
      maxMessageLength: options.maxMessageLength ?? 500,
      dispatcher: options.dispatcher,
      proxy: options.proxy,
      connections: options.connections
    })
  }

  /** The batch `id`; an answer about another batch (`wrong-batch`) or with IDs that are not plain (`invalid-id`) is refused. */
  async getBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    const what = `GET /batches/${idLabel(id)}`
    const body = await this.call('GET', `/batches/${encodeId(id)}`, what, options)
    return this.checkedBatch(body, what, id)
  }

  async cancelBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    const what = `POST /batches/${idLabel(id)}/cancel`
    const body = await this.call('POST', `/batches/${encodeId(id)}/cancel`, what, options)
    return this.checkedBatch(body, what, id)
  }

  /** Metadata of file `id`; an ID that is not plain is refused before any request (`invalid-id`). */
  async getFile(id: string, options?: RequestOptions): Promise<FileInfo> {
    requirePlainFileId(id)
    const body = await this.call('GET', `/files/${encodeId(id)}`, `GET /files/${id}`, options)
    return this.expect(parseFileInfo(body), `GET /files/${id}`, 'a file object')
  }

  /** The models and their list prices; malformed entries are left out. */
  async listModels(options?: RequestOptions): Promise<ModelInfo[]> {
    const body = await this.call('GET', '/models', 'GET /models', options)
    return this.expect(parseModelList(body), 'GET /models', 'a list of models')
  }

  /**
   * Streams file `id` to `path` (constant memory, plain JSONL whatever the content encoding): written
   * as `<path>.part`, checked against `expectedBytes` when given (else bounded by `maxBytes`), then
   * renamed, so `path` only ever holds a complete file. An `expectedBytes` over `maxBytes` is refused
   * before any request. Follows up to three redirects (signed storage URLs), sending the API key only
   * to the API's own origin. An ID that is not plain is refused before any request.
   */
  async downloadFile(id: string, path: string, options: DownloadOptions = {}): Promise<number> {
    requirePlainFileId(id)
    const what = `GET /files/${id}/content`
    const maxBytes = options.maxBytes ?? this.downloadMaxBytes
    // The size comes from the same server as the file: announcing a huge one must not lift the bound.
    if (options.expectedBytes !== undefined && options.expectedBytes > maxBytes) {
      throw new TogetherError(
        `${what} was not downloaded: Together gives its size as ${options.expectedBytes} bytes, more than the ${maxBytes} the action downloads of one file`,
        { kind: 'unsupported-response' }
      )
    }
    return download(
      {
        transport: this.transport,
        url: `${this.baseUrl}/files/${encodeId(id)}/content`,
        apiOrigin: originOf(this.baseUrl, what),
        what,
        path,
        stallTimeoutMs: options.stallTimeoutMs ?? this.downloadStallTimeoutMs ?? this.requestTimeoutMs,
        totalTimeoutMs: options.totalTimeoutMs ?? this.downloadTotalTimeoutMs
      },
      { ...options, maxBytes }
    )
  }

  /** The files of the account (`GET /v1/files`); entries without a plain ID are left out. */
  async listFiles(options?: RequestOptions): Promise<ListedFile[]> {
    return this.expect(
      parseFileList(await this.call('GET', '/files', 'GET /files', options)),
      'GET /files',
      'a list of files'
    )
  }

  /** Every batch of the account (or those `only` names), streamed within a size bound (see `readBatchList`). */
  async listBatches({ only, ...options }: ListOptions = {}): Promise<BatchJob[]> {
    const read = (response: Response): Promise<BatchJob[]> =>
      readBatchList(response, { maxBytes: this.listMaxBytes, only }, this.transport)
    return this.transport.exchange('GET', `${this.baseUrl}/batches`, LIST_WHAT, options, read)
  }

  /**
   * `POST /v1/batches {input_file_id, endpoint}`. Not idempotent: after a lost answer (a transient
   * error), list batches before creating again. A file ID that is not plain is refused before any request.
   */
  async createBatch(inputFileId: string, endpoint: string, options?: RequestOptions): Promise<CreatedBatch> {
    requirePlainFileId(inputFileId)
    const body = JSON.stringify({ input_file_id: inputFileId, endpoint })
    const json = { ...options, body, headers: { 'content-type': 'application/json' } }
    return parseCreatedBatch(await this.call('POST', '/batches', 'POST /batches', json), 'POST /batches', inputFileId)
  }

  /**
   * Uploads `path` as `fileName` with purpose `batch-api` (see `upload.ts`): streamed from disk, the key
   * never sent to the storage origin, bounded by `totalTimeoutMs` (default 10 minutes).
   */
  async uploadFile(path: string, fileName: string, options: UploadOptions = {}): Promise<ListedFile> {
    return upload({ transport: this.transport, baseUrl: this.baseUrl, path, fileName, options })
  }

  /** Closes the client's own keep-alive connections so the process can exit; safe to call twice. */
  async close(): Promise<void> {
    await this.transport.close()
  }

  private checkedBatch(body: unknown, what: string, id: string): BatchJob {
    const job = checkBatchIds(this.expect(parseBatchJob(body), what, 'a batch object'), what)
    return checkSameBatch(job, what, id)
  }

  private expect<T>(value: T | undefined, what: string, expected: string): T {
    if (value === undefined) {
      throw new TogetherError(`Together answered ${what} with something that is not ${expected}`, {
        kind: 'invalid-response'
      })
    }
    return value
  }

  /** One JSON exchange; the parsed body comes back with the key redacted from every string in it. */
  private call(method: 'GET' | 'POST', path: string, what: string, options?: ExchangeOptions): Promise<unknown> {
    return exchangeJson(this.transport, method, `${this.baseUrl}${path}`, what, options, this.baseUrl)
  }
}
