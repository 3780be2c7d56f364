import { describe, expect, it } from '@jest/globals'
import {
  errorMessageOf,
  parseBatchJob,
  parseCreatedBatch,
  parseFileList,
  parseModelList
} from '../../src/together/parse.js'

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

describe('parseFileList', () => {
  it('reads the spec\'s {"data": [...]} and keeps the fields of the right type', () => {
    expect(
      parseFileList({
        object: 'list',
        data: [
          {
            id: 'file-1',
            filename: 'a.jsonl',
            bytes: 10,
            purpose: 'batch-api',
            created_at: 1767225600,
            Processed: true
          },
          { id: 'file-2', filename: 7, bytes: '10', purpose: null, created_at: 'yesterday' },
          { id: 'file-3', bytes: -1 },
          { id: 'file-4', bytes: 1.5 }
        ]
      })
    ).toEqual([
      { id: 'file-1', filename: 'a.jsonl', bytes: 10, purpose: 'batch-api', createdAt: 1767225600 },
      { id: 'file-2' },
      { id: 'file-3' },
      { id: 'file-4' }
    ])
  })

  it.each([[null], [{ data: null }], [[]]])('reads %j as no files', value => {
    expect(parseFileList(value)).toEqual([])
  })

  it('leaves out entries without a plain ID', () => {
    expect(
      parseFileList([{ id: '../x' }, { id: 'a\nb' }, { filename: 'x' }, 'file-1', null, { id: 'file-ok' }])
    ).toEqual([{ id: 'file-ok' }])
  })

  it.each(['text', 42, { files: [] }])('is undefined for %j, which is no list', value => {
    expect(parseFileList(value)).toBeUndefined()
  })
})

describe('parseCreatedBatch', () => {
  const what = 'POST /batches'

  it('reads {job, warning}, and a bare batch too', () => {
    expect(parseCreatedBatch({ job: { id: 'b1', status: 'VALIDATING' }, warning: ' busy ' }, what, 'file-1')).toEqual({
      job: { id: 'b1', status: 'VALIDATING' },
      warning: 'busy'
    })
    expect(parseCreatedBatch({ id: 'b1', input_file_id: 'file-1' }, what, 'file-1')).toEqual({
      job: { id: 'b1', input_file_id: 'file-1' }
    })
    expect(parseCreatedBatch({ job: { id: 'b1' }, warning: '' }, what, 'file-1')).toEqual({ job: { id: 'b1' } })
  })

  it.each([
    [{ job: {} }, 'invalid-response', 'Together answered POST /batches with no batch ID'],
    [undefined, 'invalid-response', 'Together answered POST /batches with no batch ID'],
    [
      { job: { id: 'b1', input_file_id: 'file-2' } },
      'invalid-response',
      'Together answered POST /batches with a batch of another input file (file-2, not file-1)'
    ],
    [{ job: { id: 'b/1' } }, 'invalid-id', undefined]
  ])('refuses %j', (value, kind, message) => {
    let thrown: unknown
    try {
      parseCreatedBatch(value, what, 'file-1')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject(message === undefined ? { kind } : { kind, message })
  })

  it('cuts a long warning', () => {
    expect(parseCreatedBatch({ job: { id: 'b1' }, warning: 'w'.repeat(5000) }, what, 'f').warning).toHaveLength(1000)
  })
})

const llama = {
  id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
  object: 'model',
  created: 1733443200,
  type: 'chat',
  pricing: { hourly: 0, input: 0.88, output: 0.88, base: 0, finetune: 0 }
}

describe('parseModelList', () => {
  it('reads a bare array, keeping the id and the input and output prices', () => {
    expect(parseModelList([llama])).toEqual([
      { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', pricing: { input: 0.88, output: 0.88 } }
    ])
  })

  it('reads null as no models, and an OpenAI-style {data} list too', () => {
    expect(parseModelList(null)).toEqual([])
    expect(parseModelList({ data: null })).toEqual([])
    expect(parseModelList({ object: 'list', data: [llama] })).toHaveLength(1)
  })

  it.each([undefined, 'models', 42, { models: [] }])('rejects %j as not a list', body => {
    expect(parseModelList(body)).toBeUndefined()
  })

  it('skips malformed entries and keeps models whose prices are unusable without a price', () => {
    const models = parseModelList([
      null,
      'a string',
      { id: 42 },
      { id: '   ' },
      { id: 'x'.repeat(300) },
      { id: 'no-pricing' },
      { id: 'string-prices', pricing: { input: '0.2', output: '0.2' } },
      { id: 'negative', pricing: { input: -1, output: 1 } },
      { id: 'absurd', pricing: { input: 1e308, output: 1 } },
      { id: 'half', pricing: { input: 0.5 } },
      { id: 'free', pricing: { input: 0, output: 0 } }
    ])
    expect(models).toEqual([
      { id: 'no-pricing' },
      { id: 'string-prices' },
      { id: 'negative' },
      { id: 'absurd' },
      { id: 'half' },
      { id: 'free', pricing: { input: 0, output: 0 } }
    ])
  })
})
