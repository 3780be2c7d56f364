import { redactJson } from '../sanitize/redact.js'
import { parseJson } from '../util/json.js'
import { invalidAnswer, TogetherError } from './errors.js'
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

/** A bound on what is read of a 2xx answer: `of` names what it bounds in messages (`a batch list`). */
export interface SizeBound {
  maxBytes: number
  of: string
  kind: 'invalid-response' | 'unsupported-response'
}

/**
 * Hands `take` the body's chunks, at most `maxBytes` of them in all; true when more came, which was not
 * read: past the bound the body is destroyed, so a server that never stops sending holds neither
 * memory nor the connection. The one bounded read of answers.
 */
export async function readWithin(
  body: Response['body'],
  maxBytes: number,
  take: (chunk: Buffer) => void
): Promise<boolean> {
  let size = 0
  // Destroying an unfinished body makes undici emit an abort error that nothing else listens to.
  body.on('error', () => undefined)
  for await (const chunk of body as AsyncIterable<Buffer>) {
    take(chunk.subarray(0, maxBytes - size))
    size += chunk.length
    if (size > maxBytes) {
      body.destroy()
      return true
    }
  }
  return false
}

/** At most `maxBytes` of a body, as text: `cut` when more came, which was not read. */
async function readText(body: Response['body'], maxBytes: number): Promise<{ text: string; cut: boolean }> {
  const parts: Buffer[] = []
  const cut = await readWithin(body, maxBytes, chunk => parts.push(chunk))
  return { text: Buffer.concat(parts).toString('utf8'), cut }
}

/** A 2xx answer larger than the action reads of it (`announced`: its Content-Length, when it gave one). */
export function tooLargeError(what: string, bound: SizeBound, announced?: number): TogetherError {
  const size = announced === undefined ? `more than ${bound.maxBytes} bytes` : `${announced} bytes`
  return new TogetherError(
    `${what} answered ${size}, more than the ${bound.maxBytes} the action reads of ${bound.of}; it is not used`,
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

/** A number of seconds, as `retry-after` and `x-ratelimit-reset` give one. */
const SECONDS = /^\d+(\.\d+)?$/

/**
 * How long the server asks us to wait, from `retry-after-ms`, `retry-after` (seconds or an HTTP date)
 * or `x-ratelimit-reset` (seconds until the window resets), in that order of preference.
 * Returns undefined when none parses.
 */
export function parseRetryAfter(headers: Response['headers'], nowMs: number): number | undefined {
  const ms = trimmed(headers, 'retry-after-ms')
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms)
  const retryAfter = trimmed(headers, 'retry-after')
  const date = retryAfter && !SECONDS.test(retryAfter) ? Date.parse(retryAfter) : NaN
  if (!Number.isNaN(date)) return Math.max(0, date - nowMs)
  const seconds = [retryAfter, trimmed(headers, 'x-ratelimit-reset')].find(value => value && SECONDS.test(value))
  return seconds === undefined ? undefined : Number(seconds) * 1000
}

/** A web page rather than an API answer: declared as HTML, or a body that opens with a tag. */
function looksLikeHtml(headers: Response['headers'], text: string): boolean {
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
 * Throws the `TogetherError` of an answer that is not 2xx. Its server message comes from what could be
 * read of its body within MAX_ERROR_BODY_BYTES (nothing when it cannot be read: the status tells what
 * happened). `clip` redacts, flattens and shortens server text: it runs on the parsed message, so a key
 * JSON-escaped in the body is caught too; a cut body is redacted whole before its end is dropped.
 * `baseUrl`, the API root the request went to, tells a 404 of a wrong base URL from one of a batch.
 */
export async function requireOk(
  what: string,
  response: Response,
  transport: Transport,
  baseUrl?: string
): Promise<void> {
  const { status, headers } = response
  if (status >= 200 && status < 300) return
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location')
    throw new TogetherError(
      `${what} was redirected (HTTP ${status}${location ? ` to ${transport.clip(location)}` : ''}); redirects are not followed so the API key stays with the API`,
      { kind: 'http', status }
    )
  }
  const body = await readText(response.body, MAX_ERROR_BODY_BYTES).catch(() => ({ text: '', cut: false }))
  const html = looksLikeHtml(headers, body.text)
  const said = body.cut ? transport.redact(body.text).slice(0, -SECRET_MARGIN) : body.text
  const serverMessage = transport.clip(html ? 'HTML error page' : (errorMessageOf(parseJson(said)) ?? said))
  const cut = body.cut ? ` with more than ${MAX_ERROR_BODY_BYTES / 1024} KiB (the rest was not read)` : ''
  throw new TogetherError(`${what} answered HTTP ${status}${cut}${serverMessage ? `: ${serverMessage}` : ''}`, {
    kind: 'http',
    status,
    serverMessage: serverMessage || undefined,
    retryAfterMs: parseRetryAfter(headers, Date.now()),
    html,
    routeUnknown: status === 404 && routeUnknown(html, serverMessage, baseUrl)
  })
}

/** A 2xx that is a web page: a wrong base URL often answers 200 with one. */
function htmlPageError(what: string, status: number): TogetherError {
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
  return invalidAnswer(what, `with something that is not ${expected}`)
}

/**
 * Refuses an answer on its head, before its body is read: one that is not 2xx (see `requireOk`), one
 * declared as HTML, one whose announced size is over the bound.
 */
export async function checkHead(
  what: string,
  response: Response,
  transport: Transport,
  bound: SizeBound,
  baseUrl?: string
): Promise<void> {
  await requireOk(what, response, transport, baseUrl)
  if (looksLikeHtml(response.headers, '')) throw htmlPageError(what, response.status)
  const announced = Number(header(response.headers, 'content-length'))
  if (announced > bound.maxBytes) throw tooLargeError(what, bound, announced)
}

/** The JSON value a 2xx body holds; a web page or a body that is not JSON is an invalid response. */
export function jsonOf(what: string, response: Response, text: string): unknown {
  if (looksLikeHtml(response.headers, text)) throw htmlPageError(what, response.status)
  const value = parseJson(text)
  if (value === undefined) throw notJsonError(what, response.status)
  return value
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
  const bound: SizeBound = { maxBytes: answer.maxBytes ?? MAX_ANSWER_BYTES, of: 'one answer', kind: 'invalid-response' }
  return transport.exchange(method, url, what, options, async response => {
    await checkHead(what, response, transport, bound, answer.baseUrl)
    const { text, cut } = await readText(response.body, bound.maxBytes)
    if (cut) throw tooLargeError(what, bound)
    return redactJson(text === '' ? undefined : jsonOf(what, response, text), transport.redact)
  })
}
