import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Fault, FaultTarget } from './scenario.js'

/** Answers `status` with `body`: an object as JSON, a string as plain text (`headers` may say otherwise). */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers })
  res.end(text)
}

/** The fault, if any, that hits request number `count` (1-based) of `kind`. */
export function faultFor(faults: Fault[] | undefined, kind: FaultTarget, count: number): Fault | undefined {
  return faults?.find(fault => {
    const on = fault.on ?? 'get'
    if (on !== 'any' && on !== kind) return false
    if (fault.requests) return fault.requests.includes(count)
    const from = fault.from ?? 1
    return count >= from && (fault.count === undefined || count < from + fault.count)
  })
}

/** A request's whole body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** Answers a request the way `fault` says; `normal` gives the body a fault that answers normally sends. */
export async function inject(
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
  normal: () => unknown
): Promise<void> {
  switch (fault.type) {
    case 'reset':
      req.socket.destroy()
      return
    case 'hang':
      return
    case 'bad-json':
      send(res, 200, '<html><body>Gateway says hi</body></html>', { 'content-type': 'text/html' })
      return
    case 'slow-body': {
      const text = JSON.stringify(normal())
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(text.slice(0, text.length / 2))
      await new Promise(resolve => setTimeout(resolve, fault.delayMs ?? 1000))
      res.end(text.slice(text.length / 2))
      return
    }
    case 'status': {
      // Only a missing body means an empty one: `body: null` is the JSON value null, sent as `null`.
      let body: unknown = fault.body === undefined ? '' : fault.body
      if (typeof body === 'string') body = body.replaceAll('{{authorization}}', req.headers.authorization ?? '')
      else {
        const json = JSON.stringify(body).replaceAll('{{authorization}}', req.headers.authorization ?? '')
        body = JSON.parse(json) as unknown
      }
      send(res, fault.status ?? 500, body, fault.headers)
      return
    }
  }
}
