import { describe, expect, it } from '@jest/globals'
import { isRecord, parseJson } from '../../src/util/json.js'

describe('parseJson', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['[1,2]', [1, 2]],
    ['null', null],
    ['"text"', 'text'],
    ['7', 7]
  ])('reads %s', (text, value) => {
    expect(parseJson(text)).toEqual(value)
  })

  it.each(['', '{', 'not json', '{"a":1} trailing', '\uFEFF{}'])('answers undefined for %j', text => {
    expect(parseJson(text)).toBeUndefined()
  })
})

describe('isRecord', () => {
  it('accepts a plain object only', () => {
    expect([{}, [], null, 'x', 1].map(isRecord)).toEqual([true, false, false, false, false])
  })
})
