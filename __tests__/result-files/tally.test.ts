import { describe, expect, it } from '@jest/globals'
import {
  countErrorLine,
  countLongLine,
  countOutputLine,
  emptyTally,
  mergeTallies,
  topCodes,
  UNREADABLE_LINE,
  type Tally
} from '../../src/result-files/tally.js'

const line = (status: number, body: unknown = {}) =>
  JSON.stringify({ custom_id: 'r', response: { status_code: status, body } })

/** The tally as plain data: succeeded, failed, and each code with its count and example. */
const plain = (tally: Tally) => ({
  succeeded: tally.succeeded,
  failed: tally.failed,
  codes: Object.fromEntries(tally.codes)
})

describe('an output-file line', () => {
  it.each([200, 201, 204, 299])('succeeded with status %i', status => {
    const tally = emptyTally()
    expect(countOutputLine(tally, line(status))).toEqual({ record: JSON.parse(line(status)) })
    expect(plain(tally)).toEqual({ succeeded: 1, failed: 0, codes: {} })
  })

  it.each([100, 199, 300, 302, 400, 500])('failed with status %i, under http_<status>', status => {
    const tally = emptyTally()
    expect(countOutputLine(tally, line(status))).toEqual({
      record: JSON.parse(line(status)),
      failedCode: `http_${status}`
    })
    expect(plain(tally)).toEqual({
      succeeded: 0,
      failed: 1,
      codes: { [`http_${status}`]: { count: 1, example: `HTTP ${status}` } }
    })
  })

  it.each([
    ['a status that is a string', JSON.stringify({ response: { status_code: '200', body: {} } })],
    ['no status', JSON.stringify({ response: { body: {} } })],
    ['a response that is not an object', JSON.stringify({ response: 200 })]
  ])('failed with %s', (_what, text) => {
    const tally = emptyTally()
    expect(countOutputLine(tally, text)?.failedCode).toBe('unknown')
    expect(plain(tally)).toEqual({ succeeded: 0, failed: 1, codes: { unknown: { count: 1, example: '' } } })
  })

  it('takes the code and message of the error in the body, by code, else by type', () => {
    const tally = emptyTally()
    countOutputLine(tally, line(429, { error: { code: 'rate_limit', type: 'limits', message: 'slow down' } }))
    countOutputLine(tally, line(400, { error: { type: 'invalid_request_error', message: 'bad' } }))
    countOutputLine(tally, line(400, { error: { code: 7, message: 3 } }))
    countOutputLine(tally, line(500, { error: { code: '', message: '' } }))
    expect(plain(tally)).toEqual({
      succeeded: 0,
      failed: 4,
      codes: {
        rate_limit: { count: 1, example: 'slow down' },
        invalid_request_error: { count: 1, example: 'bad' },
        '7': { count: 1, example: '3' },
        http_500: { count: 1, example: 'HTTP 500' }
      }
    })
  })

  it('skips blank lines and counts a line that is not a JSON object as unreadable, with its start as example', () => {
    const tally = emptyTally()
    expect(countOutputLine(tally, '  \t ')).toBeUndefined()
    expect(countOutputLine(tally, '')).toBeUndefined()
    expect(countOutputLine(tally, '[1, 2]')).toEqual({ record: undefined, failedCode: UNREADABLE_LINE })
    countOutputLine(tally, `{${'x'.repeat(300)}`)
    expect(UNREADABLE_LINE).toBe('unreadable_line')
    expect(plain(tally)).toEqual({
      succeeded: 0,
      failed: 2,
      codes: { unreadable_line: { count: 2, example: '[1, 2]' } }
    })
    expect(tally.codes.get(UNREADABLE_LINE)!.example).toHaveLength(6)
    const long = emptyTally()
    countOutputLine(long, `{${'x'.repeat(300)}`)
    expect(long.codes.get(UNREADABLE_LINE)!.example).toBe(`{${'x'.repeat(199)}`)
  })
})

describe('an error-file line', () => {
  it.each([200, 204])('failed even with status %i: every request in the error file failed', status => {
    const tally = emptyTally()
    expect(countErrorLine(tally, line(status))?.failedCode).toBe(`http_${status}`)
    expect(plain(tally)).toEqual({
      succeeded: 0,
      failed: 1,
      codes: { [`http_${status}`]: { count: 1, example: `HTTP ${status}` } }
    })
  })

  it('takes the code of its own error before the one in the response body', () => {
    const tally = emptyTally()
    countErrorLine(
      tally,
      JSON.stringify({
        error: { code: 'own', message: 'mine' },
        response: { status_code: 400, body: { error: { code: 'body' } } }
      })
    )
    expect(plain(tally)).toEqual({ succeeded: 0, failed: 1, codes: { own: { count: 1, example: 'mine' } } })
  })
})

describe('a line too long to read', () => {
  it('failed as unreadable, saying its length', () => {
    const tally = emptyTally()
    expect(countLongLine(tally, 70_000_000)).toEqual({ record: undefined, failedCode: 'unreadable_line' })
    expect(plain(tally)).toEqual({
      succeeded: 0,
      failed: 1,
      codes: { unreadable_line: { count: 1, example: 'a line of 70000000 bytes, too long to read' } }
    })
  })
})

describe('several counts', () => {
  it('keep the first example of each code and add up the counts', () => {
    const a = emptyTally()
    countOutputLine(a, line(200))
    countOutputLine(a, line(429, { error: { code: 'rate_limit', message: 'first' } }))
    countOutputLine(a, line(429, { error: { code: 'rate_limit', message: 'second' } }))
    const b = emptyTally()
    countOutputLine(b, line(201))
    countOutputLine(b, line(201))
    countOutputLine(b, line(429, { error: { code: 'rate_limit', message: 'third' } }))
    countOutputLine(b, line(500))
    expect(plain(a).codes).toEqual({ rate_limit: { count: 2, example: 'first' } })
    const total = mergeTallies([a, b])
    expect(plain(total)).toEqual({
      succeeded: 3,
      failed: 4,
      codes: { rate_limit: { count: 3, example: 'first' }, http_500: { count: 1, example: 'HTTP 500' } }
    })
    // Merging copies: the counts it was made from stay as they were.
    expect(a.codes.get('rate_limit')!.count).toBe(2)
    expect(plain(mergeTallies([]))).toEqual({ succeeded: 0, failed: 0, codes: {} })
  })

  it('rank codes by count, then by code, and keep the first n (five unless told)', () => {
    const tally = emptyTally()
    const counts = { f: 1, b: 2, a: 2, c: 4, d: 1, e: 1, g: 1 }
    for (const [code, n] of Object.entries(counts)) {
      for (let i = 0; i < n; i++) countErrorLine(tally, JSON.stringify({ error: { code, message: `${code}${i}` } }))
    }
    expect(topCodes(tally).map(c => `${c.code}:${c.count}`)).toEqual(['c:4', 'a:2', 'b:2', 'd:1', 'e:1'])
    expect(topCodes(tally, 2)).toEqual([
      { code: 'c', count: 4, example: 'c0' },
      { code: 'a', count: 2, example: 'a0' }
    ])
  })
})
