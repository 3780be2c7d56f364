import { describe, expect, it } from '@jest/globals'
import { errorMessageOf, parseBatchJob } from '../../src/together/parse.js'

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
