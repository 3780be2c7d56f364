import { describe, expect, it } from '@jest/globals'
import { createRedactor } from '../../src/sanitize/redact.js'
import { redactJson } from '../../src/sanitize/redact.js'

const KEY = 'sk-Ab/c+d"e\\f g'
// Made when called, inside a test: a call while the file loads would make the redactor's mutants static.
const redact = (text: string): string => createRedactor([KEY])(text)

/** Every character written as a \u escape, as some JSON encoders do. */
const unicodeEscaped = (text: string): string =>
  Array.from(text, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')

describe('createRedactor', () => {
  it.each([
    ['raw', KEY],
    ['JSON-escaped', JSON.stringify(KEY).slice(1, -1)],
    ['JSON-escaped with \\/', JSON.stringify(KEY).slice(1, -1).replace('/', '\\/')],
    ['\\u-escaped', unicodeEscaped(KEY)],
    ['\\u-escaped in upper case', unicodeEscaped(KEY).toUpperCase().replace(/\\U/g, '\\u')],
    ['one character \\u-escaped', `\\u0073${KEY.slice(1)}`],
    ['URL-encoded', encodeURIComponent(KEY)],
    ['URL-encoded in lower case', encodeURIComponent(KEY).toLowerCase().replace(/sk-ab/, 'sk-Ab')],
    ['fully percent-encoded', Array.from(Buffer.from(KEY), b => `%${b.toString(16)}`).join('')],
    ['form-encoded', encodeURIComponent(KEY).replace('%20', '+')]
  ])('replaces the key %s', (_form, echoed) => {
    expect(redact(`before ${echoed} after`)).toBe('before *** after')
  })

  it('replaces every occurrence of every secret, the longest first', () => {
    const both = createRedactor(['abcd', 'abcdefgh'])
    expect(both('abcdefgh abcd abcdx')).toBe('*** *** ***x')
  })

  it('handles secrets outside ASCII', () => {
    const euro = createRedactor(['k€y-1'])
    expect(euro(`${encodeURIComponent('k€y-1')} ${unicodeEscaped('k€y-1')} k€y-1`)).toBe('*** *** ***')
  })

  it('finds a secret with a character beyond the BMP as a JSON surrogate pair, and one with a control character URL-encoded', () => {
    const astral = createRedactor(['key-😀-1'])
    expect(astral(JSON.stringify('key-😀-1').replace('😀', '\\ud83d\\ude00'))).toBe('"***"')
    const tabbed = createRedactor(['key\t-1'])
    expect(tabbed(encodeURIComponent('key\t-1'))).toBe('***')
    expect(encodeURIComponent('key\t-1')).toBe('key%09-1')
  })

  it('ignores secrets shorter than 4 characters, and empty ones', () => {
    const short = createRedactor(['', 'abc'])
    expect(short('abc abc')).toBe('abc abc')
    // With nothing to find, text with escape characters (which would make the pattern look) stays as is.
    expect(short('50% of a+b & c\\d abc')).toBe('50% of a+b & c\\d abc')
    expect(createRedactor([])('%41')).toBe('%41')
  })

  it('finds the raw key in text without any escape character, and only where it is whole', () => {
    const plain = createRedactor(['sk-key1'])
    expect(plain('sk-key1sk-key1 sk-key sk-key2 k-key1')).toBe('****** sk-key sk-key2 k-key1')
    expect(plain('sk-key')).toBe('sk-key')
  })

  it.each([
    ['an HTML reference', 'sk-k&#101;y1'],
    ['a JSON escape', 'sk-ke\\u0079' + '1'],
    ['a percent escape', 'sk-key%31']
  ])('finds a key with one character written as %s among raw ones', (_form, echoed) => {
    expect(createRedactor(['sk-key1'])(`x ${echoed} y`)).toBe('x *** y')
  })

  it.each([
    [
      'with its JSON short escapes',
      'k\b\f\n\r\t"\\/y',
      (key: string) => JSON.stringify(key).slice(1, -1).replace('/', '\\/')
    ],
    ['with an HTML reference in decimal, with leading zeros', 'sk-key1', () => 'sk&#0045;key1'],
    ['with an HTML reference in hex, either case', 'sk-kEy1', () => 'sk&#X2D;k&#x45;y1'],
    ['with an HTML reference in upper-case hex digits', 'sk-k:y1', () => 'sk-k&#x3A;y1'],
    ['with a \\u escape in upper-case hex digits', 'sk-k:y1', () => 'sk-k\\u003Ay1'],
    ['with a JSON escape whose backslash is HTML-escaped', 'sk-k/y1', () => 'sk-k&#92;/y1'],
    ['with a percent escape whose % is HTML-escaped', 'sk-k/y1', () => 'sk-k&#37;2Fy1'],
    ['with regex characters percent-encoded', 'a.b*c(d)', (key: string) => encodeURIComponent(key).replace('.', '%2E')]
  ])('finds a key %s', (_form, key, echo) => {
    expect(createRedactor([key])(`x ${echo(key)} y`)).toBe('x *** y')
  })

  it('finds a key written with a + only where the key has a space', () => {
    expect(createRedactor(['sk-key+1'])('x sk-key+1 y')).toBe('x *** y')
    expect(createRedactor(['sk-key-1'])('x sk+key-1 y')).toBe('x sk+key-1 y')
    expect(createRedactor(['sk-key1'])('x sk-key%2B1 y')).toBe('x sk-key%2B1 y')
  })

  it('finds a key with a space written as +', () => {
    expect(createRedactor(['sk key1'])('x sk+key1 y')).toBe('x *** y')
  })

  it('leaves text without the key alone, regex characters in the key included', () => {
    expect(createRedactor(['a.b*c'])('aXbbc a.b*c')).toBe('aXbbc ***')
  })
})

describe('redactJson', () => {
  it('redacts every string value and key, however deep, and keeps other values', () => {
    const parsed: unknown = JSON.parse(
      `{"error":{"message":"bad \\u0073k-key1"},"list":["sk-key1",3,null,true],"sk-key1":1,"__proto__":"sk-key1"}`
    )
    const redacted = redactJson(parsed, createRedactor(['sk-key1'])) as Record<string, unknown>
    expect(JSON.stringify(redacted)).toBe(
      '{"error":{"message":"bad ***"},"list":["***",3,null,true],"***":1,"__proto__":"***"}'
    )
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype)
  })
})
