/** Control characters and line separators: never allowed into a log line or the summary. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** `text` on one line (control characters and line breaks become spaces), at most `max` characters. */
export function clip(text: string | null | undefined, max: number): string {
  const flat = (text ?? '').replace(CONTROL_CHARS, ' ')
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length - max} more characters)` : flat
}

/** Server text made safe for one log line: one line, spaces collapsed, bounded length. */
export function oneLine(text: string | null | undefined, max = 300): string {
  return clip((text ?? '').replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim(), max)
}

/** `42%`, `42.5%`; '' when unknown. */
export function percent(progress: number | null | undefined): string {
  if (typeof progress !== 'number') return ''
  return `${Math.round(progress * 10) / 10}%`
}
