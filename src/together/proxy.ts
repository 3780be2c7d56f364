import { hideCredentials, printable } from '../util/text.js'
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici'

/** The proxy environment, read once and checked: every URL here parses and is http(s). */
export interface ProxySettings {
  httpProxy?: string
  httpsProxy?: string
  noProxy?: string
}

/** Enough for status checks of many batches and 40 cancels at once without queueing behind each other. */
export const DEFAULT_CONNECTIONS = 16

type Env = Readonly<Record<string, string | undefined>>

const isHttp = (url: URL | null): boolean => url?.protocol === 'http:' || url?.protocol === 'https:'

/**
 * A proxy URL as @actions/http-client reads it: a value that does not parse as a URL and has no
 * http(s):// prefix is `host:port` behind `http://`. http-client would keep `proxy.example:3128` as
 * a URL with the scheme `proxy.example:`; no proxy speaks that, so any value without `://` whose
 * scheme is not http(s) is read as `host:port` too.
 */
function proxyUrl(name: string, value: string): string {
  const text = value.trim()
  let url = URL.parse(text)
  let result = text
  if ((url === null && !/^https?:\/\//i.test(text)) || (url !== null && !isHttp(url) && !text.includes('://'))) {
    result = `http://${text}`
    url = URL.parse(result)
  }
  if (!url || !isHttp(url) || url.hostname === '') {
    throw new Error(
      `Invalid ${name} '${printable(hideCredentials(text), 100)}': expected a proxy URL such as http://proxy.example:3128.`
    )
  }
  return result
}

/** The first non-empty of the lower- and upper-case spelling, lower-case first as http-client and curl read them. */
function variable(env: Env, name: string): { name: string; value: string } | undefined {
  for (const spelling of [name.toLowerCase(), name]) {
    const value = env[spelling]
    if (value?.trim()) return { name: spelling, value }
  }
  return undefined
}

/**
 * Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case) from `env`. Throws a plain Error naming
 * the variable for a value that is not a usable proxy URL; the message never shows its credentials.
 */
export function parseProxyEnv(env: Env): ProxySettings {
  const settings: ProxySettings = {}
  const https = variable(env, 'HTTPS_PROXY')
  if (https) settings.httpsProxy = proxyUrl(https.name, https.value)
  const http = variable(env, 'HTTP_PROXY')
  if (http) settings.httpProxy = proxyUrl(http.name, http.value)
  const noProxy = variable(env, 'NO_PROXY')
  if (noProxy) settings.noProxy = noProxy.value.trim()
  return settings
}

/** Runs `build` with undici's one-off "EnvHttpProxyAgent is experimental" warning kept off stderr. */
function withoutProxyAgentWarning<T>(build: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'emitWarning')
  const original: unknown = descriptor?.value
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: unknown } | null)?.code : rest[1]
    if (code === 'UNDICI-EHPA' || String(warning).includes('EnvHttpProxyAgent is experimental')) return
    if (typeof original === 'function') Reflect.apply(original, process, [warning, ...rest])
  }
  Object.defineProperty(process, 'emitWarning', { ...descriptor, value: filtered })
  try {
    return build()
  } finally {
    if (descriptor) Object.defineProperty(process, 'emitWarning', descriptor)
  }
}

/**
 * `connections` keep-alive connections per origin; through the proxies in `proxy` (minus NO_PROXY hosts) when one is set, as
 * self-hosted runners behind a proxy need. HTTPS requests use the HTTP proxy when only that is set.
 * Empty strings, not undefined, are passed for what is unset: undici would read process.env itself.
 */
export function defaultDispatcher(proxy: ProxySettings = {}, connections = DEFAULT_CONNECTIONS): Dispatcher {
  const agentOptions = { keepAliveTimeout: 60_000, connections }
  if (!proxy.httpProxy && !proxy.httpsProxy) return new Agent(agentOptions)
  return withoutProxyAgentWarning(
    () =>
      new EnvHttpProxyAgent({
        ...agentOptions,
        httpProxy: proxy.httpProxy ?? '',
        httpsProxy: proxy.httpsProxy ?? '',
        noProxy: proxy.noProxy ?? ''
      })
  )
}
