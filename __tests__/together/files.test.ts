import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { KEY, client } from './loopback.js'

const BASE = 'https://api.together.test'
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'files-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('TogetherClient files', () => {
  it('reads file metadata', async () => {
    nock(BASE)
      .get('/v1/files/file-1')
      .reply(200, { id: 'file-1', filename: 'out.jsonl', bytes: 42, purpose: 'batch-api' })
    expect(await client().getFile('file-1')).toEqual({ id: 'file-1', filename: 'out.jsonl', bytes: 42 })
  })

  it('streams content to the path with the key, leaving no partial file', async () => {
    const content = '{"a":1}\n{"b":2}\n'
    nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/files/file-1/content')
      .reply(200, content)
    const path = join(dir, 'one.jsonl')
    expect(await client().downloadFile('file-1', path, { expectedBytes: Buffer.byteLength(content) })).toBe(16)
    expect(readFileSync(path, 'utf8')).toBe(content)
    expect(existsSync(`${path}.part`)).toBe(false)
  })

  it('rejects a download whose size differs from the file object, keeping nothing', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(200, 'short')
    const path = join(dir, 'short.jsonl')
    const error = await failure(client().downloadFile('file-1', path, { expectedBytes: 100 }))
    expect(error.kind).toBe('invalid-response')
    expect(error.transient).toBe(true)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(`${path}.part`)).toBe(false)
  })

  it('follows a redirect to storage without the Authorization header', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(302, '', { location: 'https://storage.test/signed?sig=1' })
    const storage = nock('https://storage.test', { badheaders: ['authorization'] })
      .get('/signed')
      .query({ sig: '1' })
      .reply(200, 'from storage\n')
    const path = join(dir, 'redirected.jsonl')
    await client().downloadFile('file-1', path)
    storage.done()
    expect(readFileSync(path, 'utf8')).toBe('from storage\n')
  })

  it('keeps the key on a redirect within the API', async () => {
    nock(BASE)
      .get('/v1/files/file-1/content')
      .reply(307, '', { location: '/v1/files/file-1/content2' })
      .get('/v1/files/file-1/content2')
      .matchHeader('authorization', `Bearer ${KEY}`)
      .reply(200, 'same host\n')
    const path = join(dir, 'same.jsonl')
    await client().downloadFile('file-1', path)
    expect(readFileSync(path, 'utf8')).toBe('same host\n')
  })

  it('reports an HTTP error with the server message, key redacted', async () => {
    nock(BASE)
      .get('/v1/files/file-1/content')
      .reply(404, { error: { message: `no file for ${KEY}` } })
    const error = await failure(client().downloadFile('file-1', join(dir, 'missing.jsonl')))
    expect(error.status).toBe(404)
    expect(error.message).toBe('GET /files/file-1/content answered HTTP 404: no file for ***')
  })
})
