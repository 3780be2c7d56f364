import { isCleanLine, sanitizeLine, unsafeChars } from '../sanitize/sanitize.js'

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

/**
 * `text` as a JSON string body (no quotes), cut after `max` characters (never inside a surrogate
 * pair), with every character that could break or disguise a log line (controls, line breaks, bidi
 * overrides) written as an escape.
 */
export function printable(text: string, max: number): string {
  const chars = Array.from(text)
  const cut = chars.length > max ? chars.slice(0, max).join('') : text
  const escaped = JSON.stringify(cut)
    .slice(1, -1)
    .replace(unsafeChars(), c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return chars.length > max ? `${escaped}…` : escaped
}

/**
 * A value quoted for a message: `'as is'` when it is one clean line, `"JSON-escaped"` (see
 * `printable`) when it holds a line break, a control or an invisible character; cut after `max`
 * characters either way.
 */
export function quoted(text: string, max: number): string {
  if (!isCleanLine(text)) return `"${printable(text, max)}"`
  const chars = Array.from(text)
  return `'${chars.length > max ? `${chars.slice(0, max).join('')}…` : text}'`
}

/**
 * The first `n` of `items` joined by `sep`, then how many were left out: `a, b and 3 more` (`, `),
 * `a; b; and 3 more` (`; `), and for sentences joined by a space, `A. B. And 3 more.`
 */
export function listFirst(items: readonly string[], n: number, sep = ', '): string {
  const shown = items.slice(0, n).join(sep)
  const left = items.length - n
  if (left <= 0) return shown
  if (sep === ' ') return `${shown} And ${left} more.`
  return `${shown}${sep === ', ' ? ' ' : sep}and ${left} more`
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

/**
 * The message of anything thrown, Error or not. Read from a `message` property rather than with
 * `instanceof Error`: errors made in another realm (Node's own, under test VMs) fail that check.
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message
  if (typeof message === 'string') return message
  if (typeof error === 'string') return error
  try {
    // JSON.stringify answers undefined for undefined and functions, whatever its type says.
    const json = JSON.stringify(error) as string | undefined
    return `unexpected ${json ?? String(error)}`
  } catch {
    return `unexpected ${String(error)}`
  }
}
