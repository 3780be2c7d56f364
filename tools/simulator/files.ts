import type { IncomingMessage, ServerResponse } from 'node:http'
import { send } from './faults.js'
import { fileContent, type ScenarioFile } from './scenario.js'
import { digest, startStorage, type StorageRequest, type StoredBytes } from './storage.js'

/** An input file uploaded to the simulator: its name and what arrived (the bytes are hashed, not kept). */
export interface UploadedFile extends StoredBytes {
  id: string
  filename: string
  purpose: string
  createdAt: number
  /** `POST /v1/files/{id}/preprocess` was called (multipart uploads are processed at once). */
  processed: boolean
}

export interface FileRoutes {
  /** The storage origin's URL, e.g. `http://127.0.0.1:41235`. */
  storageOrigin: string
  storageRequests: StorageRequest[]
  uploads: Map<string, UploadedFile>
  /** The file objects of `GET /v1/files` for the uploads. */
  list(): Record<string, unknown>[]
  /** Serves the upload routes; false when the request is none of them. */
  handle(req: IncomingMessage, res: ServerResponse, route: { method: string; id?: string; action?: string }): boolean
  close(): Promise<void>
}

export interface FileRouteOptions {
  apiKey: string
  /** Without the signed-URL flow, `POST /v1/files` answers 404 and only multipart uploads work. */
  signedUploads: boolean
  now: () => number
}

/** The file object as `GET /v1/files/{id}` answers it (OpenAPI `FileResponse`). */
function fileObject(file: UploadedFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    created_at: file.createdAt,
    filename: file.filename,
    bytes: file.bytes,
    purpose: file.purpose,
    Processed: file.processed,
    FileType: 'jsonl',
    LineCount: file.lines
  }
}

/** A scenario's file as `GET /v1/files/{id}` answers it. */
export function scenarioFileObject(id: string, file: ScenarioFile, bootAt: number): Record<string, unknown> {
  const content = fileContent(file)
  return {
    id,
    object: 'file',
    created_at: Math.floor(bootAt / 1000),
    filename: file.filename ?? `${id}.jsonl`,
    bytes: Buffer.byteLength(content),
    purpose: 'batch-api',
    Processed: true,
    FileType: 'jsonl',
    LineCount: content.split('\n').filter(Boolean).length
  }
}

/** The fields and the one file part of a multipart/form-data body (buffered: the simulator's own memory). */
async function readMultipart(req: IncomingMessage): Promise<{ fields: Map<string, string>; file?: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '')
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  const body = Buffer.concat(chunks)
  const fields = new Map<string, string>()
  if (!boundary) return { fields }
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2] ?? ''}`)
  let file: Buffer | undefined
  for (let at = body.indexOf(delimiter); at !== -1;) {
    const next = body.indexOf(delimiter, at + delimiter.length)
    if (next === -1) break
    const part = body.subarray(at + delimiter.length + 2, next - 2)
    const split = part.indexOf('\r\n\r\n')
    const head = part.subarray(0, split).toString('utf8')
    const content = part.subarray(split + 4)
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? ''
    if (/filename="/.test(head)) file = content
    else fields.set(name, content.toString('utf8'))
    at = next
  }
  return { fields, file }
}

/**
 * Together's upload routes on the simulator: `POST /v1/files` (302 to the storage origin's signed URL
 * with `X-Together-File-Id`), `POST /v1/files/{id}/preprocess`, the spec's multipart
 * `POST /v1/files/upload`, and the uploaded files in `GET /v1/files` and `GET /v1/files/{id}`.
 */
export async function startFileRoutes(options: FileRouteOptions): Promise<FileRoutes> {
  const uploads = new Map<string, UploadedFile>()
  let count = 0
  const newFile = (filename: string, purpose: string): UploadedFile => {
    const id = `file-sim-${++count}`
    const file = { id, filename, purpose, createdAt: Math.floor(options.now() / 1000), processed: false }
    const entry: UploadedFile = { ...file, bytes: 0, sha256: '', lines: 0 }
    uploads.set(id, entry)
    return entry
  }
  const storage = await startStorage(options.apiKey, (id, stored) => {
    const file = uploads.get(id)
    if (file) Object.assign(file, stored)
  })
  const bad = (res: ServerResponse, message: string): true => {
    send(res, 400, { error: { message } })
    return true
  }

  async function start(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.signedUploads) {
      send(res, 404, { error: { message: 'no route POST /v1/files' } })
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const name = form.get('file_name')
    const purpose = form.get('purpose')
    if (!name || !purpose) return void bad(res, 'file_name and purpose are required')
    const file = newFile(name, purpose)
    res.writeHead(302, { location: storage.signedUrl(file.id), 'x-together-file-id': file.id }).end()
  }

  async function multipart(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { fields, file } = await readMultipart(req)
    const name = fields.get('file_name')
    const purpose = fields.get('purpose')
    if (!name || !purpose || !file) return void bad(res, 'purpose, file_name and file are required')
    const entry = newFile(name, purpose)
    Object.assign(entry, await digest([file]), { processed: true })
    send(res, 200, fileObject(entry))
  }

  return {
    storageOrigin: storage.origin,
    storageRequests: storage.requests,
    uploads,
    list: () => [...uploads.values()].filter(f => f.sha256 !== '').map(fileObject),
    handle(req, res, { method, id, action }) {
      const fail = (error: unknown): void => {
        if (!res.headersSent) send(res, 500, { error: String(error) })
      }
      if (method === 'POST' && id === undefined) start(req, res).catch(fail)
      else if (method === 'POST' && id === 'upload' && action === undefined) multipart(req, res).catch(fail)
      else if (method === 'POST' && id !== undefined && action === 'preprocess') {
        const file = uploads.get(id)
        if (!file || file.sha256 === '') return bad(res, `file ${id} has not been uploaded`)
        file.processed = true
        send(res, 200, fileObject(file))
      } else if (method === 'GET' && id !== undefined && action === undefined && uploads.get(id)?.sha256) {
        send(res, 200, fileObject(uploads.get(id)!))
      } else return false
      return true
    },
    close: () => storage.close()
  }
}
