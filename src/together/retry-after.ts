type Headers = Record<string, string | string[] | undefined>

function first(headers: Headers, name: string): string | undefined {
  const value = headers[name]
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined
}

/**
 * How long the server asks us to wait, from `retry-after-ms`, `retry-after` (seconds or an HTTP date)
 * or `x-ratelimit-reset` (seconds until the window resets), in that order of preference.
 * Header names must be lower-case (undici delivers them so). Returns undefined when none parses.
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | undefined {
  const ms = Number(first(headers, 'retry-after-ms'))
  if (first(headers, 'retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms

  const retryAfter = first(headers, 'retry-after')
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs)
  }

  const reset = first(headers, 'x-ratelimit-reset')
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Number(reset) * 1000
  return undefined
}
