import { sanitizeLine } from '../sanitize/sanitize.js'

/** `text` on one line (line breaks and controls made inert), at most `max` characters. */
export function clip(text: string | null | undefined, max: number): string {
  const flat = sanitizeLine(text ?? '')
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length - max} more characters)` : flat
}

/** Server text made safe for one log line: one line, spaces collapsed, bounded length. */
export function oneLine(text: string | null | undefined, max = 300): string {
  return clip(
    sanitizeLine(text ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    max
  )
}

/** `42%`, `42.5%`; '' when unknown. */
export function percent(progress: number | null | undefined): string {
  if (typeof progress !== 'number') return ''
  return `${Math.round(progress * 10) / 10}%`
}

/** A URL (or a scheme-less `user:pass@host:port`) with its user information hidden, for messages. */
export const hideCredentials = (value: string): string =>
  value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}***@`)

/** `1 status check`, `3 status checks`. */
export const plural = (count: number, noun: string, many = `${noun}s`): string =>
  `${count} ${count === 1 ? noun : many}`

/** The message of anything thrown, Error or not. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    // JSON.stringify answers undefined for undefined and functions, whatever its type says.
    const json = JSON.stringify(error) as string | undefined
    return `unexpected ${json ?? String(error)}`
  } catch {
    return `unexpected ${String(error)}`
  }
}
