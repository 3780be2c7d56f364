import { describe, expect, it } from '@jest/globals'
import { createRedactor } from '../../src/sanitize/redact.js'
import { isCleanLine, sanitizeLine } from '../../src/sanitize/sanitize.js'
import { escapeText } from '../../src/report/escape.js'

const BREAKS = ['\n', '\r', '\r\n', '\u0085', '\u2028', '\u2029', '\u000b', '\u000c']
const INVISIBLE = ['\u202e', '\u202a', '\u2066', '\u2069', '\u200b', '\u200e', '\ufeff', '\u061c']

describe('sanitizeLine', () => {
  it.each(BREAKS)('turns the line break %j into a space, so no second line starts', br => {
    const line = sanitizeLine(`file-1${br}::error::forged`)
    expect(line).toMatch(/^file-1 +::error::forged$/)
    expect(line.split(/\r\n|\r|\n/)).toHaveLength(1)
  })

  it.each(INVISIBLE)('drops the invisible formatting character %j', ch => {
    expect(sanitizeLine(`a${ch}b`)).toBe('a b')
  })

  it.each(['::error::x', '  ::add-mask::x', '\t::set-output name=a::b', '\n::stop-commands::t'])(
    'defuses a workflow command at the start of %j',
    text => {
      const line = sanitizeLine(text)
      expect(line.trimStart().startsWith('::')).toBe(false)
      expect(line).toContain(': :')
    }
  )

  it.each([
    ['::error::x', ': :error::x'],
    ['  ::add-mask::x', ': :add-mask::x'],
    ['\t::set-output name=a::b', ': :set-output name=a::b'],
    ['\n::stop-commands::t', ': :stop-commands::t'],
    ['::', ': :'],
    ['x ::error::y', 'x ::error::y'],
    [':error::x', ':error::x']
  ])('writes %j as %j: only a command at the start is split, and the rest is kept', (text, line) => {
    expect(sanitizeLine(text)).toBe(line)
  })

  it.each([
    ['\u0000', '\u0000'],
    ['\u001f', '\u001f'],
    ['\u007f', '\u007f'],
    ['\u009f', '\u009f'],
    ['a soft hyphen', '\u00ad'],
    ['the Arabic letter mark', '\u061c'],
    ['the Mongolian vowel separator', '\u180e'],
    ['\u200b', '\u200b'],
    ['\u200f', '\u200f'],
    ['\u202e', '\u202e'],
    ['\u2060', '\u2060'],
    ['\u206f', '\u206f'],
    ['\ufff9', '\ufff9'],
    ['\ufffb', '\ufffb']
  ])('turns %s into a space, and says the line was not clean', (_name, ch) => {
    expect(sanitizeLine(`a${ch}b${ch}`)).toBe('a b ')
    expect(isCleanLine(`a${ch}b`)).toBe(false)
  })

  it('keeps the printable neighbours of the characters it replaces', () => {
    const text = ' ~\u00a0\u00ac\u00ae\u061b\u061d\u180d\u180f\u200a\u2010\u2027\u202f\u205f\u2070\ufefe\ufff8\ufffc'
    expect(sanitizeLine(text)).toBe(text)
    expect(isCleanLine(text)).toBe(true)
  })

  it('defuses the older ##[command] syntax anywhere in the line', () => {
    expect(sanitizeLine('ok ##[set-output name=a;]b')).toBe('ok # #[set-output name=a;]b')
  })

  it('leaves ordinary text, including :: in the middle, alone', () => {
    const text = 'Batch b1 [2m 05s] IN_PROGRESS 40% · ETA ~3m — model a::b é ✅'
    expect(sanitizeLine(text)).toBe(text)
    expect(isCleanLine(text)).toBe(true)
  })
})

describe('createRedactor', () => {
  const key = 'tk-"secret\\value'
  const redact = (text: string): string => createRedactor([key, 'ghs_token_123', 'ab'])(text)

  it.each([
    ['raw', key],
    ['JSON-escaped', JSON.stringify(key).slice(1, -1)],
    ['URL-encoded', encodeURIComponent(key)],
    ['HTML-escaped as in the summary', escapeText(key)],
    ['URL-encoded, then HTML-escaped', escapeText(encodeURIComponent(key))]
  ])('replaces the key %s', (_form, text) => {
    expect(redact(`before ${text} after`)).toBe('before *** after')
  })

  it('redacts every secret, and leaves secrets too short to matter alone', () => {
    expect(redact('ghs_token_123 and ab')).toBe('*** and ab')
  })

  it('is idempotent', () => {
    const once = redact(`x ${key} y`)
    expect(redact(once)).toBe(once)
  })
})
