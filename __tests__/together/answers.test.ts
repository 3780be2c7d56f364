import { describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { parseRetryAfter } from '../../src/together/answers.js'
import { failure } from '../helpers/errors.js'
import { HUNG_UP_BELOW, endless, type Sent } from '../helpers/hostile-server.js'
import { KEY, client, withServer } from './loopback.js'

const BASE = 'https://api.together.test'

describe('IDs in answers', () => {
  it.each(['id', 'output_file_id', 'error_file_id', 'input_file_id'])(
    'refuses a batch whose %s is not a plain ID, naming the field and the batch',
    async field => {
      nock(BASE)
        .get('/v1/batches/b1')
        .reply(200, { id: 'b1', status: 'COMPLETED', [field]: '..\n::error::x' })
      const error = await failure(client().getBatch('b1'))
      expect(error.kind).toBe('invalid-id')
      expect(error.transient).toBe(false)
      expect(error.message).toBe(
        `Together answered GET /batches/b1 with an invalid ${field} ("..\\n::error::x", not a plain ID); it is not used`
      )
    }
  )

  it('checks the answer to a cancel too', async () => {
    nock(BASE).post('/v1/batches/b1/cancel').reply(200, { id: 'b1', output_file_id: 'a/b' })
    expect((await failure(client().cancelBatch('b1'))).message).toContain(
      'POST /batches/b1/cancel with an invalid output_file_id'
    )
  })

  it('takes null and empty file IDs as no file', async () => {
    nock(BASE).get('/v1/batches/b1').reply(200, { id: 'b1', output_file_id: '', error_file_id: null })
    expect(await client().getBatch('b1')).toEqual({ id: 'b1', output_file_id: '', error_file_id: null })
  })

  it.each([
    ['GET', (api: ReturnType<typeof client>) => api.getBatch('b1'), 'GET /batches/b1'],
    ['POST', (api: ReturnType<typeof client>) => api.cancelBatch('b1'), 'POST /batches/b1/cancel']
  ])('refuses a %s answer about another batch, naming both', async (method, send, what) => {
    const scope = nock(BASE)
    ;(method === 'GET' ? scope.get('/v1/batches/b1') : scope.post('/v1/batches/b1/cancel')).reply(200, {
      id: 'b2',
      status: 'COMPLETED',
      output_file_id: 'file-of-b2'
    })
    const error = await failure(send(client()))
    expect(error.kind).toBe('wrong-batch')
    expect(error.transient).toBe(false)
    expect(error.message).toBe(`Together answered ${what} with batch b2 instead of b1; the answer is not used`)
  })

  it('accepts an answer without an id, and shows an odd requested id escaped', async () => {
    nock(BASE)
      .get('/v1/batches/b1')
      .reply(200, { status: 'IN_PROGRESS' })
      .get('/v1/batches/a%0Ab')
      .reply(200, { id: 'b2' })
    expect((await client().getBatch('b1')).status).toBe('IN_PROGRESS')
    expect((await failure(client().getBatch('a\nb'))).message).toBe(
      'Together answered GET /batches/"a\\nb" with batch b2 instead of "a\\nb"; the answer is not used'
    )
  })
})

describe('HTML answers', () => {
  it.each([
    ['a body opening with a tag', '  <!doctype html><p>Not Found</p>', {}],
    ['an HTML content type', 'Not Found', { 'content-type': 'text/html; charset=utf-8' }]
  ])('marks an error page (%s) as HTML', async (_case, body, headers) => {
    nock(BASE).get('/v1/batches/b1').reply(404, body, headers)
    const error = await failure(client().getBatch('b1'))
    expect(error).toMatchObject({ kind: 'http', status: 404, html: true, serverMessage: 'HTML error page' })
    expect(error.message).toBe('GET /batches/b1 answered HTTP 404: HTML error page')
  })

  it('does not mark a JSON error as HTML', async () => {
    nock(BASE).get('/v1/batches/b1').reply(404, { error: 'no such batch' })
    expect((await failure(client().getBatch('b1'))).html).toBe(false)
  })

  it('reads a 200 web page as an invalid response from something that is not the API', async () => {
    nock(BASE).get('/v1/batches/b1').reply(200, '<html><body>Welcome</body></html>', { 'content-type': 'text/html' })
    const error = await failure(client().getBatch('b1'))
    expect(error).toMatchObject({ kind: 'invalid-response', html: true, transient: true })
    expect(error.message).toBe(
      'GET /batches/b1 answered HTTP 200 with an HTML page, not the Together API; check the base URL'
    )
  })

  it('keeps JSON that is not a batch an invalid response, not HTML', async () => {
    nock(BASE).get('/v1/batches/b1').reply(200, { data: [] })
    expect(await failure(client().getBatch('b1'))).toMatchObject({
      kind: 'invalid-response',
      html: false,
      transient: true
    })
  })
})

describe('404s about the route, not the batch', () => {
  it.each([
    ['a router saying "no route"', '/v1/batches/b1', { error: 'no route for GET /v1/batches/b1' }, {}],
    ["Go's default 404", '/v1/batches/b1', '404 page not found', { 'content-type': 'text/plain' }],
    ["Express's 404", '/v1/batches/b1', 'Cannot GET /v1/batches/b1', { 'content-type': 'text/plain' }],
    ['an HTML page', '/v1/batches/b1', '<html><body>Not Found</body></html>', { 'content-type': 'text/html' }]
  ])('marks %s as a route the server does not know', async (_case, path, body, headers) => {
    nock(BASE).get(path).reply(404, body, headers)
    expect(await failure(client().getBatch('b1'))).toMatchObject({ status: 404, routeUnknown: true })
  })

  it('marks any 404 as about the route when base-url has no version segment such as /v1', async () => {
    nock(BASE).get('/batches/b1').reply(404, { error: 'batch not found' })
    const error = await failure(client({ baseUrl: BASE }).getBatch('b1'))
    expect(error).toMatchObject({ status: 404, routeUnknown: true, serverMessage: 'batch not found' })
  })

  it('keeps a JSON 404 under /v1 about the batch', async () => {
    nock(BASE).get('/v1/batches/b1').reply(404, { error: 'batch not found' })
    expect(await failure(client().getBatch('b1'))).toMatchObject({ status: 404, routeUnknown: false })
  })

  it('never marks another status as about the route', async () => {
    nock(BASE).get('/v1/batches/b1').reply(400, { error: 'no route' })
    expect(await failure(client().getBatch('b1'))).toMatchObject({ status: 400, routeUnknown: false })
  })
})

describe('redaction', () => {
  const escaped = `\\u0074${KEY.slice(1)}`

  it('redacts a key the server JSON-escaped, in batch fields and their names', async () => {
    nock(BASE)
      .get('/v1/batches/b1')
      .reply(200, `{"id":"b1","status":"FAILED","error":"key ${escaped} revoked","${escaped}":1}`, {
        'content-type': 'application/json'
      })
    const job = await client().getBatch('b1')
    expect(job.error).toBe('key *** revoked')
    expect(JSON.stringify(job)).not.toContain(KEY)
  })

  it.each([
    ['a JSON message, escaped', `{"error":"bad key ${escaped}"}`, 'GET /batches/b1 answered HTTP 401: bad key ***'],
    ['plain text, escaped', `bad key ${escaped}`, 'GET /batches/b1 answered HTTP 401: bad key ***'],
    ['plain text, URL-encoded', `bad key ${encodeURIComponent(KEY)}`, 'GET /batches/b1 answered HTTP 401: bad key ***']
  ])('redacts the key from an error message from %s', async (_case, body, message) => {
    nock(BASE).get('/v1/batches/b1').reply(401, body)
    const error = await failure(client().getBatch('b1'))
    expect(error.message).toBe(message)
    expect(error.serverMessage).toBe('bad key ***')
  })

  it('redacts the other secrets it is given like the key', async () => {
    const token = 'ghs_other_secret_0123'
    nock(BASE)
      .get('/v1/batches/b1')
      .reply(200, { id: 'b1', status: 'FAILED', error: `token ${token} and ${encodeURIComponent(token)}` })
      .get('/v1/batches/b2')
      .reply(500, { error: { message: `token ${token}` } })
    const secretive = client({ secrets: [token] })
    expect((await secretive.getBatch('b1')).error).toBe('token *** and ***')
    expect((await failure(secretive.getBatch('b2'))).message).toBe('GET /batches/b2 answered HTTP 500: token ***')
  })

  it('redacts the key from the Location of a redirect it does not follow', async () => {
    nock(BASE)
      .get('/v1/batches/b1')
      .reply(302, '', { location: `https://elsewhere.test/?k=${encodeURIComponent(KEY)}&raw=${KEY}` })
    const error = await failure(client().getBatch('b1'))
    expect(error.message).toBe(
      'GET /batches/b1 was redirected (HTTP 302 to https://elsewhere.test/?k=***&raw=***); redirects are not followed so the API key stays with the API'
    )
  })
})

describe('bounded bodies', () => {
  it('reads at most 64 KiB of an error answer that never ends, keeping its status and saying it was cut', async () => {
    const sent: Sent = { bytes: 0 }
    await withServer(endless(503, `{"error":"busy, key ${KEY}","pad":"`, sent), async baseUrl => {
      const error = await failure(client({ baseUrl }).getBatch('b1'))
      expect(error).toMatchObject({ kind: 'http', status: 503, transient: true })
      expect(error.message).toMatch(
        /^GET \/batches\/b1 answered HTTP 503 with more than 64 KiB \(the rest was not read\): \{"error":"busy, key \*\*\*","pad":"x+… \(\d+ more characters\)$/
      )
      expect(`${error.message} ${error.serverMessage ?? ''}`).not.toContain(KEY)
    })
    expect(sent.bytes).toBeLessThan(HUNG_UP_BELOW)
  })

  it('never shows the half of a key that the bound cut through', async () => {
    // Spaces collapse to one, so without care the text at the bound would be quoted: the key starts 6 bytes before it.
    const head = `{"error":"`
    const body = `${head}${' '.repeat(64 * 1024 - head.length - 6)}${KEY}${' '.repeat(1000)}"}`
    nock(BASE).get('/v1/batches/b1').reply(500, body)
    const error = await failure(client().getBatch('b1'))
    expect(error.message).toBe(
      'GET /batches/b1 answered HTTP 500 with more than 64 KiB (the rest was not read): {"error":"'
    )
    expect(error.message).not.toContain(KEY.slice(0, 6))
  })

  it('reads an error answer of exactly 64 KiB whole, as not cut', async () => {
    const message = 'm'.repeat(64 * 1024 - '{"error":""}'.length)
    nock(BASE).get('/v1/batches/b1').reply(500, `{"error":"${message}"}`)
    const error = await failure(client().getBatch('b1'))
    expect(error.message).toMatch(/^GET \/batches\/b1 answered HTTP 500: m+… \(\d+ more characters\)$/)
  })

  it('keeps the status of an error answer whose body breaks off, without its text', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(503, { 'content-type': 'application/json', 'content-length': '1000', 'retry-after': '4' })
        res.write('{"error":"bus', () => res.socket?.destroy())
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl }).getBatch('b1'))
        expect(error).toMatchObject({ kind: 'http', status: 503, retryAfterMs: 4000, transient: true })
        expect(error.message).toBe('GET /batches/b1 answered HTTP 503')
      }
    )
  })

  it('refuses a 2xx answer that never ends as an invalid response, past 4 MiB', async () => {
    const sent: Sent = { bytes: 0 }
    await withServer(endless(200, `{"id":"b1","status":"IN_PROGRESS","pad":"`, sent), async baseUrl => {
      const error = await failure(client({ baseUrl }).getBatch('b1'))
      expect(error).toMatchObject({ kind: 'invalid-response' })
      expect(error.message).toBe(
        `GET /batches/b1 answered more than ${4 * 1024 ** 2} bytes, more than the ${4 * 1024 ** 2} the action reads of one answer; it is not used`
      )
    })
    expect(sent.bytes).toBeLessThan(4 * 1024 ** 2 + HUNG_UP_BELOW)
  })

  it('refuses a 2xx answer whose announced size is over 4 MiB before reading it', async () => {
    const big = 50 * 1024 ** 2
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big) })
        res.write('{"id":"b1",')
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl }).getFile('file-1'))
        expect(error).toMatchObject({ kind: 'invalid-response' })
        expect(error.message).toBe(
          `GET /files/file-1 answered ${big} bytes, more than the ${4 * 1024 ** 2} the action reads of one answer; it is not used`
        )
      }
    )
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
