import { htmlPageError, httpError, looksLikeHtml } from './answers.js'
import { TogetherError } from './errors.js'
import { redactJson } from '../sanitize/redact.js'
import { parseJson } from '../util/json.js'
import type { ExchangeOptions, Method, Transport } from './transport.js'

/**
 * One JSON exchange with the API: a non-2xx answer or an HTML page is an error, an empty body is
 * `undefined`, and the parsed body comes back with the key redacted from every string in it.
 */
export async function exchangeJson(
  transport: Transport,
  method: Method,
  url: string,
  what: string,
  options: ExchangeOptions = {},
  /** The API root, so that a 404 about the route itself can point at base-url. */
  baseUrl?: string
): Promise<unknown> {
  return transport.exchange(method, url, what, options, async response => {
    const text = await response.body.text()
    const { status } = response
    if (status < 200 || status >= 300) throw httpError(what, response, text, t => transport.clip(t), baseUrl)
    if (looksLikeHtml(response.headers, text)) throw htmlPageError(what, status)
    const parsed = text === '' ? undefined : parseJson(text)
    if (parsed === undefined && text !== '') {
      throw new TogetherError(`${what} answered HTTP ${status} with a body that is not JSON`, {
        kind: 'invalid-response'
      })
    }
    return redactJson(parsed, transport.redact)
  })
}
