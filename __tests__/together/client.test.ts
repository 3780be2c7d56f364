import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { HUNG_UP_BELOW, endless, type Sent } from '../helpers/hostile-server.js'
import { encodeId } from '../../src/together/ids.js'
import type { TogetherClient } from '../../src/together/client.js'
import { KEY, client as loopbackClient, withServer } from './loopback.js'

const BASE = 'https://api.together.test'
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'))

function client(options: Parameters<typeof loopbackClient>[0] = {}): TogetherClient {
  return loopbackClient({ baseUrl: `${BASE}/v1/`, userAgent: 'wait-for-together-batch/9.9.9', ...options })
}

describe('TogetherClient', () => {
  it('gets a batch with bearer auth and a user agent naming the action', async () => {
    const scope = nock(BASE, {
      reqheaders: { authorization: `Bearer ${KEY}`, 'user-agent': 'wait-for-together-batch/9.9.9' }
    })
      .get('/v1/batches/01234567-8901-2345-6789-012345678901')
      .reply(200, fixture('batch-in-progress'))
    const job = await client().getBatch('01234567-8901-2345-6789-012345678901')
    expect(job).toMatchObject({ status: 'IN_PROGRESS', progress: 75, model_id: 'Qwen/Qwen3.5-9B' })
    scope.done()
  })

  it('cancels a batch with POST /batches/{id}/cancel', async () => {
    const scope = nock(BASE).post('/v1/batches/b1/cancel').reply(200, { id: 'b1', status: 'CANCELING' })
    expect((await client().cancelBatch('b1')).status).toBe('CANCELING')
    scope.done()
  })

  it('path-encodes ids so they cannot reach another endpoint', async () => {
    expect(encodeId('../files/x')).toBe('%2E%2E%2Ffiles%2Fx')
    const scope = nock(BASE).get('/v1/batches/%2E%2E%2Ffiles%2Fx').reply(404, { error: 'not found' })
    const error = await failure(client().getBatch('../files/x'))
    expect(error.status).toBe(404)
    scope.done()
  })

  it.each([
    [{ error: 'Batch not found' }, 'Batch not found'],
    [{ error: { message: 'Invalid API key', type: 'invalid_request_error' } }, 'Invalid API key'],
    ['<html><h1>502 Bad Gateway</h1></html>', 'HTML error page']
  ])('carries the status and server message of error body %j', async (body, message) => {
    nock(BASE).get('/v1/batches/b1').reply(401, body)
    const error = await failure(client().getBatch('b1'))
    expect(error.kind).toBe('http')
    expect(error.status).toBe(401)
    expect(error.serverMessage).toBe(message)
    expect(error.message).toBe(`GET /batches/b1 answered HTTP 401: ${message}`)
    expect(error.transient).toBe(false)
  })

  it.each([
    [408, true],
    [409, true],
    [425, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [403, false],
    [404, false]
  ])('classifies HTTP %i as transient=%s', async (status, transient) => {
    nock(BASE).get('/v1/batches/b1').reply(status, { error: 'x' })
    expect((await failure(client().getBatch('b1'))).transient).toBe(transient)
  })

  it('reads retry-after from a 429', async () => {
    nock(BASE).get('/v1/batches/b1').reply(429, { error: 'slow down' }, { 'retry-after': '12' })
    expect((await failure(client().getBatch('b1'))).retryAfterMs).toBe(12_000)
  })

  it('redacts the API key when the server echoes it back', async () => {
    nock(BASE)
      .get('/v1/batches/b1')
      .reply(500, { error: `bad header Bearer ${KEY}` })
      .get('/v1/batches/b2')
      .reply(200, { id: 'b2', status: 'FAILED', error: `key ${KEY} revoked` })
    const error = await failure(client().getBatch('b1'))
    expect(error.message).not.toContain(KEY)
    expect(error.message).toContain('Bearer ***')
    expect((await client().getBatch('b2')).error).toBe('key *** revoked')
  })

  it('treats a 200 that is not JSON, or not a batch, as a transient invalid response', async () => {
    nock(BASE).get('/v1/batches/b1').reply(200, '<html>oops</html>').get('/v1/batches/b1').reply(200, 'null')
    const notJson = await failure(client().getBatch('b1'))
    expect(notJson.kind).toBe('invalid-response')
    expect(notJson.transient).toBe(true)
    expect((await failure(client().getBatch('b1'))).message).toContain('not a batch object')
  })

  it('does not follow a redirect, so the key never goes to another host', async () => {
    const scope = nock(BASE).get('/v1/batches/b1').reply(302, '', { location: 'https://elsewhere.test/steal' })
    const elsewhere = nock('https://elsewhere.test').get('/steal').reply(200, { status: 'COMPLETED' })
    const error = await failure(client().getBatch('b1'))
    expect(error.status).toBe(302)
    expect(error.message).toContain('redirects are not followed')
    expect(error.transient).toBe(false)
    scope.done()
    expect(elsewhere.isDone()).toBe(false)
  })

  it('reports a reset connection as a transient network error', async () => {
    await withServer(
      req => req.socket.destroy(),
      async baseUrl => {
        const error = await failure(client({ baseUrl }).getBatch('b1'))
        expect(error.kind).toBe('network')
        expect(error.transient).toBe(true)
        expect(error.message).toMatch(/^GET \/batches\/b1 failed: /)
      }
    )
  })

  it('bounds each request by its timeout when the server never answers', async () => {
    await withServer(
      () => undefined,
      async baseUrl => {
        const error = await failure(client({ baseUrl }).getBatch('b1', { timeoutMs: 20 }))
        expect(error.kind).toBe('timeout')
        expect(error.transient).toBe(true)
        expect(error.message).toBe('GET /batches/b1 got no answer within 1s')
      }
    )
  })

  it("stops at once when the caller's signal aborts, and says so", async () => {
    await withServer(
      () => undefined,
      async baseUrl => {
        const controller = new AbortController()
        const pending = client({ baseUrl }).getBatch('b1', { signal: controller.signal })
        controller.abort()
        const error = await failure(pending)
        expect(error.kind).toBe('aborted')
        expect(error.transient).toBe(false)
      }
    )
  })

  it('closes its own connections and refuses requests afterwards', async () => {
    const api = client()
    await api.close()
    await api.close()
    expect((await failure(api.getBatch('b1'))).kind).toBe('network')
  })
})

describe('TogetherClient submit side', () => {
  it('lists files and batches with the key', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/files')
      .reply(200, { object: 'list', data: [{ id: 'file-1', filename: 'a.jsonl', bytes: 3 }] })
      .get('/v1/batches')
      .reply(200, 'null', { 'content-type': 'application/json' })
    const api = client()
    expect(await api.listFiles()).toEqual([{ id: 'file-1', filename: 'a.jsonl', bytes: 3 }])
    expect(await api.listBatches()).toEqual([])
    scope.done()
  })

  it('refuses list answers that are not lists', async () => {
    nock(BASE).get('/v1/files').reply(200, { error: 'x' }).get('/v1/batches').reply(200, { id: 'b1' })
    expect((await failure(client().listFiles())).message).toBe(
      'Together answered GET /files with something that is not a list of files'
    )
    expect((await failure(client().listBatches())).kind).toBe('invalid-response')
  })

  it('creates a batch with POST /batches {input_file_id, endpoint} and reads {job, warning}', async () => {
    const scope = nock(BASE, { reqheaders: { 'content-type': 'application/json' } })
      .post('/v1/batches', { input_file_id: 'file-1', endpoint: '/v1/chat/completions' })
      .reply(201, { job: { id: 'b1', status: 'VALIDATING', input_file_id: 'file-1' }, warning: 'w' })
    expect(await client().createBatch('file-1', '/v1/chat/completions')).toEqual({
      job: { id: 'b1', status: 'VALIDATING', input_file_id: 'file-1' },
      warning: 'w'
    })
    scope.done()
  })

  it('refuses to create a batch of a file ID that is not plain, before any request', async () => {
    expect((await failure(client().createBatch('../files', '/v1/chat/completions'))).kind).toBe('invalid-id')
  })

  it('reports a lost create answer as transient, so the caller lists before creating again', async () => {
    await withServer(
      req => req.socket.destroy(),
      async baseUrl => {
        const error = await failure(client({ baseUrl }).createBatch('file-1', '/v1/chat/completions'))
        expect(error).toMatchObject({ kind: 'network', transient: true })
      }
    )
  })

  it('reads at most 64 KiB of an error answer to a create that never ends, transient so the caller lists first', async () => {
    const sent: Sent = { bytes: 0 }
    await withServer(endless(502, `{"error":{"message":"gateway ${KEY}`, sent), async baseUrl => {
      const error = await failure(client({ baseUrl }).createBatch('file-1', '/v1/chat/completions'))
      expect(error).toMatchObject({ kind: 'http', status: 502, transient: true })
      expect(error.message).toMatch(
        /^POST \/batches answered HTTP 502 with more than 64 KiB \(the rest was not read\): \{"error":\{"message":"gateway \*\*\*x+… \(\d+ more characters\)$/
      )
      expect(error.message).not.toContain(KEY)
    })
    expect(sent.bytes).toBeLessThan(HUNG_UP_BELOW)
  })

  it("reads a busy account's files list past the 4 MiB of one answer, within the 16 MiB of a list", async () => {
    const data = Array.from({ length: 30_000 }, (_, i) => ({
      id: `file-${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`,
      filename: `evals-${i}.jsonl`,
      bytes: 1_234_567,
      purpose: 'batch-api',
      created_at: 1767225600
    }))
    const body = JSON.stringify({ object: 'list', data })
    expect(body.length).toBeGreaterThan(4 * 1024 ** 2)
    nock(BASE).get('/v1/files').reply(200, body, { 'content-type': 'application/json' })
    expect(await client().listFiles()).toHaveLength(30_000)
  })
})

describe('TogetherClient files', () => {
  it('reads file metadata', async () => {
    nock(BASE)
      .get('/v1/files/file-1')
      .reply(200, { id: 'file-1', filename: 'out.jsonl', bytes: 42, purpose: 'batch-api' })
    expect(await client().getFile('file-1')).toEqual({
      id: 'file-1',
      filename: 'out.jsonl',
      bytes: 42,
      purpose: 'batch-api'
    })
  })

  it('drops fields of the wrong type as a files list does: a size that is no whole number of bytes is no size', async () => {
    nock(BASE).get('/v1/files/file-1').reply(200, { id: 'file-1', bytes: '42', filename: 7 })
    nock(BASE).get('/v1/files/file-2').reply(200, { bytes: 1.5 })
    expect(await client().getFile('file-1')).toEqual({ id: 'file-1' })
    expect(await client().getFile('file-2')).toEqual({})
  })
})

describe('TogetherClient.listModels', () => {
  const llama = {
    id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    pricing: { hourly: 0, input: 0.88, output: 0.88, base: 0, finetune: 0 }
  }

  it('gets /v1/models with the key and parses the bare array', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/models')
      .reply(200, [llama, { id: 'broken', pricing: 'n/a' }])
    expect(await client().listModels()).toEqual([
      { id: llama.id, pricing: { input: 0.88, output: 0.88 } },
      { id: 'broken' }
    ])
    scope.done()
  })

  it('answers an empty list for null', async () => {
    nock(BASE).get('/v1/models').reply(200, 'null', { 'content-type': 'application/json' })
    expect(await client().listModels()).toEqual([])
  })

  it('rejects an answer that is not a list as an invalid response', async () => {
    nock(BASE).get('/v1/models').reply(200, { error: 'nope' })
    const error = await failure(client().listModels())
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toBe('Together answered GET /models with something that is not a list of models')
  })

  it('stops at once when the caller aborts', async () => {
    nock(BASE).get('/v1/models').delay(60_000).reply(200, [])
    const abort = new AbortController()
    const pending = client().listModels({ signal: abort.signal, timeoutMs: 30_000 })
    abort.abort()
    expect((await failure(pending)).kind).toBe('aborted')
  })
})
