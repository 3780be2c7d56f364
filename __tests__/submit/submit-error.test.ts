import { describe, expect, it } from '@jest/globals'
import { isRefusal, submitFailure, SubmitError } from '../../src/submit/submit-error.js'
import { TogetherError } from '../../src/together/errors.js'

const refused = new TogetherError('HTTP 400: bad endpoint', { kind: 'http', status: 400 })
const lost = new TogetherError('HTTP 503', { kind: 'http', status: 503 })

describe('isRefusal', () => {
  it('is a definite no: a 4xx, or a request refused before it was sent', () => {
    expect(isRefusal(refused)).toBe(true)
    expect(isRefusal(new TogetherError('not sent', { kind: 'local' }))).toBe(true)
    expect(isRefusal(lost)).toBe(false)
    expect(isRefusal(new TogetherError('HTTP 429', { kind: 'http', status: 429 }))).toBe(false)
    expect(isRefusal(new Error('HTTP 400'))).toBe(false)
  })
})

describe('submitFailure', () => {
  it('says no batch was created before the create, naming an upload that was begun', () => {
    const error = submitFailure(lost, 'in.jsonl', { stage: 'uploading', started: 'file-1' })
    expect(error).toBeInstanceOf(SubmitError)
    expect(error.message).toBe(
      'Could not submit input-file in.jsonl (uploading): HTTP 503. No batch was created. The upload of file-1 was begun and may be left unfinished in GET /v1/files.'
    )
    expect(error).toMatchObject({ inputFileId: undefined, cause: lost })
  })

  it('says no batch was created when Together refuses the create', () => {
    const error = submitFailure(refused, 'in.jsonl', { stage: 'create', inputFileId: 'file-2' })
    expect(error.message).toBe(
      'Together refused a batch of input-file in.jsonl (file-2): HTTP 400: bad endpoint. No batch was created.'
    )
    expect(error).toMatchObject({ inputFileId: 'file-2' })
  })

  it('says a batch may exist when the answer to a create was lost, and how not to pay twice', () => {
    const error = submitFailure(lost, 'in.jsonl', { stage: 'create', inputFileId: 'file-2' })
    expect(error.message).toBe(
      'Could not create the batch of input-file in.jsonl (file-2): HTTP 503. A batch may exist anyway: run again with reuse: running to attach to it rather than pay twice.'
    )
    expect(error).toMatchObject({ inputFileId: 'file-2' })
  })
})
