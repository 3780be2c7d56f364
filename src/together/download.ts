import { header, requireOk } from './answers.js'
import { TogetherError } from './errors.js'
import { encodeId, requirePlainFileId } from './ids.js'
import { formatLimit, idleLimit, timeLimit, type IdleLimit } from './limits.js'
import { save, type SaveRequest } from './save.js'
import type { ExchangeOptions, Response, Transport } from './transport.js'
import type { DownloadOptions } from './types.js'

/** Signed storage URLs take one redirect; three leave room for a CDN without allowing a loop. */
const MAX_REDIRECTS = 3
const DEFAULT_TOTAL_TIMEOUT_MS = 10 * 60_000
/**
 * The most downloaded of one file: more than a batch's results should ever be, less than a hosted
 * runner's free disk. A larger announced size is refused, and a file of unknown size is cut off past
 * it, so a server that never stops sending cannot fill the disk before the time bound ends it.
 */
const DEFAULT_MAX_BYTES = 10 * 1024 ** 3

export interface DownloadRequest {
  transport: Transport
  /** e.g. `https://api.together.ai/v1`, without a trailing slash. */
  baseUrl: string
  /** The file's ID. */
  id: string
  path: string
  options: DownloadOptions
}

/** One hop of a download: a redirect to follow, or the file saved. */
type Hop = { redirect: string } | { bytes: number }

/** What saving the file of a hop needs besides its body: the file's place and bounds, and the hop's stall bound. */
interface HopTarget extends Omit<SaveRequest, 'body' | 'contentEncoding' | 'onData'> {
  transport: Transport
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
  const target = URL.parse(location, from)
  if (target === null) {
    throw new TogetherError(`${what} was redirected to a Location that is not a URL`, { kind: 'unsupported-response' })
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new TogetherError(`${what} was redirected to a ${target.protocol} URL; only http and https are followed`, {
      kind: 'unsupported-response'
    })
  }
  return target.toString()
}

/** Handles one response, from `url` after `followed` redirects: a redirect to follow, an HTTP error, or the file itself. */
async function hop(target: HopTarget, response: Response, url: string, followed: number): Promise<Hop> {
  const { transport, stall, ...file } = target
  const { what } = file
  if (response.status >= 300 && response.status < 400) {
    if (followed >= MAX_REDIRECTS) {
      throw new TogetherError(`${what} answered HTTP ${response.status}: too many redirects (followed ${followed})`, {
        kind: 'http',
        status: response.status
      })
    }
    const next = redirectTarget(response, url, what)
    await response.body.dump()
    return { redirect: next }
  }
  await requireOk(what, response, transport)
  const contentEncoding = header(response.headers, 'content-encoding')
  stall.arm()
  return { bytes: await save({ ...file, body: response.body, contentEncoding, onData: () => stall.touch() }) }
}

/**
 * Streams file `id` to `path` (constant memory, plain JSONL whatever the content encoding; see `save`)
 * through up to MAX_REDIRECTS redirects (signed storage URLs), sending the key only to the API's own
 * origin. An ID that is not plain, or an `expectedBytes` over `maxBytes`, is refused before any
 * request. Bounded three ways: the wait for headers (the request timeout), each pause in the data
 * (`stallTimeoutMs`), and the whole download (`totalTimeoutMs`), which a server trickling a byte now
 * and then cannot stretch.
 */
export async function download(request: DownloadRequest): Promise<number> {
  const { transport, baseUrl, id, path, options } = request
  requirePlainFileId(id)
  const what = `GET /files/${id}/content`
  const { expectedBytes, maxBytes = DEFAULT_MAX_BYTES } = options
  // The size comes from the same server as the file: announcing a huge one must not lift the bound.
  if (expectedBytes !== undefined && expectedBytes > maxBytes) {
    throw new TogetherError(
      `${what} was not downloaded: Together gives its size as ${expectedBytes} bytes, more than the ${maxBytes} the action downloads of one file`,
      { kind: 'unsupported-response' }
    )
  }
  const stallMs = options.stallTimeoutMs ?? transport.requestTimeoutMs
  const totalMs = options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS
  const total = timeLimit(
    totalMs,
    `${what} did not finish within ${formatLimit(totalMs)}, the limit for a whole download`
  )
  // A base URL that does not parse has no origin to send the key to: its request fails as local.
  const apiOrigin = URL.parse(baseUrl)?.origin
  try {
    let url = `${baseUrl}/files/${encodeId(id)}/content`
    for (let followed = 0; ; followed++) {
      const stall = idleLimit(stallMs, `${what} stalled: no data for ${formatLimit(stallMs)}`)
      const exchange: ExchangeOptions = {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        withKey: apiOrigin !== undefined && URL.parse(url)?.origin === apiOrigin,
        headers: { accept: '*/*', 'accept-encoding': 'identity' },
        streaming: { stallMs, limits: [total.signal, stall.signal] }
      }
      const target: HopTarget = { what, path, expectedBytes, maxBytes, transport, stall }
      const from = url
      const next = await transport
        .exchange('GET', url, what, exchange, response => hop(target, response, from, followed))
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
