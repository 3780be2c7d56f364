import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** What the storage origin received for one upload: enough to check the bytes, never the bytes. */
export interface StoredBytes {
  bytes: number
  sha256: string
  /** JSONL lines: LF-terminated, plus a last line without one. */
  lines: number
}

/** One request the storage origin received. */
export interface StorageRequest {
  method: string
  /** The path without the signature. */
  path: string
  /** It carried an Authorization header, or the API key anywhere in its headers or URL. */
  keyed: boolean
  status: number
}

export interface Storage {
  /** e.g. `http://127.0.0.1:41235` */
  origin: string
  requests: StorageRequest[]
  /** A signed URL that accepts one `PUT` of file `fileId`'s bytes. */
  signedUrl(fileId: string): string
  close(): Promise<void>
}

const LF = 0x0a

/** Hashes and counts a body as it streams in: a 100 MB upload never sits in memory. */
export async function digest(body: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredBytes> {
  const hash = createHash('sha256')
  let bytes = 0
  let lines = 0
  let last = LF
  for await (const chunk of body) {
    hash.update(chunk)
    bytes += chunk.length
    for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) lines++
    last = chunk[chunk.length - 1] ?? last
  }
  return { bytes, sha256: hash.digest('hex'), lines: lines + (last === LF ? 0 : 1) }
}

/**
 * The storage origin of the signed-URL upload, on a port of its own (another origin, as Together's
 * S3 is): it takes `PUT /upload/<file id>?signature=…` and refuses, with 403, a request that carries
 * an Authorization header or the API key anywhere, the way a presigned URL must be used.
 */
export async function startStorage(
  apiKey: string,
  onStored: (fileId: string, stored: StoredBytes) => void
): Promise<Storage> {
  const signatures = new Map<string, string>()
  const requests: StorageRequest[] = []
  const sockets = new Set<Socket>()
  // The body is read to its end first, so the client sees the answer rather than a reset.
  const refuse = (req: IncomingMessage, res: ServerResponse, entry: StorageRequest, code: string): void => {
    entry.status = 403
    req.resume().on('end', () => {
      res.writeHead(403, { 'content-type': 'application/xml' }).end(`<Error><Code>${code}</Code></Error>`)
    })
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://storage')
    const rawHeaders = req.rawHeaders.join('\n')
    const keyed = req.headers.authorization !== undefined || rawHeaders.includes(apiKey) || url.href.includes(apiKey)
    const entry: StorageRequest = { method: req.method ?? '', path: url.pathname, keyed, status: 0 }
    requests.push(entry)
    const fileId = /^\/upload\/([^/]+)$/.exec(url.pathname)?.[1]
    if (keyed) return refuse(req, res, entry, 'AuthorizationHeaderNotAllowedWithSignedUrl')
    if (req.method !== 'PUT' || !fileId || signatures.get(fileId) !== url.searchParams.get('signature')) {
      return refuse(req, res, entry, 'SignatureDoesNotMatch')
    }
    digest(req as AsyncIterable<Buffer>).then(
      stored => {
        signatures.delete(fileId)
        onStored(fileId, stored)
        entry.status = 200
        res.writeHead(200).end()
      },
      () => req.socket.destroy()
    )
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    requests,
    signedUrl: fileId => {
      const signature = randomBytes(16).toString('hex')
      signatures.set(fileId, signature)
      return `${origin}/upload/${fileId}?signature=${signature}&expires=3600`
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
