/** Milliseconds per unit, in the order DURATION captures them: d, h, m, s, ms. */
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000, 1]
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/

/**
 * Parses `90s`, `45m`, `2h`, `1h30m`, `1d`, `500ms` or plain seconds (`300`) into milliseconds.
 * Units may be combined in descending order; case and inner spaces are ignored.
 * Returns undefined when the text is not a duration (negative numbers included).
 */
export function parseDuration(text: string): number | undefined {
  const compact = text.replace(/\s+/g, '').toLowerCase()
  if (compact === '') return undefined
  // Not rounded: a tiny positive value must not turn into 0, which means "check once" for timeout.
  if (/^\d+(\.\d+)?$/.test(compact)) return Number(compact) * 1000
  const match = DURATION.exec(compact)
  if (!match) return undefined
  return UNIT_MS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0)
}

/** Human form for logs: `45s`, `3m 05s`, `2h 07m`. Rounded to the second. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`
  return `${s}s`
}
