import { header, httpError } from './answers.js'
import { TogetherError } from './errors.js'
import { formatLimit, idleLimit, timeLimit, type IdleLimit } from './limits.js'
import { save } from './save.js'
import type { ExchangeOptions, Response, Transport } from './transport.js'
import type { DownloadOptions } from './types.js'

/** Signed storage URLs take one redirect; three leave room for a CDN without allowing a loop. */
const MAX_REDIRECTS = 3

export interface DownloadRequest {
  transport: Transport
  url: string
  /** The API's origin: the only one the key is sent to. */
  apiOrigin: string
  what: string
  path: string
  stallTimeoutMs: number
  totalTimeoutMs: number
}

/** One hop of a download: a redirect to follow, or the file saved. */
type Hop = { redirect: string } | { bytes: number }

interface HopState {
  response: Response
  url: string
  /** Redirects followed before this response. */
  followed: number
  stall: IdleLimit
}

/** Where a redirect leads; a target that is not an http(s) URL is refused at once, never retried. */
function redirectTarget(response: Response, from: string, what: string): string {
  const location = header(response.headers, 'location')
  if (!location) {
    throw new TogetherError(`${what} answered HTTP ${response.status} without a Location to follow`, {
      kind: 'http',
      status: response.status
    })
  }
  let target: URL
  try {
    target = new URL(location, from)
  } catch {
    throw new TogetherError(`${what} was redirected to a Location that is not a URL`, { kind: 'unsupported-response' })
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new TogetherError(`${what} was redirected to a ${target.protocol} URL; only http and https are followed`, {
      kind: 'unsupported-response'
    })
  }
  return target.toString()
}

/** Handles one response: a redirect to follow, an HTTP error, or the file itself. */
async function hop(request: DownloadRequest, options: DownloadOptions, state: HopState): Promise<Hop> {
  const { transport, what, path } = request
  const { response, url, followed, stall } = state
  if (response.status >= 300 && response.status < 400) {
    if (followed >= MAX_REDIRECTS) {
      throw new TogetherError(`${what} answered HTTP ${response.status}: too many redirects (followed ${followed})`, {
        kind: 'http',
        status: response.status
      })
    }
    const target = redirectTarget(response, url, what)
    await response.body.dump()
    return { redirect: target }
  }
  if (response.status < 200 || response.status >= 300) {
    const text = await response.body.text().catch(() => '')
    throw httpError(what, response, text, text => transport.clip(text))
  }
  const contentEncoding = header(response.headers, 'content-encoding')
  const { expectedBytes, maxBytes } = options
  stall.arm()
  return {
    bytes: await save({
      body: response.body,
      contentEncoding,
      path,
      what,
      expectedBytes,
      maxBytes,
      onData: () => {
        stall.touch()
      }
    })
  }
}

/**
 * Streams a file to `path` through up to MAX_REDIRECTS redirects, sending the key only to the API's
 * origin. Bounded three ways: the wait for headers (the request timeout), each pause in the data
 * (`stallTimeoutMs`), and the whole download (`totalTimeoutMs`), which a server trickling a byte now
 * and then cannot stretch.
 */
export async function download(request: DownloadRequest, options: DownloadOptions): Promise<number> {
  const { transport, what, stallTimeoutMs, totalTimeoutMs } = request
  const total = timeLimit(
    totalTimeoutMs,
    `${what} did not finish within ${formatLimit(totalTimeoutMs)}, the limit for a whole download`
  )
  try {
    let url = request.url
    for (let followed = 0; ; followed++) {
      const stall = idleLimit(stallTimeoutMs, `${what} stalled: no data for ${formatLimit(stallTimeoutMs)}`)
      const exchange: ExchangeOptions = {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        withKey: new URL(url).origin === request.apiOrigin,
        accept: '*/*',
        acceptEncoding: 'identity',
        streaming: { stallMs: stallTimeoutMs, limits: [total.signal, stall.signal] }
      }
      const from = url
      const next = await transport
        .exchange('GET', url, what, exchange, response =>
          hop(request, options, { response, url: from, followed, stall })
        )
        .finally(() => {
          stall.clear()
        })
      if ('bytes' in next) return next.bytes
      url = next.redirect
    }
  } finally {
    total.clear()
  }
}
