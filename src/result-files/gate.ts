import type { Tally } from './tally.js'

/** `max-failed-requests`: a count of requests, or a percentage of all requests. */
export type Gate = { count: number } | { percent: number }

/** Parses `25` or `2%` / `2.5%`; undefined for '' (no gate). Throws a one-line message otherwise. */
export function parseGate(text: string): Gate | undefined {
  const raw = text.trim()
  if (raw === '') return undefined
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw)
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) }
  if (/^\d+$/.test(raw)) return { count: Number(raw) }
  throw new Error(
    `Invalid max-failed-requests '${raw}'. Expected a number of requests (e.g. 0 or 25) or a percentage of all requests (e.g. 2%).`
  )
}

export const describeGate = (gate: Gate): string => ('count' in gate ? String(gate.count) : `${gate.percent}%`)

/** Whether the failed requests exceed the gate. */
export function exceeds(tally: Tally, gate: Gate): boolean {
  if ('count' in gate) return tally.failed > gate.count
  const total = tally.succeeded + tally.failed
  return total > 0 && (tally.failed / total) * 100 > gate.percent
}
