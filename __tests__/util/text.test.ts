import { describe, expect, it } from '@jest/globals'
import { errorMessage, listFirst, printable, quoted } from '../../src/util/text.js'

describe('errorMessage', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['an object with a message, as errors of another realm are', { message: 'from a VM' }, 'from a VM'],
    ['a string', 'plain', 'plain'],
    ['an object without a message', { code: 7 }, 'unexpected {"code":7}'],
    ['undefined', undefined, 'unexpected undefined'],
    ['a number', 42, 'unexpected 42']
  ])('reads %s', (_case, thrown, message) => {
    expect(errorMessage(thrown)).toBe(message)
  })

  it('says something of a value JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(errorMessage(cyclic)).toBe('unexpected [object Object]')
    expect(errorMessage(10n)).toBe('unexpected 10')
  })
})

describe('listFirst', () => {
  const items = ['a', 'b', 'c', 'd']
  it.each([
    [', ', 'a, b and 2 more'],
    ['; ', 'a; b; and 2 more'],
    [' ', 'a b And 2 more.']
  ])('joins the first items with %j and says how many more there are', (sep, text) => {
    expect(listFirst(items, 2, sep)).toBe(text)
  })

  it('lists every item when there are no more than it shows', () => {
    expect(listFirst(items, 4)).toBe('a, b, c, d')
    expect(listFirst(items, 5, '; ')).toBe('a; b; c; d')
    expect(listFirst([], 3)).toBe('')
  })
})

describe('printable', () => {
  it('writes controls, line breaks and bidi marks as escapes, and cuts between whole characters', () => {
    expect(printable('a\n::error::\u202eb', 100)).toBe('a\\n::error::\\u202eb')
    expect(printable('😀'.repeat(3), 2)).toBe('😀😀…')
  })
})

describe('quoted', () => {
  it.each([
    ['a clean value as it is', 'evals/batch.jsonl', 10, "'evals/batc…'"],
    ['a short clean value whole', 'poll', 50, "'poll'"],
    ['a value with a line break escaped', 'a\nb', 50, '"a\\nb"'],
    ['a value with a bidi mark escaped', 'a\u202eb', 50, '"a\\u202eb"'],
    ['without splitting a surrogate pair', '😀'.repeat(3), 2, "'😀😀…'"]
  ])('quotes %s', (_case, text, max, shown) => {
    expect(quoted(text, max)).toBe(shown)
  })
})
