import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'

/** One request the hostile server received (or one CONNECT it was asked to open). */
export interface Logged {
  method: string
  /** The raw request target, as sent: `/v1/batches/x`, `http://host/…` (forward proxying) or `host:port` (CONNECT). */
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** Epoch ms the request arrived (before its body was read). */
  at: number
}

type Req = IncomingMessage & { body: string; path: string }
/** Answers one request; `n` counts the requests this route has seen, from 1. */
export type Handler = (req: Req, res: ServerResponse, n: number) => void | Promise<void>

export interface HostileServer {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** `http://127.0.0.1:<port>/v1`, the Together base URL to give the action. */
  readonly baseUrl: string
  readonly requests: Logged[]
  /**
   * Answers `method path` with the handlers in turn: the n-th request gets the n-th handler, and the last
   * repeats. `path` is matched against the raw target (string: exact, without query; RegExp: tested).
   * Later routes win over earlier ones, so a case can override a default.
   */
  route(method: string, path: string | RegExp, ...handlers: Handler[]): HostileServer
  close(): Promise<void>
}

export interface HostileOptions {
  /** Loopback only: 127.0.0.1 unless another 127.x address is asked for. */
  host?: string
  /** Act as a CONNECT proxy (to loopback targets only); otherwise CONNECT is logged and refused. */
  tunnel?: boolean
}

/** JSON (or raw JSON text, when `body` is a string) with any status and headers. */
export const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }

/** Any text (an HTML page by default). */
export const text =
  (body: string, status = 200, contentType = 'text/html; charset=utf-8'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType })
    res.end(body)
  }

/** A batch object; `id` defaults to the ID in the request path, so it matches what was asked for. */
export const batch =
  (fields: Record<string, unknown>): Handler =>
  (req, res, n) =>
    json({ id: idFromPath(req.path), ...fields })(req, res, n)

/** The body gzip-compressed, with `Content-Encoding: gzip`. */
export const gzip =
  (body: string, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    const zipped = gzipSync(Buffer.from(body))
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(zipped.length), ...headers })
    res.end(zipped)
  }

/** Headers at once, then the body one byte every `everyMs`: never stalls long enough for a per-chunk timeout. */
export const trickle =
  (body: string, everyMs: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    const bytes = Buffer.from(body)
    res.writeHead(200, { 'content-length': String(bytes.length), ...headers })
    let i = 0
    const timer = setInterval(() => {
      if (i >= bytes.length) return void (clearInterval(timer), res.end())
      res.write(bytes.subarray(i, ++i))
    }, everyMs)
    res.on('close', () => clearInterval(timer))
  }

/**
 * A quarter of the 64 MiB `endless` offers: more than it manages to write to a client that hangs up
 * after a bounded read (that read, plus about 4 MiB the loopback socket buffers take meanwhile).
 */
export const HUNG_UP_BELOW = 16 * 1024 ** 2

/** What `endless` wrote before the client hung up, in bytes. */
export interface Sent {
  bytes: number
}

/**
 * `status` with a JSON body that never ends: `head`, then padding as fast as the client takes it. It
 * stops at 64 MiB, so that a client reading it all fails its test rather than hanging. Plain
 * parameters, so that `withServer` of the unit tests takes it too.
 */
export const endless =
  (status: number, head: string, sent: Sent = { bytes: 0 }) =>
  (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    const pad = Buffer.from('x'.repeat(64 * 1024))
    let closed = false
    const more = (): void => {
      while (!closed && sent.bytes < 64 * 1024 ** 2) {
        sent.bytes += pad.length
        if (!res.write(pad)) return
      }
      if (!closed) res.end()
    }
    res.on('close', () => (closed = true))
    res.on('drain', more)
    sent.bytes += Buffer.byteLength(head)
    res.write(head)
    more()
  }

/** Never answers (the connection stays open until the client gives up or the server closes). */
export const hang = (): Handler => () => undefined

/** A redirect to `location`, whatever it is (another host, the key in the query, `ftp:`, itself). */
export const redirect =
  (location: string, status = 302): Handler =>
  (_req, res) => {
    res.writeHead(status, { location, 'content-length': '0' })
    res.end()
  }

/** `handler`, after `ms`. */
export const delayed =
  (ms: number, handler: Handler): Handler =>
  (req, res, n) =>
    new Promise<void>(resolve =>
      setTimeout(() => {
        if (!res.destroyed) void handler(req, res, n)
        resolve()
      }, ms)
    )

/** Every character as a JSON `\uXXXX` escape: the text a server can echo so that naive redaction misses it. */
export const uEscape = (s: string): string =>
  Array.from(s)
    .map(ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('')

/** The batch (or file) ID a path names: `/v1/batches/<id>` or `/v1/batches/<id>/cancel`. */
function idFromPath(path: string): string {
  const segment = /\/(?:batches|files)\/([^/?]+)/.exec(path)?.[1] ?? ''
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of req) body += (chunk as Buffer).toString()
  return body
}

/** Starts a programmable server on loopback. Requests no route answers get a JSON 404. */
export async function startHostileServer(options: HostileOptions = {}): Promise<HostileServer> {
  const host = options.host ?? '127.0.0.1'
  if (!host.startsWith('127.')) throw new Error('the hostile server listens on loopback only')
  const routes: { method: string; path: string | RegExp; handlers: Handler[]; count: number }[] = []
  const requests: Logged[] = []
  const sockets = new Set<Socket>()

  const handle = async (incoming: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now()
    const entry: Logged = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      body: '',
      at
    }
    requests.push(entry)
    entry.body = await readBody(incoming).catch(() => '')
    const req = Object.assign(incoming, { body: entry.body, path: entry.path })
    const bare = entry.path.split('?')[0] ?? ''
    const route = [...routes]
      .reverse()
      .find(r => r.method === req.method && (typeof r.path === 'string' ? r.path === bare : r.path.test(req.path)))
    if (!route) return json({ error: { message: `no route for ${req.method ?? '?'} ${bare}` } }, 404)(req, res, 0)
    route.count++
    const handler = route.handlers[Math.min(route.count, route.handlers.length) - 1]!
    await handler(req, res, route.count)
  }
  const server = createServer((incoming, res) => void handle(incoming, res).catch(() => res.destroy()))
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req, socket: Socket, head) => {
    requests.push({ method: 'CONNECT', path: req.url ?? '', headers: req.headers, body: '', at: Date.now() })
    sockets.add(socket)
    const [target, port] = (req.url ?? '').split(':')
    if (!options.tunnel || !target?.startsWith('127.')) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
      return
    }
    const upstream = connect(Number(port), target, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://${host}:${port}`
  const api: HostileServer = {
    port,
    origin,
    baseUrl: `${origin}/v1`,
    requests,
    route(method, path, ...handlers) {
      routes.push({ method, path, handlers, count: 0 })
      return api
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
  return api
}
