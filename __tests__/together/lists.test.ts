import { describe, expect, it } from '@jest/globals'
import { parseCreatedBatch, parseFileList } from '../../src/together/lists.js'

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
