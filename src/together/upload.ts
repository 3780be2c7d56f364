import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { exchangeJson, header, parseRetryAfter, requireOk } from './answers.js'
import { invalidAnswer, TogetherError } from './errors.js'
import { describeBadId, encodeId, isPlainId } from './ids.js'
import { parseListedFile } from './parse.js'
import type { ExchangeOptions, Transport } from './transport.js'
import type { ListedFile, UploadOptions } from './types.js'
import { errorMessage } from '../util/text.js'

/** Every input file the action uploads is a batch's. */
const PURPOSE = 'batch-api'
/** Sending 100 MB (Together's largest input file) at 1.5 Mbit/s. */
const DEFAULT_UPLOAD_TIMEOUT_MS = 10 * 60_000
/** How a server without the signed-URL flow answers `POST /v1/files`: the spec's multipart upload is used instead. */
const NO_SIGNED_FLOW = new Set([404, 405, 501])

export interface UploadRequest {
  transport: Transport
  /** e.g. `https://api.together.ai/v1`, without a trailing slash. */
  baseUrl: string
  /** The local file. */
  path: string
  /** Its name at Together: a plain name (letters, digits, `.`, `_`, `-`). */
  fileName: string
  options: UploadOptions
}

type Start = { url: string; fileId: string } | 'multipart'

const once = <T>(_what: string, step: () => Promise<T>): Promise<T> => step()

/** `POST /v1/files`: a 302 to the signed storage URL with the new file's ID, or the multipart fallback. */
function start(request: UploadRequest): Promise<Start> {
  const { transport, baseUrl, fileName, options } = request
  const what = 'POST /files'
  const exchange: ExchangeOptions = {
    ...options,
    body: new URLSearchParams({ purpose: PURPOSE, file_name: fileName, file_type: 'jsonl' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  }
  return transport.exchange('POST', `${baseUrl}/files`, what, exchange, async response => {
    const { status, headers } = response
    if (status !== 302 && !NO_SIGNED_FLOW.has(status)) await requireOk(what, response, transport)
    await response.body.dump()
    if (status !== 302) return 'multipart'
    const fileId = header(headers, 'x-together-file-id') ?? ''
    if (!isPlainId(fileId)) {
      throw new TogetherError(`${what} answered 302 without a plain X-Together-File-Id`, { kind: 'invalid-id' })
    }
    const location = header(headers, 'location')
    // An empty Location would resolve to the API itself.
    const target = location ? URL.parse(location, `${baseUrl}/`) : null
    if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
      throw new TogetherError(`${what} answered 302 without an http(s) Location to upload ${fileId} to`, {
        kind: 'unsupported-response'
      })
    }
    return { url: target.toString(), fileId }
  })
}

/**
 * `PUT` of the bytes to the signed storage URL, streamed from disk. The URL belongs to another origin
 * and is signed on its own: the key and any Authorization header stay home, and only its origin is
 * ever named (its query is the signature).
 */
function send(request: UploadRequest, url: string, bytes: number): Promise<void> {
  const { transport, path, options } = request
  const what = `PUT to the signed upload URL at ${transport.clip(new URL(url).origin)}`
  const body = createReadStream(path)
  const exchange: ExchangeOptions = {
    ...options,
    withKey: false,
    body,
    headers: { accept: '*/*', 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
    sending: { totalMs: options.totalTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS }
  }
  return transport
    .exchange('PUT', url, what, exchange, async response => {
      const { status, headers } = response
      await response.body.dump()
      if (status >= 200 && status < 300) return
      // Storage error bodies can quote the signed request: only the status is kept.
      throw new TogetherError(`${what} answered HTTP ${status}`, {
        kind: 'http',
        status,
        retryAfterMs: parseRetryAfter(headers, Date.now())
      })
    })
    .finally(() => body.destroy())
}

/** The spec's `POST /v1/files/upload`: multipart/form-data with the file streamed from disk. */
async function multipart(request: UploadRequest, bytes: number): Promise<ListedFile> {
  const { transport, baseUrl, path, fileName, options } = request
  const what = 'POST /files/upload'
  const boundary = `wait-for-together-batch-${randomBytes(12).toString('hex')}`
  const field = (name: string, value: string): string =>
    `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const head = Buffer.from(
    `${field('purpose', PURPOSE)}${field('file_name', fileName)}${field('file_type', 'jsonl')}` +
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'content-type: application/octet-stream\r\n\r\n'
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const body = Readable.from(
    (async function* () {
      yield head
      yield* createReadStream(path)
      yield tail
    })()
  )
  const answer = await exchangeJson(transport, 'POST', `${baseUrl}/files/upload`, what, {
    ...options,
    body,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + bytes + tail.length)
    },
    sending: { totalMs: options.totalTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS }
  }).finally(() => body.destroy())
  const file = parseListedFile(answer)
  if (!file) throw invalidAnswer(what, 'without a plain file ID')
  return file
}

/** `POST /v1/files/{id}/preprocess`: Together checks the uploaded file; its answer is the file object. */
async function preprocess(request: UploadRequest, fileId: string, bytes: number): Promise<ListedFile> {
  const { transport, baseUrl, fileName, options } = request
  const what = `POST /files/${fileId}/preprocess`
  const answer = await exchangeJson(transport, 'POST', `${baseUrl}/files/${encodeId(fileId)}/preprocess`, what, options)
  const file = parseListedFile(answer)
  if (file && file.id !== fileId) throw invalidAnswer(what, `about file ${file.id}`)
  return { filename: fileName, bytes, purpose: PURPOSE, ...file, id: fileId }
}

/**
 * Uploads a batch input file the way Together's SDKs do: `POST /v1/files` (purpose `batch-api`) answers
 * 302 to a signed storage URL, the bytes are `PUT` there, then `POST /v1/files/{id}/preprocess`. A server
 * without that flow (404, 405, 501 or a 2xx to `POST /v1/files`) gets the spec's multipart upload.
 * Each step goes through `options.attempt` (to be retried on its own); the file is streamed, never read
 * into memory.
 */
export async function upload(request: UploadRequest): Promise<ListedFile> {
  const { path, fileName, options } = request
  if (!isPlainId(fileName)) {
    throw new TogetherError(`Not uploading as ${describeBadId(fileName)}: not a plain file name`, { kind: 'local' })
  }
  const bytes = await stat(path).then(
    s => s.size,
    (error: unknown) => {
      throw new TogetherError(`${path} could not be read: ${errorMessage(error)}`, { kind: 'local', cause: error })
    }
  )
  const attempt = options.attempt ?? once
  const started = await attempt('POST /files', () => start(request))
  if (started === 'multipart') return attempt('POST /files/upload', () => multipart(request, bytes))
  const { url, fileId } = started
  options.onStarted?.(fileId)
  await attempt(`PUT of ${fileId}`, () => send(request, url, bytes))
  return attempt(`POST /files/${fileId}/preprocess`, () => preprocess(request, fileId, bytes))
}
