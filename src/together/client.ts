import { exchangeJson, unexpectedAnswer } from './answers.js'
import { DEFAULT_MAX_LIST_BYTES, LIST_WHAT, readBatchList } from './batch-list.js'
import { download } from './download.js'
import { checkBatchIds, checkSameBatch, encodeId, idLabel, requirePlainFileId } from './ids.js'
import { parseBatchJob, parseCreatedBatch, parseFileInfo, parseFileList, parseModelList } from './parse.js'
import { Transport, type ExchangeOptions, type Method, type TransportOptions } from './transport.js'
import type { BatchApi, BatchJob, CreatedBatch, DownloadOptions, FileInfo, FilesApi, ListOptions } from './types.js'
import type { ListedFile, ModelInfo, ModelsApi, RequestOptions, SubmitApi, UploadOptions } from './types.js'
import { upload } from './upload.js'

export const DEFAULT_BASE_URL = 'https://api.together.ai/v1'

export interface TogetherClientOptions extends TransportOptions {
  /** e.g. `https://api.together.ai/v1`; a trailing slash is fine. */
  baseUrl?: string
  /** Size bound on the batch list (default 16 MiB, about 30,000 batches). */
  listMaxBytes?: number
}

/**
 * Together batch and file API over undici: `Authorization: Bearer`, keep-alive connections, bounded
 * requests, redirects never followed with the key to another host, IDs checked before they are used,
 * and the API key redacted from anything the server sends back.
 */
export class TogetherClient implements BatchApi, FilesApi, ModelsApi, SubmitApi {
  readonly baseUrl: string
  private readonly transport: Transport
  private readonly listMaxBytes: number

  constructor(options: TogetherClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.listMaxBytes = options.listMaxBytes ?? DEFAULT_MAX_LIST_BYTES
    this.transport = new Transport(options)
  }

  /** The batch `id`; an answer about another batch (`wrong-batch`) or with IDs that are not plain (`invalid-id`) is refused. */
  async getBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    return this.batch('GET', id, '', options)
  }

  /** Asks Together to cancel batch `id`; its answer is checked as `getBatch`'s is. */
  async cancelBatch(id: string, options?: RequestOptions): Promise<BatchJob> {
    return this.batch('POST', id, '/cancel', options)
  }

  /** Metadata of file `id`; an ID that is not plain is refused before any request (`invalid-id`). */
  async getFile(id: string, options?: RequestOptions): Promise<FileInfo> {
    requirePlainFileId(id)
    return this.read('GET', `/files/${encodeId(id)}`, `GET /files/${id}`, options, parseFileInfo, 'a file object')
  }

  /** The models and their list prices; malformed entries are left out. */
  async listModels(options?: RequestOptions): Promise<ModelInfo[]> {
    return this.read('GET', '/models', 'GET /models', options, parseModelList, 'a list of models')
  }

  /** Streams file `id` to `path` within time and size bounds (see `download.ts`). */
  async downloadFile(id: string, path: string, options: DownloadOptions = {}): Promise<number> {
    return download({ transport: this.transport, baseUrl: this.baseUrl, id, path, options })
  }

  /** The files of the account (`GET /v1/files`); entries without a plain ID are left out. */
  async listFiles(options?: RequestOptions): Promise<ListedFile[]> {
    return this.read('GET', '/files', 'GET /files', options, parseFileList, 'a list of files', DEFAULT_MAX_LIST_BYTES)
  }

  /** Every batch of the account (or those `only` names), streamed within a size bound (see `readBatchList`). */
  async listBatches({ only, ...options }: ListOptions = {}): Promise<BatchJob[]> {
    return this.transport.exchange('GET', `${this.baseUrl}/batches`, LIST_WHAT, options, response =>
      readBatchList(response, { maxBytes: this.listMaxBytes, only }, this.transport)
    )
  }

  /**
   * `POST /v1/batches {input_file_id, endpoint}`. Not idempotent: after a lost answer (a transient
   * error), list batches before creating again. A file ID that is not plain is refused before any request.
   */
  async createBatch(inputFileId: string, endpoint: string, options?: RequestOptions): Promise<CreatedBatch> {
    requirePlainFileId(inputFileId)
    const body = JSON.stringify({ input_file_id: inputFileId, endpoint })
    const json = { ...options, body, headers: { 'content-type': 'application/json' } }
    const parse = (answer: unknown): CreatedBatch => parseCreatedBatch(answer, 'POST /batches', inputFileId)
    return this.read('POST', '/batches', 'POST /batches', json, parse, 'a batch')
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

  /** `method /batches/{id}{action}`: the batch of the answer, refused unless it is batch `id` with plain IDs. */
  private async batch(method: Method, id: string, action: string, options?: RequestOptions): Promise<BatchJob> {
    const what = `${method} /batches/${idLabel(id)}${action}`
    const path = `/batches/${encodeId(id)}${action}`
    const job = await this.read(method, path, what, options, parseBatchJob, 'a batch object')
    return checkSameBatch(checkBatchIds(job, what), what, id)
  }

  /**
   * One JSON exchange, its body (key redacted) read by `parse`: nothing read is an invalid response.
   * `maxBytes` bounds the body (default: that of one answer, see `exchangeJson`).
   */
  private async read<T>(
    method: Method,
    path: string,
    what: string,
    options: ExchangeOptions | undefined,
    parse: (body: unknown) => T | undefined,
    expected: string,
    maxBytes?: number
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`
    const body = await exchangeJson(this.transport, method, url, what, options, { baseUrl: this.baseUrl, maxBytes })
    const value = parse(body)
    if (value === undefined) throw unexpectedAnswer(what, expected)
    return value
  }
}
