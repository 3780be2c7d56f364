import { redactJson } from '../sanitize/redact.js'
import { parseJson } from '../util/json.js'
import { TogetherError } from './errors.js'
import { errorMessageOf } from './parse.js'
import type { ExchangeOptions, Method, Response, Transport } from './transport.js'

/** What is read of an error answer's body: enough for any message, little of a page that never ends. */
const MAX_ERROR_BODY_BYTES = 64 * 1024
/**
 * What is read of an ordinary JSON answer: a batch or file object takes a few KB, the models list a
 * few hundred; the account's lists have their own, larger bound (`DEFAULT_MAX_LIST_BYTES`).
 */
const MAX_ANSWER_BYTES = 4 * 1024 ** 2
/** The end of a cut body left out of messages once redacted: a secret cut in half (an escaped key too) sits there. */
const SECRET_MARGIN = 1024

/** Some of a body, read within a bound: `cut` when more came, which was not read. */
export interface BodyText {
  text: string
  cut: boolean
}

/**
 * At most `maxBytes` of a body, as text. Past the bound the body is destroyed, so a server that never
 * stops sending holds neither memory nor the connection. The one bounded read of answers.
 */
async function readUpTo(body: Response['body'], maxBytes: number): Promise<BodyText> {
  const parts: Buffer[] = []
  let size = 0
  // Destroying an unfinished body makes undici emit an abort error that nothing else listens to.
  body.on('error', () => undefined)
  for await (const chunk of body as AsyncIterable<Buffer>) {
    parts.push(chunk)
    size += chunk.length
    if (size > maxBytes) {
      body.destroy()
      return { text: Buffer.concat(parts).subarray(0, maxBytes).toString('utf8'), cut: true }
    }
  }
  return { text: Buffer.concat(parts).toString('utf8'), cut: false }
}

/** The body of an error answer, within MAX_ERROR_BODY_BYTES, for `httpError`. */
export function readErrorBody(body: Response['body']): Promise<BodyText> {
  return readUpTo(body, MAX_ERROR_BODY_BYTES)
}

/** A bound in bytes as messages name it: `64 KiB`, `4 MiB`. */
function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${bytes / 1024 ** 2} MiB` : `${bytes / 1024} KiB`
}

/**
 * A 2xx answer larger than the action reads of it (`announced`: its Content-Length, when it gave one);
 * `of` names the bound's kind (`a batch list`).
 */
export function tooLargeError(
  what: string,
  maxBytes: number,
  announced: number | undefined,
  bound: { of: string; kind: 'invalid-response' | 'unsupported-response' }
): TogetherError {
  const size = announced === undefined ? `more than ${maxBytes} bytes` : `${announced} bytes`
  return new TogetherError(
    `${what} answered ${size}, more than the ${maxBytes} the action reads of ${bound.of}; it is not used`,
    { kind: bound.kind }
  )
}

/**
 * One header's value as text; the first when the server repeated it. Names must be lower-case
 * (undici delivers them so).
 */
export function header(headers: Response['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** A header's value trimmed; undefined when it is missing or blank. */
const trimmed = (headers: Response['headers'], name: string): string | undefined =>
  header(headers, name)?.trim() || undefined

/**
 * How long the server asks us to wait, from `retry-after-ms`, `retry-after` (seconds or an HTTP date)
 * or `x-ratelimit-reset` (seconds until the window resets), in that order of preference.
 * Returns undefined when none parses.
 */
export function parseRetryAfter(headers: Response['headers'], nowMs: number): number | undefined {
  const ms = Number(trimmed(headers, 'retry-after-ms'))
  if (trimmed(headers, 'retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms

  const retryAfter = trimmed(headers, 'retry-after')
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs)
  }

  const reset = trimmed(headers, 'x-ratelimit-reset')
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Number(reset) * 1000
  return undefined
}

/** A web page rather than an API answer: declared as HTML, or a body that opens with a tag. */
export function looksLikeHtml(headers: Response['headers'], text: string): boolean {
  const type = header(headers, 'content-type')?.toLowerCase() ?? ''
  return type.includes('text/html') || type.includes('application/xhtml') || text.trimStart().startsWith('<')
}

/** What routers answer for a path they do not serve (Go's mux, Express, a gateway), never for a missing batch. */
const NO_ROUTE = /\bno route\b|\broute\b.*\bnot found\b|\b(page|path|endpoint|url) not found\b|\bcannot (get|post) \//i

/**
 * Whether a 404 is about the route rather than the resource: an HTML page, a router's "no route", or a
 * base URL without a version segment such as `/v1` (every Together route has one).
 */
function routeUnknown(html: boolean, serverMessage: string, baseUrl: string | undefined): boolean {
  if (html || NO_ROUTE.test(serverMessage)) return true
  const path = baseUrl === undefined ? undefined : URL.parse(baseUrl)?.pathname
  return path !== undefined && !/\/v\d+(\/|$)/.test(path)
}

/**
 * The `TogetherError` for a non-2xx answer with `body` (read by `readErrorBody`). `text.clip` redacts,
 * flattens and shortens server text: it runs on the parsed message, so a key JSON-escaped in the body
 * is caught too; a cut body is redacted whole before its end is dropped. `baseUrl`, the API root the
 * request went to, tells a 404 of a wrong base URL from one of a batch.
 */
export function httpError(
  what: string,
  response: Pick<Response, 'status' | 'headers'>,
  body: BodyText,
  text: Pick<Transport, 'clip' | 'redact'>,
  baseUrl?: string
): TogetherError {
  const { status, headers } = response
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location')
    return new TogetherError(
      `${what} was redirected (HTTP ${status}${location ? ` to ${text.clip(location)}` : ''}); redirects are not followed so the API key stays with the API`,
      { kind: 'http', status }
    )
  }
  const html = looksLikeHtml(headers, body.text)
  const said = body.cut ? text.redact(body.text).slice(0, -SECRET_MARGIN) : body.text
  const serverMessage = text.clip(html ? 'HTML error page' : (errorMessageOf(parseJson(said)) ?? said))
  const cut = body.cut ? ` with more than ${formatBytes(MAX_ERROR_BODY_BYTES)} (the rest was not read)` : ''
  return new TogetherError(`${what} answered HTTP ${status}${cut}${serverMessage ? `: ${serverMessage}` : ''}`, {
    kind: 'http',
    status,
    serverMessage: serverMessage || undefined,
    retryAfterMs: parseRetryAfter(headers, Date.now()),
    html,
    routeUnknown: status === 404 && routeUnknown(html, serverMessage, baseUrl)
  })
}

/** A 2xx that is a web page: a wrong base URL often answers 200 with one. */
export function htmlPageError(what: string, status: number): TogetherError {
  return new TogetherError(
    `${what} answered HTTP ${status} with an HTML page, not the Together API; check the base URL`,
    { kind: 'invalid-response', html: true }
  )
}

export function notJsonError(what: string, status: number): TogetherError {
  return new TogetherError(`${what} answered HTTP ${status} with a body that is not JSON`, { kind: 'invalid-response' })
}

/** A 2xx whose body parsed but is not what the route answers (`expected`: "a batch object"). */
export function unexpectedAnswer(what: string, expected: string): TogetherError {
  return new TogetherError(`Together answered ${what} with something that is not ${expected}`, {
    kind: 'invalid-response'
  })
}

/**
 * One JSON exchange with the API: a non-2xx answer or an HTML page is an error, an empty body is
 * `undefined`, and the parsed body comes back with the key redacted from every string in it. A body
 * over `maxBytes` (default MAX_ANSWER_BYTES) is not read past it, and refused as an invalid response.
 * `baseUrl`, the API root, lets a 404 about the route itself point at base-url.
 */
export async function exchangeJson(
  transport: Transport,
  method: Method,
  url: string,
  what: string,
  options: ExchangeOptions = {},
  answer: { baseUrl?: string; maxBytes?: number } = {}
): Promise<unknown> {
  const { baseUrl, maxBytes = MAX_ANSWER_BYTES } = answer
  const bound = { of: 'one answer', kind: 'invalid-response' } as const
  return transport.exchange(method, url, what, options, async response => {
    const { status, headers } = response
    if (status < 200 || status >= 300) {
      throw httpError(what, response, await readErrorBody(response.body), transport, baseUrl)
    }
    const announced = Number(header(headers, 'content-length'))
    if (announced > maxBytes) throw tooLargeError(what, maxBytes, announced, bound)
    const { text, cut } = await readUpTo(response.body, maxBytes)
    if (cut) throw tooLargeError(what, maxBytes, undefined, bound)
    if (looksLikeHtml(response.headers, text)) throw htmlPageError(what, status)
    const parsed = text === '' ? undefined : parseJson(text)
    if (parsed === undefined && text !== '') throw notJsonError(what, status)
    return redactJson(parsed, transport.redact)
  })
}
