import { describe, expect, it } from '@jest/globals'
import type { ServerResponse } from 'node:http'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { KEY, client, timersLeftBy, withServer } from './loopback.js'

const BASE = 'https://api.together.test'
const api = (options: Parameters<typeof client>[0] = {}) => client({ baseUrl: `${BASE}/v1`, ...options })

const good = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  status: 'in_progress',
  progress: 40,
  model_id: 'Qwen/Qwen3.5-9B',
  input_file_id: 'file-in',
  created_at: '2026-01-01T00:00:00Z',
  ...fields
})

/** A realistic batch object: about 600 bytes of JSON, as the live API answers it. */
const realistic = (i: number) =>
  good(`0b9a${String(i).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`, {
    user_id: 'a3f0c2d1e4b5a6978877665544332211',
    status: 'COMPLETED',
    progress: 100,
    endpoint: '/v1/chat/completions',
    model_id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    input_file_id: `file-${String(i).padStart(8, '0')}-aaaa-bbbb-cccc-000000000000`,
    output_file_id: `file-${String(i).padStart(8, '0')}-dddd-eeee-ffff-111111111111`,
    error_file_id: null,
    error: null,
    file_size_bytes: 1_234_567,
    job_deadline: '2026-01-02T00:00:00Z',
    completed_at: '2026-01-01T03:00:00Z'
  })

describe('TogetherClient.listBatches', () => {
  it('lists every batch of the account from a bare array, parsed like a single answer', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/batches')
      .reply(200, [good('b1'), good('b2', { status: 'COMPLETED', progress: '100', output_file_id: 'file-out' })])
    expect(await api().listBatches()).toEqual([
      { ...good('b1'), status: 'IN_PROGRESS' },
      { ...good('b2'), status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }
    ])
    scope.done()
  })

  it('reads the null of an account without batches as an empty list', async () => {
    nock(BASE).get('/v1/batches').reply(200, 'null', { 'content-type': 'application/json' })
    expect(await api().listBatches()).toEqual([])
  })

  it.each([
    ['an output file ID that is not plain', { output_file_id: '../etc/passwd' }],
    ['an error file ID with a line break', { error_file_id: 'file-e\n::error::x' }],
    ['an ID that is not plain', { id: 'b1/../b2' }],
    ['an ID that is a number', { id: 1 }],
    ['no ID', { id: null }]
  ])('leaves out an entry with %s, and keeps the others', async (_case, fields) => {
    nock(BASE)
      .get('/v1/batches')
      .reply(200, [good('b0'), good('b1', fields), 'not a batch', 42, null, [], good('b2')])
    expect((await api().listBatches()).map(job => job.id)).toEqual(['b0', 'b2'])
  })

  it('parses an entry like a single answer: fields of the wrong type dropped, text kept for the caller to judge', async () => {
    const fields = { output_file_id: 12, progress: 'most', status: 'completed\n::error::forged', error: 'a\r\nb' }
    nock(BASE)
      .get('/v1/batches')
      .reply(200, [good('b1', fields)])
    const [job] = await api().listBatches()
    expect(job).toEqual({ ...good('b1'), progress: undefined, status: 'COMPLETED\n::ERROR::FORGED', error: 'a\r\nb' })
    expect(job).not.toHaveProperty('output_file_id')
  })

  it('reads an OpenAI-style {"data": [...]} too', async () => {
    nock(BASE)
      .get('/v1/batches')
      .reply(200, { object: 'list', data: [good('b1'), good('b2', { id: '../x' })] })
    expect((await api().listBatches({ only: new Set(['b1']) })).map(job => job.id)).toEqual(['b1'])
  })

  it('keeps only the entries of the batches asked for, and still refuses a list that is not JSON', async () => {
    nock(BASE)
      .get('/v1/batches')
      .reply(200, [good('b0'), good('b1'), 'other', good('b2', { output_file_id: '../x' }), good('b3')])
      .get('/v1/batches')
      .reply(200, `[${JSON.stringify(good('b1'))},{"id":"b9",}]`, { 'content-type': 'application/json' })
    const only = new Set(['b1', 'b2', 'b3', 'b4'])
    expect((await api().listBatches({ only })).map(job => job.id)).toEqual(['b1', 'b3'])
    expect((await failure(api().listBatches({ only }))).kind).toBe('invalid-response')
  })

  it('redacts the key from every entry before anything else reads it', async () => {
    const escaped = Array.from(KEY, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const body = `[{"id":"b1","status":"FAILED","error":"bad key ${escaped}","model_id":"${KEY}"}]`
    nock(BASE).get('/v1/batches').reply(200, body, { 'content-type': 'application/json' })
    const [job] = await api().listBatches()
    expect(job).toMatchObject({ error: 'bad key ***', model_id: '***' })
    expect(JSON.stringify(job)).not.toContain(KEY)
  })

  it.each([
    ['an object', '{"batches":[]}', 'something that is not a list of batches'],
    ['an error', '{"error":"x"}', 'something that is not a list of batches'],
    ['a string', '"[]"', 'something that is not a list of batches'],
    ['no body', '', 'with a body that is not JSON'],
    ['broken JSON', '[{"id":"b1"},{"id":', 'with a body that is not JSON'],
    ['an element that is not JSON', '[{"id" "b1"}]', 'with a body that is not JSON']
  ])('refuses %s as an invalid response', async (_case, body, message) => {
    nock(BASE).get('/v1/batches').reply(200, body, { 'content-type': 'application/json' })
    const error = await failure(api().listBatches())
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toContain(message)
  })

  it.each([
    ['declared as HTML', '[]', { 'content-type': 'text/html' }],
    ['a page that says it is JSON', '<!doctype html><p>login</p>', { 'content-type': 'application/json' }]
  ])('refuses an HTML page %s', async (_case, body, headers) => {
    nock(BASE).get('/v1/batches').reply(200, body, headers)
    const error = await failure(api().listBatches())
    expect(error).toMatchObject({ kind: 'invalid-response', html: true })
  })

  it('carries the status, server message and retry-after of an HTTP error, reading a bounded part of its body', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' })
        res.write(`{"error":"slow down","pad":"`)
        // An error body that never ends: the client reads its first 64 KiB, then stops.
        const timer = setInterval(() => res.write('x'.repeat(16 * 1024)), 1)
        res.on('close', () => clearInterval(timer))
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl }).listBatches())
        expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 7000 })
        const more =
          /^GET \/batches answered HTTP 429 with more than 64 KiB \(the rest was not read\): \{"error":"slow down","pad":"x+… \((\d+) more characters\)$/
        // What was read of the body: its first 64 KiB, cut for the message.
        expect(Number(more.exec(error.message)?.[1]) + 500).toBeLessThanOrEqual(64 * 1024)
      }
    )
  })

  it('refuses an answer whose announced size is over the bound before reading it', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * 1024 ** 2) })
        res.write('[')
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl, listMaxBytes: 1024 ** 2 }).listBatches())
        expect(error.kind).toBe('unsupported-response')
        expect(error.message).toBe(
          `GET /batches answered ${64 * 1024 ** 2} bytes, more than the ${1024 ** 2} the action reads of a batch list; it is not used`
        )
      }
    )
  })

  it('stops reading an answer of unannounced size once it passes the bound', async () => {
    let sent = 0
    await withServer(
      (_req, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('[')
        const entry = `${JSON.stringify(realistic(1))},`
        const more = (): void => {
          while (sent < 64 * 1024 ** 2 && res.write(entry.repeat(100))) sent += entry.length * 100
        }
        res.on('drain', more)
        more()
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl, listMaxBytes: 1024 ** 2 }).listBatches())
        expect(error.message).toBe(
          `GET /batches answered more than ${1024 ** 2} bytes, more than the ${1024 ** 2} the action reads of a batch list; it is not used`
        )
      }
    )
    expect(sent).toBeLessThan(8 * 1024 ** 2)
  })

  it('reads a busy account of 6,000 batches within the default bound', async () => {
    const body = JSON.stringify(Array.from({ length: 6000 }, (_, i) => realistic(i)))
    expect(body.length).toBeGreaterThan(2.5 * 1024 ** 2)
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(body)
      },
      async baseUrl => {
        const jobs = await client({ baseUrl }).listBatches()
        expect(jobs).toHaveLength(6000)
        expect(jobs[5999]).toMatchObject({ status: 'COMPLETED', output_file_id: expect.stringMatching(/^file-/) })
      }
    )
  })

  it('bounds the whole list in time, however steadily it trickles, and leaves no timer behind', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('[')
        const timer = setInterval(() => res.write(' '), 5)
        res.on('close', () => clearInterval(timer))
      },
      async baseUrl => {
        const list = client({ baseUrl })
        let error: Awaited<ReturnType<typeof failure>> | undefined
        expect(await timersLeftBy(async () => (error = await failure(list.listBatches({ timeoutMs: 300 }))))).toBe(0)
        expect(error).toMatchObject({ kind: 'timeout', message: 'GET /batches got no answer within 1s' })
      }
    )
  })

  it("stops when the caller's signal aborts", async () => {
    await withServer(
      () => undefined,
      async baseUrl => {
        const controller = new AbortController()
        const pending = client({ baseUrl }).listBatches({ signal: controller.signal })
        controller.abort()
        expect((await failure(pending)).kind).toBe('aborted')
      }
    )
  })
})
