import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { HUNG_UP_BELOW, endless, type Sent } from '../helpers/hostile-server.js'
import { KEY, client, withServer } from './loopback.js'

const BASE = 'https://api.together.test'
const CONTENT = '{"custom_id":"a","response":{"status_code":200}}\n'.repeat(50)
let dir: string
let n = 0
const target = (): string => join(dir, `file-${++n}.jsonl`)
const leftovers = (path: string): boolean => existsSync(path) || existsSync(`${path}.part`)

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'download-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('downloading a file', () => {
  it('streams content to the path with the key, leaving no partial file', async () => {
    const content = '{"a":1}\n{"b":2}\n'
    nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/files/file-1/content')
      .reply(200, content)
    const path = target()
    expect(await client().downloadFile('file-1', path, { expectedBytes: Buffer.byteLength(content) })).toBe(16)
    expect(readFileSync(path, 'utf8')).toBe(content)
    expect(existsSync(`${path}.part`)).toBe(false)
  })

  it('rejects a download whose size differs from the file object, keeping nothing', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(200, 'short')
    const path = target()
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
    const path = target()
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
    const path = target()
    await client().downloadFile('file-1', path)
    expect(readFileSync(path, 'utf8')).toBe('same host\n')
  })

  it('reports an HTTP error with the server message, key redacted', async () => {
    nock(BASE)
      .get('/v1/files/file-1/content')
      .reply(404, { error: { message: `no file for ${KEY}` } })
    const error = await failure(client().downloadFile('file-1', target()))
    expect(error.status).toBe(404)
    expect(error.message).toBe('GET /files/file-1/content answered HTTP 404: no file for ***')
  })

  it('reads at most 64 KiB of an error answer that never ends, keeping its status and no file', async () => {
    const sent: Sent = { bytes: 0 }
    const path = target()
    await withServer(endless(503, `{"error":"storage busy for ${KEY}","pad":"`, sent), async baseUrl => {
      const error = await failure(client({ baseUrl }).downloadFile('file-1', path))
      expect(error).toMatchObject({ kind: 'http', status: 503, transient: true })
      expect(error.message).toMatch(
        /^GET \/files\/file-1\/content answered HTTP 503 with more than 64 KiB \(the rest was not read\): \{"error":"storage busy for \*\*\*","pad":"x+… \(\d+ more characters\)$/
      )
      expect(error.message).not.toContain(KEY)
      expect(leftovers(path)).toBe(false)
    })
    expect(sent.bytes).toBeLessThan(HUNG_UP_BELOW)
  })
})

describe('content encoding', () => {
  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['gzip, br', (b: Buffer) => brotliCompressSync(gzipSync(b))]
  ])('asks for identity, and still saves plain JSONL when the server sends %s', async (encoding, encode) => {
    nock(BASE, { reqheaders: { 'accept-encoding': 'identity' } })
      .get('/v1/files/file-1/content')
      .reply(200, encode(Buffer.from(CONTENT)), { 'content-encoding': encoding })
    const path = target()
    const bytes = await client().downloadFile('file-1', path, { expectedBytes: Buffer.byteLength(CONTENT) })
    expect(bytes).toBe(Buffer.byteLength(CONTENT))
    expect(readFileSync(path, 'utf8')).toBe(CONTENT)
  })

  it('refuses an encoding it cannot decode, for good', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(200, 'zz', { 'content-encoding': 'zstd' })
    const path = target()
    const error = await failure(client().downloadFile('file-1', path))
    expect(error).toMatchObject({ kind: 'unsupported-response', transient: false })
    expect(error.message).toBe(
      'GET /files/file-1/content answered with Content-Encoding "zstd", which the client cannot decode'
    )
    expect(leftovers(path)).toBe(false)
  })

  it('reads a body that does not decode as an invalid response, keeping nothing', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(200, 'not gzip at all', { 'content-encoding': 'gzip' })
    const path = target()
    const error = await failure(client().downloadFile('file-1', path))
    expect(error).toMatchObject({ kind: 'invalid-response', transient: true })
    expect(error.message).toMatch(/^GET \/files\/file-1\/content could not be decoded: /)
    expect(leftovers(path)).toBe(false)
  })

  it('stops as soon as more arrives than the file object announced', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200)
        res.write(CONTENT) // and never ends: only the size check stops it
      },
      async baseUrl => {
        const path = target()
        const error = await failure(client({ baseUrl }).downloadFile('file-1', path, { expectedBytes: 10 }))
        expect(error).toMatchObject({
          kind: 'invalid-response',
          message: 'GET /files/file-1/content delivered more than the 10 bytes expected'
        })
        expect(leftovers(path)).toBe(false)
      }
    )
  })
})

describe('a file of unknown size', () => {
  it('stops past the bound given with the call, with a gzip bomb too', async () => {
    await withServer(
      (_req, res) => {
        // 2,500 bytes of JSONL in 100-odd bytes of gzip; the bound counts what is written to disk.
        res.writeHead(200, { 'content-encoding': 'gzip' })
        res.write(gzipSync(Buffer.from(CONTENT)))
        // and never ends: only the size bound stops it
      },
      async baseUrl => {
        const path = target()
        const error = await failure(client({ baseUrl }).downloadFile('file-1', path, { maxBytes: 1000 }))
        expect(error).toMatchObject({
          kind: 'unsupported-response',
          transient: false,
          message:
            'GET /files/file-1/content delivered more than 1000 bytes, the most the action downloads of a file whose size Together does not give'
        })
        expect(leftovers(path)).toBe(false)
      }
    )
  })

  it('a size announced past the bound is refused before any request: the same server gives both', async () => {
    // No interceptor: a request would fail with a different error. 10 GiB is the default bound.
    const error = await failure(client().downloadFile('file-1', target(), { expectedBytes: 10 * 1024 ** 3 + 1 }))
    expect(error).toMatchObject({
      kind: 'unsupported-response',
      message:
        'GET /files/file-1/content was not downloaded: Together gives its size as 10737418241 bytes, more than the 10737418240 the action downloads of one file'
    })
  })

  it('is saved whole when it stays within the bound', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(200, CONTENT)
    const path = target()
    expect(await client().downloadFile('file-1', path, { maxBytes: Buffer.byteLength(CONTENT) })).toBe(
      Buffer.byteLength(CONTENT)
    )
    expect(readFileSync(path, 'utf8')).toBe(CONTENT)
  })
})

describe('IDs', () => {
  it.each(['.', '..', '../batches', 'a/b', 'file-1\n::error::x', ''])(
    'refuses file id %j without a request',
    async id => {
      // No interceptor and no network: a request would fail as a network error, not invalid-id.
      const api = client()
      for (const error of [await failure(api.getFile(id)), await failure(api.downloadFile(id, target()))]) {
        expect(error).toMatchObject({ kind: 'invalid-id', transient: false })
        expect(error.message).toMatch(/^Not requesting file ".*": an invalid file ID \(not a plain ID\)$/)
        expect(error.message).not.toContain('\n')
      }
    }
  )
})

describe('redirects', () => {
  it('says how many redirects it followed before giving up', async () => {
    const scope = nock(BASE)
    for (let i = 0; i < 4; i++) scope.get(`/v1/hop${i}`).reply(302, '', { location: `/v1/hop${i + 1}` })
    scope.get('/v1/files/file-1/content').reply(302, '', { location: '/v1/hop0' })
    const error = await failure(client().downloadFile('file-1', target()))
    expect(error).toMatchObject({ kind: 'http', status: 302, transient: false })
    expect(error.message).toBe('GET /files/file-1/content answered HTTP 302: too many redirects (followed 3)')
    expect(error.message).not.toContain('not followed')
  })

  it('says a redirect without a Location cannot be followed', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(303, '')
    const error = await failure(client().downloadFile('file-1', target()))
    expect(error.message).toBe('GET /files/file-1/content answered HTTP 303 without a Location to follow')
  })

  it.each([
    ['ftp:', `ftp://storage.test/out.jsonl?key=${KEY}`],
    ['file:', '/etc/passwd'.replace(/^/, 'file://')],
    ['data:', `data:text/plain,${encodeURIComponent(KEY)}`]
  ])('refuses a redirect to a %s URL at once, never retried, key never shown', async (scheme, location) => {
    const scope = nock(BASE).get('/v1/files/file-1/content').once().reply(302, '', { location })
    const error = await failure(client().downloadFile('file-1', target()))
    expect(error).toMatchObject({ kind: 'unsupported-response', transient: false })
    expect(error.message).toBe(
      `GET /files/file-1/content was redirected to a ${scheme} URL; only http and https are followed`
    )
    expect(error.message).not.toContain(KEY)
    scope.done()
  })

  it('redacts the key from a storage error after a redirect', async () => {
    nock(BASE).get('/v1/files/file-1/content').reply(302, '', { location: 'https://storage.test/x' })
    nock('https://storage.test')
      .get('/x')
      .reply(403, `<Error>signature for ${encodeURIComponent(KEY)}</Error>`)
    const error = await failure(client().downloadFile('file-1', target()))
    expect(error).toMatchObject({ kind: 'http', status: 403, html: true })
    expect(error.message).not.toContain(encodeURIComponent(KEY))
  })
})

describe('time bounds', () => {
  it('ends a download whose data stalls, naming the bound', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200)
        res.write('{"partial":')
      },
      async baseUrl => {
        const path = target()
        const error = await failure(client({ baseUrl }).downloadFile('file-1', path, { stallTimeoutMs: 40 }))
        expect(error).toMatchObject({
          kind: 'timeout',
          transient: true,
          message: 'GET /files/file-1/content stalled: no data for 1s'
        })
        expect(leftovers(path)).toBe(false)
      }
    )
  })

  it('ends a download that trickles past its overall bound, however steady the trickle', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200)
        const drip = setInterval(() => res.write('x'), 5)
        res.on('close', () => clearInterval(drip))
      },
      async baseUrl => {
        const path = target()
        const error = await failure(
          client({ baseUrl }).downloadFile('file-1', path, { stallTimeoutMs: 1000, totalTimeoutMs: 60 })
        )
        expect(error).toMatchObject({ kind: 'timeout', transient: true })
        expect(error.message).toBe('GET /files/file-1/content did not finish within 1s, the limit for a whole download')
        expect(leftovers(path)).toBe(false)
      }
    )
  })

  it('bounds the wait for headers', async () => {
    await withServer(
      () => undefined,
      async baseUrl => {
        const error = await failure(client({ baseUrl, requestTimeoutMs: 30 }).downloadFile('file-1', target()))
        expect(error).toMatchObject({ kind: 'timeout', message: 'GET /files/file-1/content got no answer within 1s' })
      }
    )
  })

  it('says aborted, not timed out, when the caller stops it', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200)
        res.write('x')
      },
      async baseUrl => {
        const controller = new AbortController()
        const path = target()
        const pending = failure(client({ baseUrl }).downloadFile('file-1', path, { signal: controller.signal }))
        setTimeout(() => controller.abort(), 20)
        expect(await pending).toMatchObject({ kind: 'aborted', transient: false })
        expect(leftovers(path)).toBe(false)
      }
    )
  })
})
