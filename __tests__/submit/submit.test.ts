import { describe, expect, it } from '@jest/globals'
import type { PreflightReport } from '../../src/submit/preflight.js'
import { submitBatch } from '../../src/submit/submit.js'
import { SubmitError } from '../../src/submit/submit-error.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob, ListedFile, SubmitApi, UploadOptions } from '../../src/together/types.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const SHA = '0123456789abcdef'.repeat(4)
const NAME = 'evals-0123456789abcdef.jsonl'
const CHAT = '/v1/chat/completions'

const report: PreflightReport = {
  file: 'evals.jsonl',
  path: '/w/evals.jsonl',
  endpoint: CHAT,
  problems: [],
  counts: {},
  requests: 2,
  bytes: 100,
  models: new Map([['m', 2]]),
  otherModels: 0,
  sha256: SHA
}

const lost = () => new TogetherError('POST /batches failed: socket hang up', { kind: 'network' })
const upstream = () => new TogetherError('POST /batches answered HTTP 502', { kind: 'http', status: 502 })

/**
 * A Together account in memory: files and batches, every call recorded. `createFaults` are thrown by
 * the creates in turn after the batch exists (a lost answer), or before (`refuse`).
 */
function account(init: { files?: ListedFile[]; batches?: BatchJob[]; createFaults?: (Error | 'refuse')[] } = {}) {
  const files = [...(init.files ?? [])]
  const batches = [...(init.batches ?? [])]
  const faults = [...(init.createFaults ?? [])]
  const calls: string[] = []
  const uploads: { path: string; name: string; options?: UploadOptions }[] = []
  const api: SubmitApi = {
    listFiles: async () => {
      calls.push('GET /files')
      return files.map(f => ({ ...f }))
    },
    listBatches: async () => {
      calls.push('GET /batches')
      return batches.map(b => ({ ...b }))
    },
    uploadFile: async (path, name, options) => {
      calls.push(`upload ${name}`)
      uploads.push({ path, name, options })
      const file = { id: `file-new-${files.length + 1}`, filename: name, bytes: report.bytes, purpose: 'batch-api' }
      files.push(file)
      return file
    },
    createBatch: async (inputFileId, endpoint) => {
      calls.push(`POST /batches ${inputFileId}`)
      const fault = faults.shift()
      if (fault === 'refuse')
        throw new TogetherError('POST /batches answered HTTP 400: bad file', { kind: 'http', status: 400 })
      const job = { id: `batch-${batches.length + 1}`, input_file_id: inputFileId, endpoint, status: 'VALIDATING' }
      batches.push(job)
      if (fault) throw fault
      return { job }
    }
  }
  return { api, calls, files, batches, uploads }
}

const uploaded = (id: string, extra: Partial<ListedFile> = {}): ListedFile => ({
  id,
  filename: NAME,
  bytes: 100,
  purpose: 'batch-api',
  ...extra
})

function deps(api: SubmitApi) {
  return { api, ...virtualClock(Date.parse('2026-01-01T03:00:00Z')), log: recordingLogger(), random: () => 0.5 }
}

describe('submitBatch', () => {
  it('uploads under the content-addressed name and creates one batch', async () => {
    const acct = account()
    const d = deps(acct.api)
    const result = await submitBatch({ report, reuse: 'running' }, d)
    expect(result).toEqual({ batchId: 'batch-1', inputFileId: 'file-new-1', created: true, uploaded: true })
    expect(acct.calls).toEqual(['GET /files', 'GET /batches', `upload ${NAME}`, 'POST /batches file-new-1'])
    expect(acct.uploads[0]?.path).toBe('/w/evals.jsonl')
    expect(d.log.text('info')).toBe(
      [
        `Uploaded input-file evals.jsonl as file-new-1 (${NAME}).`,
        `Created batch batch-1 from file-new-1 for ${CHAT}.`
      ].join('\n')
    )
  })

  it('reuses an identical upload instead of uploading again, in every mode', async () => {
    for (const reuse of ['running', 'completed', 'never'] as const) {
      const acct = account({ files: [uploaded('file-same')] })
      const d = deps(acct.api)
      expect(await submitBatch({ report, reuse }, d)).toEqual({
        batchId: 'batch-1',
        inputFileId: 'file-same',
        created: true,
        uploaded: false
      })
      expect(acct.uploads).toEqual([])
      expect(d.log.text('info')).toContain(`Input file file-same (${NAME}) holds these exact bytes already`)
    }
  })

  it('uploads again when the upload of that name has another size', async () => {
    const acct = account({ files: [uploaded('file-cut', { bytes: 60 })] })
    expect((await submitBatch({ report, reuse: 'running' }, deps(acct.api))).inputFileId).toBe('file-new-2')
  })

  it('attaches to a running batch of identical input (reuse: running), creating nothing', async () => {
    const running = {
      id: 'batch-old',
      input_file_id: 'file-same',
      endpoint: CHAT,
      status: 'IN_PROGRESS',
      created_at: '2026-01-01T01:00:00Z'
    }
    const acct = account({ files: [uploaded('file-same')], batches: [running] })
    const d = deps(acct.api)
    expect(await submitBatch({ report, reuse: 'running' }, d)).toEqual({
      batchId: 'batch-old',
      inputFileId: 'file-same',
      created: false,
      uploaded: false,
      reused: { createdAt: '2026-01-01T01:00:00Z', status: 'IN_PROGRESS' }
    })
    expect(acct.calls).toEqual(['GET /files', 'GET /batches'])
    expect(d.log.text('info')).toBe(
      'Reusing batch batch-old (IN_PROGRESS, created 2026-01-01T01:00:00Z (2h 00m ago)): it runs identical input (file-same); reuse: running.'
    )
  })

  it('uses a COMPLETED batch of identical input with reuse: completed only', async () => {
    const done = { id: 'batch-done', input_file_id: 'file-same', endpoint: CHAT, status: 'COMPLETED' }
    const completed = account({ files: [uploaded('file-same')], batches: [done] })
    expect(await submitBatch({ report, reuse: 'completed' }, deps(completed.api))).toMatchObject({
      batchId: 'batch-done',
      created: false,
      reused: { status: 'COMPLETED' }
    })
    const running = account({ files: [uploaded('file-same')], batches: [done] })
    expect(await submitBatch({ report, reuse: 'running' }, deps(running.api))).toMatchObject({
      batchId: 'batch-2',
      created: true
    })
  })

  it.each(['FAILED', 'EXPIRED', 'CANCELLED'])('never reuses a %s batch: it creates a new one', async status => {
    const finished = { id: 'batch-x', input_file_id: 'file-same', endpoint: CHAT, status }
    const acct = account({ files: [uploaded('file-same')], batches: [finished] })
    expect(await submitBatch({ report, reuse: 'completed' }, deps(acct.api))).toMatchObject({
      batchId: 'batch-2',
      created: true
    })
  })

  it('creates a new batch with reuse: never, even beside a running one', async () => {
    const running = { id: 'batch-old', input_file_id: 'file-same', endpoint: CHAT, status: 'IN_PROGRESS' }
    const acct = account({ files: [uploaded('file-same')], batches: [running] })
    expect(await submitBatch({ report, reuse: 'never' }, deps(acct.api))).toMatchObject({
      batchId: 'batch-2',
      created: true
    })
  })

  it.each([
    ['a reset connection', lost],
    ['a 502', upstream]
  ])('finds the batch whose create answer was lost to %s, and creates exactly one', async (_what, fault) => {
    const earlier = { id: 'batch-1', input_file_id: 'file-same', endpoint: CHAT, status: 'FAILED' }
    const acct = account({ files: [uploaded('file-same')], batches: [earlier], createFaults: [fault()] })
    const d = deps(acct.api)
    expect(await submitBatch({ report, reuse: 'never' }, d)).toEqual({
      batchId: 'batch-2',
      inputFileId: 'file-same',
      created: true,
      uploaded: false
    })
    expect(acct.batches).toHaveLength(2)
    expect(acct.calls).toEqual(['GET /files', 'GET /batches', 'POST /batches file-same', 'GET /batches'])
    expect(d.log.text('warning')).toContain('The batch may exist: listing batches before creating again.')
    expect(d.log.text('info')).toContain(
      'Batch batch-2 was created from file-same; its answer was lost. Going on with it.'
    )
  })

  it('creates again after a failure only when the list shows no batch was made', async () => {
    const acct = account({ files: [uploaded('file-same')], createFaults: [] })
    let first = true
    const create = acct.api.createBatch.bind(acct.api)
    acct.api.createBatch = async (id, endpoint, options) => {
      if (first) {
        first = false
        acct.calls.push('POST /batches (rate limited)')
        throw new TogetherError('slow down', { kind: 'http', status: 429, retryAfterMs: 2000 })
      }
      return create(id, endpoint, options)
    }
    const d = deps(acct.api)
    expect((await submitBatch({ report, reuse: 'running' }, d)).batchId).toBe('batch-1')
    expect(acct.calls).toEqual([
      'GET /files',
      'GET /batches',
      'POST /batches (rate limited)',
      'GET /batches',
      'POST /batches file-same'
    ])
    expect(d.sleeps).toEqual([2000])
    expect(acct.batches).toHaveLength(1)
  })

  it('gives up after five lost answers without a batch in the list, saying one may exist', async () => {
    const acct = account({ files: [uploaded('file-same')] })
    acct.api.createBatch = async () => {
      acct.calls.push('POST /batches')
      throw lost()
    }
    const error = await submitBatch({ report, reuse: 'running' }, deps(acct.api)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SubmitError)
    expect(error).toMatchObject({ inputFileId: 'file-same' })
    expect((error as Error).message).toBe(
      'Could not create the batch of input-file evals.jsonl (file-same): POST /batches failed: socket hang up. A batch may exist anyway: run again with reuse: running to attach to it rather than pay twice.'
    )
    expect(acct.calls.filter(c => c === 'POST /batches')).toHaveLength(5)
    expect(acct.calls.filter(c => c === 'GET /batches')).toHaveLength(6)
  })

  it('says no batch was created when Together refuses the create of a fresh upload', async () => {
    const acct = account({ createFaults: ['refuse'] })
    const error = await submitBatch({ report, reuse: 'running' }, deps(acct.api)).catch((e: unknown) => e)
    expect(error).toMatchObject({ inputFileId: 'file-new-1' })
    expect((error as Error).message).toBe(
      'Together refused a batch of input-file evals.jsonl (file-new-1): POST /batches answered HTTP 400: bad file. No batch was created.'
    )
    expect(acct.batches).toEqual([])
  })

  it('retries the lists and each upload step on transient failures', async () => {
    const acct = account()
    let failures = 1
    const list = acct.api.listFiles.bind(acct.api)
    acct.api.listFiles = async options => {
      if (failures-- > 0) throw new TogetherError('GET /files answered HTTP 503', { kind: 'http', status: 503 })
      return list(options)
    }
    const d = deps(acct.api)
    await submitBatch({ report, reuse: 'running' }, d)
    expect(d.log.text('warning')).toBe('GET /files failed (attempt 1): GET /files answered HTTP 503. Retrying in 1s.')
    // The upload gets the same policy for each of its steps.
    let tries = 0
    const step = await acct.uploads[0]!.options!.attempt!('PUT of file-x', async () => {
      if (++tries === 1) throw new TogetherError('PUT answered HTTP 500', { kind: 'http', status: 500 })
      return 'sent'
    })
    expect(step).toBe('sent')
  })

  it('fails while listing with a message that says nothing was created', async () => {
    const acct = account()
    acct.api.listBatches = () =>
      Promise.reject(new TogetherError('GET /batches answered HTTP 401: bad key', { kind: 'http', status: 401 }))
    const error = await submitBatch({ report, reuse: 'running' }, deps(acct.api)).catch((e: unknown) => e)
    expect(error).toMatchObject({ inputFileId: undefined })
    expect((error as Error).message).toBe(
      'Could not submit input-file evals.jsonl (listing files and batches): GET /batches answered HTTP 401: bad key. No batch was created.'
    )
  })

  it('logs the warning Together adds to a created batch', async () => {
    const acct = account({ files: [uploaded('file-same')] })
    acct.api.createBatch = async () => ({ job: { id: 'batch-w' }, warning: 'model m is\nbusy' })
    const d = deps(acct.api)
    await submitBatch({ report, reuse: 'running' }, d)
    expect(d.log.text('warning')).toBe("Together's warning about batch batch-w: model m is busy")
  })

  it('uploads again when Together refuses a batch of the earlier upload, which must not block every re-run', async () => {
    const acct = account({ files: [uploaded('file-stale')], createFaults: ['refuse'] })
    const d = deps(acct.api)
    expect(await submitBatch({ report, reuse: 'running' }, d)).toEqual({
      batchId: 'batch-1',
      inputFileId: 'file-new-2',
      created: true,
      uploaded: true
    })
    expect(acct.calls).toEqual([
      'GET /files',
      'GET /batches',
      'POST /batches file-stale',
      `upload ${NAME}`,
      'POST /batches file-new-2'
    ])
    expect(d.log.text('warning')).toBe(
      'Together refused a batch of the earlier upload file-stale: POST /batches answered HTTP 400: bad file. Uploading input-file evals.jsonl again.'
    )
  })

  it('names the file whose upload was begun when the upload fails or is cancelled', async () => {
    const acct = account()
    acct.api.uploadFile = async (_path, _name, options) => {
      options?.onStarted?.('file-half')
      throw new TogetherError('PUT to the signed upload URL at https://s3.test was aborted', { kind: 'aborted' })
    }
    const error = await submitBatch({ report, reuse: 'running' }, deps(acct.api)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SubmitError)
    expect(error).toMatchObject({ inputFileId: undefined })
    expect((error as Error).message).toBe(
      'Could not submit input-file evals.jsonl (uploading): PUT to the signed upload URL at https://s3.test was aborted. No batch was created. The upload of file-half was begun and may be left unfinished in GET /v1/files.'
    )
  })
})
