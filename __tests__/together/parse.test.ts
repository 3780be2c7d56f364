import { describe, expect, it } from '@jest/globals'
import { errorMessageOf, parseBatchJob } from '../../src/together/parse.js'
import { parseRetryAfter } from '../../src/together/retry-after.js'

describe('parseBatchJob', () => {
  it.each([null, [], 'text', 42, {}, { unrelated: true }])('returns undefined for %j', value => {
    expect(parseBatchJob(value)).toBeUndefined()
  })

  it('drops fields of the wrong type and keeps nulls', () => {
    expect(
      parseBatchJob({ id: 7, status: 'in_progress', model_id: null, output_file_id: ['x'], error: { a: 1 } })
    ).toEqual({
      status: 'IN_PROGRESS',
      model_id: null
    })
  })

  it.each([
    [55.5, 55.5],
    ['40', 40],
    [140, 100],
    [-3, 0],
    ['abc', undefined],
    [Number.NaN, undefined],
    [null, null]
  ])('reads progress %j as %j', (raw, progress) => {
    expect(parseBatchJob({ status: 'IN_PROGRESS', progress: raw })?.progress).toBe(progress)
  })
})

describe('errorMessageOf', () => {
  it.each([
    [{ error: 'plain' }, 'plain'],
    [{ error: { message: 'nested' } }, 'nested'],
    [{ message: 'top' }, 'top'],
    [{ error: { code: 1 } }, undefined],
    ['text', undefined]
  ])('reads %j as %j', (body, message) => {
    expect(errorMessageOf(body)).toBe(message)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }, 10_000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, 0],
    [{ 'x-ratelimit-reset': '7' }, 7000],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': ['4', '9'] }, 4000],
    [{ 'retry-after': 'whenever' }, undefined],
    [{}, undefined]
  ])('reads %j as %j ms', (headers, ms) => {
    expect(parseRetryAfter(headers, now)).toBe(ms)
  })
})
