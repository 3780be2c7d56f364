/** Parses `batch-discount`: `50` or `50%`, 0 to 100; undefined for '' (list prices). */
export function parseDiscount(text: string): number | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw)
  if (match && Number(match[1]) <= 100) return Number(match[1])
  throw new Error(
    `Invalid batch-discount '${raw}'. Expected a percentage from 0 to 100 (e.g. 50 or 50%), or empty for list prices.`
  )
}

/** Parses `max-cost`: US dollars such as `25`, `2.50` or `$10`; undefined for '' (no limit). */
export function parseMaxCost(text: string): number | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const match = /^\$?\s*(\d+(?:\.\d+)?)$/.exec(raw)
  if (match && Number.isFinite(Number(match[1]))) return Number(match[1])
  throw new Error(
    `Invalid max-cost '${raw}'. Expected an amount in US dollars (e.g. 25 or 2.50), or empty for no limit.`
  )
}
