import { describe, expect, it } from '@jest/globals'
import { JsonArraySplitter } from '../../src/together/json-array.js'

/** Feeds `text` in pieces of `size` bytes; returns the elements, parsed, and what `end()` handed back. */
function split(text: string | Buffer, size = Number.POSITIVE_INFINITY) {
  const elements: unknown[] = []
  const splitter = new JsonArraySplitter(bytes => elements.push(JSON.parse(bytes.toString('utf8'))))
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text)
  const step = Math.min(size, bytes.length || 1)
  for (let i = 0; i < bytes.length; i += step) splitter.push(bytes.subarray(i, i + step))
  return { elements, other: splitter.end() }
}

const ARRAYS: [string, unknown[]][] = [
  ['[]', []],
  ['  [ ]  \n', []],
  ['[{"id":"a"},{"id":"b"}]', [{ id: 'a' }, { id: 'b' }]],
  ['[ {"id" : "a,]}\\"{["} , {"n":[1,{"x":[]}]} ]', [{ id: 'a,]}"{[' }, { n: [1, { x: [] }] }]],
  ['[1, -2.5e3,true,false,null,"s\\\\",[],{}]', [1, -2500, true, false, null, 's\\', [], {}]],
  ['[{"e":"\\\\"},"\\"]"]', [{ e: '\\' }, '"]']],
  ['[{"model":"Qwen/Qwen3.5 — 9B ✓"}]', [{ model: 'Qwen/Qwen3.5 — 9B ✓' }]],
  ['\t[\r\n{"a":1}\r\n,\r\n{"b":2}\r\n]\r\n', [{ a: 1 }, { b: 2 }]]
]

describe('JsonArraySplitter', () => {
  it.each(ARRAYS)('splits %s into its elements, however the bytes are cut', (text, expected) => {
    for (const size of [1, 2, 3, 7, 1000]) expect(split(text, size)).toEqual({ elements: expected, other: undefined })
  })

  it('keeps a multi-byte character cut between two chunks whole', () => {
    const text = JSON.stringify([{ s: '✓'.repeat(5) }, { s: '😀' }])
    expect(split(text, 1).elements).toEqual([{ s: '✓✓✓✓✓' }, { s: '😀' }])
  })

  it.each(['null', ' null\n', '{"error":"x"}', '"text"', '<html><body>hi</body></html>', ''])(
    'hands back %j whole: a body that is not an array',
    text => {
      expect(split(text, 2)).toEqual({ elements: [], other: text.trimStart() })
    }
  )

  it.each([
    ['[', 'the array is not closed'],
    ['[{"a":1}', 'the array is not closed'],
    ['[{"a":1}{"b":2}]', 'elements not separated by a comma'],
    ['[{"a":1},]', 'a comma before the closing bracket'],
    ['[{"a":1}] [', 'data after the end of the array'],
    ['[] x', 'data after the end of the array'],
    ['[1 2]', 'elements not separated by a comma']
  ])('refuses %j: %s', (text, message) => {
    expect(() => split(text, 3)).toThrow(new SyntaxError(message))
  })

  it.each(['[{"a" 1}]', '[{]', '[tru]', '[,1]', '[{"a":"\n"}]'])('leaves %j to JSON.parse, which refuses it', text => {
    expect(() => split(text)).toThrow(SyntaxError)
  })

  it('hands over each element as it ends, before the rest of the array has come', () => {
    const seen: string[] = []
    const splitter = new JsonArraySplitter(bytes => seen.push(bytes.toString()))
    splitter.push(Buffer.from('[{"id":"a"},{"id":'))
    expect(seen).toEqual(['{"id":"a"}'])
    splitter.push(Buffer.from('"b"}]'))
    expect(seen).toEqual(['{"id":"a"}', '{"id":"b"}'])
    expect(splitter.end()).toBeUndefined()
  })
})
