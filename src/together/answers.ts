import { redactJson } from '../sanitize/redact.js'
import { parseJson } from '../util/json.js'
import { TogetherError } from './errors.js'
import { errorMessageOf } from './parse.js'
import type { ExchangeOptions, Method, Response, Transport } from './transport.js'

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
 * The `TogetherError` for a non-2xx answer whose body text is `text`. `clip` redacts, flattens and
 * shortens server text: it runs on the parsed message, so a key JSON-escaped in the body is caught too.
 * `baseUrl`, the API root the request went to, tells a 404 of a wrong base URL from one of a batch.
 */
export function httpError(
  what: string,
  response: Pick<Response, 'status' | 'headers'>,
  text: string,
  clip: (text: string) => string,
  baseUrl?: string
): TogetherError {
  const { status, headers } = response
  if (status >= 300 && status < 400) {
    const location = header(headers, 'location')
    return new TogetherError(
      `${what} was redirected (HTTP ${status}${location ? ` to ${clip(location)}` : ''}); redirects are not followed so the API key stays with the API`,
      { kind: 'http', status }
    )
  }
  const html = looksLikeHtml(headers, text)
  const serverMessage = clip(html ? 'HTML error page' : (errorMessageOf(parseJson(text)) ?? text))
  return new TogetherError(`${what} answered HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`, {
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
 * `undefined`, and the parsed body comes back with the key redacted from every string in it.
 * `baseUrl`, the API root, lets a 404 about the route itself point at base-url.
 */
export async function exchangeJson(
  transport: Transport,
  method: Method,
  url: string,
  what: string,
  options: ExchangeOptions = {},
  baseUrl?: string
): Promise<unknown> {
  return transport.exchange(method, url, what, options, async response => {
    const text = await response.body.text()
    const { status } = response
    if (status < 200 || status >= 300) throw httpError(what, response, text, t => transport.clip(t), baseUrl)
    if (looksLikeHtml(response.headers, text)) throw htmlPageError(what, status)
    const parsed = text === '' ? undefined : parseJson(text)
    if (parsed === undefined && text !== '') throw notJsonError(what, status)
    return redactJson(parsed, transport.redact)
  })
}
