import { describe, expect, it } from '@jest/globals'
import { contentFileName, identicalFiles, lostBatch, REUSE_MODES, reusableBatch } from '../../src/submit/reuse.js'
import { isPlainId } from '../../src/together/ids.js'
import type { BatchJob } from '../../src/together/types.js'

const SHA = 'fedcba9876543210'.repeat(4)
const CHAT = '/v1/chat/completions'

const batch = (id: string, status: string, extra: Partial<BatchJob> = {}): BatchJob => ({
  id,
  status,
  input_file_id: 'file-a',
  endpoint: CHAT,
  created_at: '2026-01-01T00:00:00Z',
  ...extra
})

describe('contentFileName', () => {
  it.each([
    ['evals/batch.jsonl', 'batch-fedcba9876543210.jsonl'],
    ['evals.JSONL', 'evals-fedcba9876543210.jsonl'],
    ['my evals (v2).jsonl', 'my-evals-v2-fedcba9876543210.jsonl'],
    ['..hidden..jsonl', 'hidden-fedcba9876543210.jsonl'],
    ['évals\u202e.jsonl', 'vals-fedcba9876543210.jsonl'],
    ['.jsonl', 'input-fedcba9876543210.jsonl'],
    [`${'x'.repeat(300)}.jsonl`, `${'x'.repeat(80)}-fedcba9876543210.jsonl`]
  ])('names %j after its content as %j, a plain name', (file, name) => {
    expect(contentFileName(file, SHA)).toBe(name)
    expect(isPlainId(name)).toBe(true)
  })
})

describe('identicalFiles', () => {
  it('keeps uploads of the same name and size for batches, newest first', () => {
    const name = 'evals-fedcba9876543210.jsonl'
    const files = [
      { id: 'old', filename: name, bytes: 10, purpose: 'batch-api', createdAt: 100 },
      { id: 'new', filename: name, bytes: 10, purpose: 'batch-api', createdAt: 200 },
      { id: 'no-purpose', filename: name, bytes: 10 },
      { id: 'short', filename: name, bytes: 9, purpose: 'batch-api', createdAt: 300 },
      { id: 'no-size', filename: name, purpose: 'batch-api', createdAt: 300 },
      { id: 'fine-tune', filename: name, bytes: 10, purpose: 'fine-tune', createdAt: 300 },
      { id: 'other', filename: 'evals.jsonl', bytes: 10, purpose: 'batch-api', createdAt: 300 }
    ]
    expect(identicalFiles(files, name, 10).map(f => f.id)).toEqual(['new', 'old', 'no-purpose'])
  })
})

describe('reusableBatch', () => {
  const files = new Set(['file-a'])

  it.each(['VALIDATING', 'QUEUED', 'PENDING', 'IN_PROGRESS', 'in_progress'])(
    'reuses a %s batch of identical input by default',
    status => {
      expect(reusableBatch([batch('b1', status)], files, CHAT, 'running')?.id).toBe('b1')
    }
  )

  it.each(['FAILED', 'EXPIRED', 'CANCELLED', 'CANCELED', 'CANCELING', 'SOMETHING_NEW', ''])(
    'never reuses a %j batch',
    status => {
      for (const reuse of ['running', 'completed', 'never'] as const) {
        expect(reusableBatch([batch('b1', status)], files, CHAT, reuse)).toBeUndefined()
      }
    }
  )

  it('reuses a COMPLETED batch only with reuse: completed, before a running one', () => {
    const batches = [batch('running', 'IN_PROGRESS'), batch('done', 'COMPLETED')]
    expect(reusableBatch(batches, files, CHAT, 'running')?.id).toBe('running')
    expect(reusableBatch(batches, files, CHAT, 'completed')?.id).toBe('done')
    expect(reusableBatch(batches, files, CHAT, 'never')).toBeUndefined()
  })

  it('takes the newest of several, and a batch with a readable date before one without', () => {
    const batches = [
      batch('undated', 'IN_PROGRESS', { created_at: null }),
      batch('older', 'IN_PROGRESS', { created_at: '2026-01-01T00:00:00Z' }),
      batch('newer', 'IN_PROGRESS', { created_at: '2026-01-02T00:00:00Z' })
    ]
    expect(reusableBatch(batches, files, CHAT, 'running')?.id).toBe('newer')
    expect(reusableBatch([batches[0]!, batches[1]!], files, CHAT, 'running')?.id).toBe('older')
  })

  it('needs the same input file and the same endpoint', () => {
    expect(reusableBatch([batch('b1', 'IN_PROGRESS', { input_file_id: 'file-b' })], files, CHAT, 'running')).toBe(
      undefined
    )
    expect(reusableBatch([batch('b1', 'IN_PROGRESS', { endpoint: '/v1/completions' })], files, CHAT, 'running')).toBe(
      undefined
    )
    expect(reusableBatch([batch('b1', 'IN_PROGRESS', { endpoint: null })], files, CHAT, 'running')).toBeUndefined()
  })
})

describe('lostBatch', () => {
  it('finds the batch of this file that was not there before the create', () => {
    const before = new Set(['earlier'])
    const batches = [
      batch('earlier', 'IN_PROGRESS'),
      batch('other-file', 'VALIDATING', { input_file_id: 'file-b' }),
      batch('other-endpoint', 'VALIDATING', { endpoint: '/v1/completions' }),
      batch('ours', 'VALIDATING', { endpoint: null })
    ]
    expect(lostBatch(batches, 'file-a', CHAT, before)?.id).toBe('ours')
    expect(lostBatch(batches.slice(0, 3), 'file-a', CHAT, before)).toBeUndefined()
  })
})

describe('REUSE_MODES', () => {
  it('knows the three reuse modes, running first (the default)', () => {
    expect(REUSE_MODES).toEqual(['running', 'completed', 'never'])
    expect(REUSE_MODES).toContain('completed')
    expect(REUSE_MODES).not.toContain('always')
  })
})
