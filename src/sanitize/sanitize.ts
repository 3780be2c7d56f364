/**
 * Every character that can end a line for some reader of the job log (CR, LF, NEL, VT, FF, U+2028,
 * U+2029), any other control, and the invisible formatting characters that can reorder or hide text
 * (bidi embeddings, overrides and isolates, zero-width characters, the BOM). A new global pattern on
 * each call: no `lastIndex` is shared, and the pattern is made where it is used, not when the module loads.
 */
export const unsafeChars = (): RegExp =>
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g

/**
 * Makes one line of the job log inert: no character that splits it or hides text, no workflow command
 * at its start (the runner trims leading spaces before it looks for `::`), and no `##[` anywhere (the
 * runner's older command syntax). Everything the action logs passes through here, by way of the logger.
 */
export function sanitizeLine(text: string): string {
  const flat = text.replace(unsafeChars(), ' ').replace(/##\[/g, '# #[')
  return /^\s*::/.test(flat) ? `: :${flat.trimStart().slice(2)}` : flat
}

/** Whether `text` holds anything `sanitizeLine` would change. */
export const isCleanLine = (text: string): boolean => sanitizeLine(text) === text
