/** Secrets shorter than this are not redacted: they would blank out ordinary text. */
const MIN_SECRET_LENGTH = 4
/** Every form of a secret but the raw one holds one of these: JSON's backslash, URL's `%`, HTML's `&`, a `+` for a space. */
// Stryker disable next-line StringLiteral: an empty mark is in every text, so the check always passes: it only replaces more often, with the same result
const ENCODING_MARKS = ['\\', '%', '&', '+']

/** A regex source for hex digits in either case: servers write `%2f` and `%2F`, `\u00e9` and `\u00E9`. */
function hex(digits: string): string {
  return digits.replace(/[a-f]/gi, d => `[${d.toLowerCase()}${d.toUpperCase()}]`)
}

/** `text` matched literally inside a regular expression (also inside a character class). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

/** A character as is, or as an HTML character reference (`&#45;`, `&#x2d;`) as the summary writes it. */
function literal(char: string): string {
  const code = char.codePointAt(0)!
  return `(?:${escapeRegExp(char)}|&#0*${code};|&#[xX]0*${hex(code.toString(16))};)`
}

/** JSON's two-character escape of `char`: the letter after the backslash, when it has one. */
function shortJsonEscape(char: string): string | undefined {
  const escapes: Record<string, string> = {
    '"': '"',
    '\\': '\\',
    '/': '/',
    '\b': 'b',
    '\f': 'f',
    '\n': 'n',
    '\r': 'r',
    '\t': 't'
  }
  return escapes[char]
}

/**
 * Every way one character of a secret may be written: as is, JSON-escaped, percent-encoded, as an
 * HTML character reference, or one of the escapes with its `\` or `%` itself HTML-escaped (a server
 * echo that then went through the summary's escaping).
 */
function charPattern(char: string): string {
  const backslash = literal('\\')
  const forms = [literal(char)]
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i).toString(16).padStart(4, '0'))
  forms.push(units.map(unit => `${backslash}u${hex(unit)}`).join(''))
  const short = shortJsonEscape(char)
  if (short) forms.push(`${backslash}${literal(short)}`)
  const percent = literal('%')
  const utf8 = Array.from(Buffer.from(char, 'utf8'), byte => `${percent}${hex(byte.toString(16).padStart(2, '0'))}`)
  forms.push(utf8.join(''))
  if (char === ' ') forms.push('\\+')
  return `(?:${forms.join('|')})`
}

/**
 * A function that replaces every occurrence of any of `secrets` with `***`, in every form a server
 * may echo it or our own escaping may write it: raw, JSON-escaped (`\u0073k-…`, `\/`), URL-encoded
 * (`encodeURIComponent`, either hex case), HTML character references, or a mix of these. Everything
 * that leaves the process goes through it: parsed API answers, headers, log lines, outputs, the
 * summary and GitHub request bodies. Secrets shorter than 4 characters are ignored.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const usable = [...new Set(secrets.filter(s => s.length >= MIN_SECRET_LENGTH))]
  if (usable.length === 0) return text => text
  // Longest first, so a secret that contains another is replaced whole.
  usable.sort((a, b) => b.length - a.length)
  const pattern = new RegExp(usable.map(s => Array.from(s, charPattern).join('')).join('|'), 'g')
  // Text without an encoding mark can hold a secret only as is: a cheap check that spares the pattern
  // (large, and compiled on first use) most of what is logged.
  const mayHold = (text: string): boolean =>
    // Stryker disable next-line ConditionalExpression: `true` only replaces more often, with the same result (each `false` lets a form through: the per-form tests fail)
    ENCODING_MARKS.some(c => text.includes(c)) || usable.some(s => text.includes(s))
  // Stryker disable next-line ConditionalExpression: `true` replaces always, with the same result (`false`, never replacing, fails every test)
  return text => (mayHold(text) ? text.replace(pattern, '***') : text)
}

/** A copy of a parsed JSON value with `redact` applied to every string in it, object keys included. */
export function redactJson(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map(item => redactJson(item, redact))
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactJson(v, redact)]))
  }
  return value
}
