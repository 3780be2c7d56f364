/** Letters, digits, `-`, `_` and `.`, with at least one letter or digit and no `..`. */
const PLAIN_ID = /^(?!.*\.\.)[A-Za-z0-9._-]*[A-Za-z0-9][A-Za-z0-9._-]*$/
const MAX_ID_LENGTH = 200

/**
 * Whether an ID (from an input or from the server) is a plain token, safe in a URL path segment, a
 * file name, a log line and an output: no separators, no dot segments, no controls or line breaks.
 */
export function isPlainId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && PLAIN_ID.test(id)
}

/** A bad ID shown safely in a message: JSON-escaped (controls visible as escapes), clipped. */
export function describeBadId(id: string): string {
  const shown = JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id)
  return shown.replace(
    /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g,
    ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}
