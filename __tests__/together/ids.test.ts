import { describe, expect, it } from '@jest/globals'
import { describeBadId, isPlainId } from '../../src/together/ids.js'

describe('isPlainId', () => {
  it.each(['01234567-8901-2345-6789-012345678901', 'file-abc_DEF.jsonl', 'a', '7', '.a', 'a.b.c', 'x'.repeat(200)])(
    'accepts %j',
    id => {
      expect(isPlainId(id)).toBe(true)
    }
  )

  it.each([
    '',
    '.',
    '..',
    '...',
    'a..b',
    '-_-',
    'a/b',
    'a b',
    'a\nb',
    '%2E%2E',
    'é',
    'x'.repeat(201),
    '..\n::error::x'
  ])('refuses %j', id => {
    expect(isPlainId(id)).toBe(false)
  })
})

describe('describeBadId', () => {
  it('quotes and JSON-escapes, so a line break cannot start a workflow command', () => {
    expect(describeBadId('..\n::error::x')).toBe('"..\\n::error::x"')
  })

  it.each([
    ['\u202e', '"\\u202e"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['\u0085', '"\\u0085"'],
    ['\u200f\u2066', '"\\u200f\\u2066"'],
    ['\u007f\u0000', '"\\u007f\\u0000"'],
    ['\ufeff', '"\\ufeff"']
  ])('escapes %j', (id, shown) => {
    expect(describeBadId(id)).toBe(shown)
  })

  it('clips to 60 characters without splitting a surrogate pair', () => {
    const shown = describeBadId('😀'.repeat(100))
    expect(shown).toBe(`"${'😀'.repeat(60)}…"`)
    expect(describeBadId('b'.repeat(60))).toBe(`"${'b'.repeat(60)}"`)
  })
})
