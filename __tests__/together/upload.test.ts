import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { failure } from '../helpers/errors.js'
import { HUNG_UP_BELOW, endless, type Sent } from '../helpers/hostile-server.js'
import { startSimulator, type Simulator } from '../../tools/simulator/server.js'
import { KEY, client, listen, withServer } from './loopback.js'

let dir: string
let path: string
const CONTENT = '{"custom_id":"r","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}\n'.repeat(3000)
const SHA = createHash('sha256').update(CONTENT).digest('hex')
let sim: Simulator | undefined

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'upload-'))
  path = join(dir, 'evals.jsonl')
  writeFileSync(path, CONTENT)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(async () => {
  await sim?.close()
  sim = undefined
  nock.disableNetConnect()
})

async function simulator(signedUploads: boolean): Promise<Simulator> {
  nock.enableNetConnect('127.0.0.1')
  sim = await startSimulator({ apiKey: KEY, signedUploads })
  return sim
}

/** Reads a request's body and answers it with `status`, `headers` and a JSON `body`. */
function answer(res: ServerResponse, req: IncomingMessage, status: number, headers = {}, body?: unknown): void {
  req.resume().on('end', () => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(body === undefined ? '' : JSON.stringify(body))
  })
}

describe('uploadFile', () => {
  it('puts the bytes to the signed URL without the key, then preprocesses, as the SDKs do', async () => {
    const { baseUrl, requests, storageRequests, uploads } = await simulator(true)
    const steps: string[] = []
    const attempt = <T>(what: string, step: () => Promise<T>): Promise<T> => {
      steps.push(what)
      return step()
    }
    const file = await client({ baseUrl }).uploadFile(path, 'evals-0123.jsonl', { attempt })
    expect(file).toMatchObject({
      id: 'file-sim-1',
      filename: 'evals-0123.jsonl',
      bytes: CONTENT.length,
      purpose: 'batch-api'
    })
    expect(uploads.get('file-sim-1')).toMatchObject({
      sha256: SHA,
      bytes: CONTENT.length,
      lines: 3000,
      processed: true
    })
    expect(requests.map(r => `${r.method} ${r.path} ${r.auth}`)).toEqual([
      'POST /v1/files ok',
      'POST /v1/files/file-sim-1/preprocess ok'
    ])
    expect(storageRequests).toEqual([{ method: 'PUT', path: '/upload/file-sim-1', keyed: false, status: 200 }])
    expect(steps).toEqual(['POST /files', 'PUT of file-sim-1', 'POST /files/file-sim-1/preprocess'])
  })

  it('falls back to the multipart upload where POST /v1/files has no signed-URL flow', async () => {
    const { baseUrl, requests, storageRequests, uploads } = await simulator(false)
    const file = await client({ baseUrl }).uploadFile(path, 'evals-0123.jsonl')
    expect(file).toMatchObject({ id: 'file-sim-1', filename: 'evals-0123.jsonl', purpose: 'batch-api' })
    expect(uploads.get('file-sim-1')).toMatchObject({ sha256: SHA, bytes: CONTENT.length, processed: true })
    expect(requests.map(r => `${r.method} ${r.path} ${r.auth}`)).toEqual([
      'POST /v1/files ok',
      'POST /v1/files/upload ok'
    ])
    expect(storageRequests).toEqual([])
  })

  it('sends the form the SDKs send, and nothing but the file to storage', async () => {
    nock.enableNetConnect('127.0.0.1')
    const seen: { url?: string; headers: IncomingMessage['headers']; body: string }[] = []
    const storage = await listen((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() })
        res.writeHead(200).end()
      })
    })
    try {
      await withServer(
        (req, res) => {
          const chunks: Buffer[] = []
          req.on('data', (c: Buffer) => chunks.push(c))
          req.on('end', () => {
            seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() })
            if (req.url === '/v1/files') {
              res.writeHead(302, { location: `${storage.url}/put?sig=s3cr3t`, 'x-together-file-id': 'file-1' }).end()
            } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"file-1","Processed":true}')
          })
        },
        async baseUrl => {
          await client({ baseUrl }).uploadFile(path, 'evals-0123.jsonl')
        }
      )
    } finally {
      storage.server.close()
    }
    const [start, put, preprocess] = seen
    expect(start?.body).toBe('purpose=batch-api&file_name=evals-0123.jsonl&file_type=jsonl')
    expect(start?.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/x-www-form-urlencoded'
    })
    expect(put?.url).toBe('/put?sig=s3cr3t')
    expect(put?.headers.authorization).toBeUndefined()
    expect(JSON.stringify(put?.headers)).not.toContain(KEY)
    expect(put?.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(CONTENT.length)
    })
    expect(put?.body).toBe(CONTENT)
    expect(preprocess?.url).toBe('/v1/files/file-1/preprocess')
  })

  it.each([
    [
      'without a file ID',
      { location: 'http://127.0.0.1:9/put' },
      'invalid-id',
      'POST /files answered 302 without a plain X-Together-File-Id'
    ],
    [
      'with a file ID that is not plain',
      { location: 'http://127.0.0.1:9/put', 'x-together-file-id': '../x' },
      'invalid-id',
      'POST /files answered 302 without a plain X-Together-File-Id'
    ],
    [
      'to a file: URL',
      { location: 'file:///etc/passwd', 'x-together-file-id': 'file-1' },
      'unsupported-response',
      'POST /files answered 302 without an http(s) Location to upload file-1 to'
    ],
    [
      'without a Location',
      { 'x-together-file-id': 'file-1' },
      'unsupported-response',
      'POST /files answered 302 without an http(s) Location to upload file-1 to'
    ]
  ])('refuses a 302 %s, before sending a byte', async (_what, headers, kind, message) => {
    await withServer(
      (req, res) => answer(res, req, 302, headers),
      async baseUrl => {
        const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
        expect(error).toMatchObject({ kind, message })
      }
    )
  })

  it('names only the storage origin when storage refuses, never the signature or its error body', async () => {
    nock.enableNetConnect('127.0.0.1')
    const storage = await listen((req, res) => {
      req.resume().on('end', () => res.writeHead(403).end('<Error><StringToSign>s3cr3t</StringToSign></Error>'))
    })
    try {
      await withServer(
        (req, res) =>
          answer(res, req, 302, {
            location: `${storage.url}/put?X-Amz-Signature=s3cr3t`,
            'x-together-file-id': 'file-1'
          }),
        async baseUrl => {
          const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
          expect(error).toMatchObject({ kind: 'http', status: 403, transient: false })
          expect(error.message).toBe(`PUT to the signed upload URL at ${storage.url} answered HTTP 403`)
        }
      )
    } finally {
      storage.server.close()
    }
  })

  it.each([
    [200, 'a 2xx'],
    [405, 'a 405']
  ])('takes %s to POST /v1/files as no signed-URL flow', async status => {
    const paths: string[] = []
    await withServer(
      (req, res) => {
        paths.push(req.url ?? '')
        if (req.url === '/v1/files') answer(res, req, status, {}, {})
        else answer(res, req, 200, {}, { id: 'file-9', filename: 'evals.jsonl', bytes: CONTENT.length })
      },
      async baseUrl => {
        expect(await client({ baseUrl }).uploadFile(path, 'evals.jsonl')).toEqual({
          id: 'file-9',
          filename: 'evals.jsonl',
          bytes: CONTENT.length
        })
      }
    )
    expect(paths).toEqual(['/v1/files', '/v1/files/upload'])
  })

  it('fails on a 401 to POST /v1/files rather than trying the multipart upload', async () => {
    const paths: string[] = []
    await withServer(
      (req, res) => {
        paths.push(req.url ?? '')
        answer(res, req, 401, {}, { error: { message: 'Invalid API key' } })
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
        expect(error.message).toBe('POST /files answered HTTP 401: Invalid API key')
      }
    )
    expect(paths).toEqual(['/v1/files'])
  })

  it('reads at most 64 KiB of an error answer to POST /v1/files that never ends, keeping its status', async () => {
    const sent: Sent = { bytes: 0 }
    const paths: string[] = []
    await withServer(
      (req, res) => {
        paths.push(req.url ?? '')
        endless(500, `{"error":"bad key ${KEY}","pad":"`, sent)(req, res)
      },
      async baseUrl => {
        const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
        expect(error).toMatchObject({ kind: 'http', status: 500 })
        expect(error.message).toMatch(
          /^POST \/files answered HTTP 500 with more than 64 KiB \(the rest was not read\): \{"error":"bad key \*\*\*","pad":"x+… \(\d+ more characters\)$/
        )
        expect(error.message).not.toContain(KEY)
      }
    )
    expect(paths).toEqual(['/v1/files'])
    expect(sent.bytes).toBeLessThan(HUNG_UP_BELOW)
  })

  it('still falls back to the multipart upload after a 404 to POST /v1/files that never ends', async () => {
    const sent: Sent = { bytes: 0 }
    await withServer(
      (req, res) =>
        req.url === '/v1/files'
          ? endless(404, '{"pad":"', sent)(req, res)
          : answer(res, req, 200, {}, { id: 'file-m1', filename: 'evals.jsonl', bytes: CONTENT.length }),
      async baseUrl => {
        expect(await client({ baseUrl }).uploadFile(path, 'evals.jsonl')).toMatchObject({ id: 'file-m1' })
      }
    )
    expect(sent.bytes).toBeLessThan(HUNG_UP_BELOW)
  })

  it('refuses a multipart answer without a plain file ID, and a preprocess answer about another file', async () => {
    await withServer(
      (req, res) => (req.url === '/v1/files' ? answer(res, req, 404) : answer(res, req, 200, {}, { id: '../etc' })),
      async baseUrl => {
        const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
        expect(error).toMatchObject({
          kind: 'invalid-response',
          message: 'Together answered POST /files/upload without a plain file ID'
        })
      }
    )
    nock.enableNetConnect('127.0.0.1')
    const storage = await listen((req, res) => req.resume().on('end', () => res.writeHead(200).end()))
    try {
      await withServer(
        (req, res) =>
          req.url === '/v1/files'
            ? answer(res, req, 302, { location: `${storage.url}/put`, 'x-together-file-id': 'file-1' })
            : answer(res, req, 200, {}, { id: 'file-2' }),
        async baseUrl => {
          const error = await failure(client({ baseUrl }).uploadFile(path, 'evals.jsonl'))
          expect(error.message).toBe('Together answered POST /files/file-1/preprocess about file file-2')
        }
      )
    } finally {
      storage.server.close()
    }
  })

  it('refuses a name that is not plain, and a file it cannot read, before any request', async () => {
    const api = client()
    expect(await failure(api.uploadFile(path, 'a b.jsonl'))).toMatchObject({
      kind: 'local',
      message: 'Not uploading as "a b.jsonl": not a plain file name'
    })
    const missing = await failure(api.uploadFile(join(dir, 'missing.jsonl'), 'evals.jsonl'))
    expect(missing.kind).toBe('local')
    expect(missing.message).toContain('missing.jsonl could not be read')
  })

  it('bounds the whole upload: a storage that takes the bytes and never answers times out', async () => {
    nock.enableNetConnect('127.0.0.1')
    const storage = await listen(req => req.resume())
    try {
      await withServer(
        (req, res) => answer(res, req, 302, { location: `${storage.url}/put`, 'x-together-file-id': 'file-1' }),
        async baseUrl => {
          const error = await failure(
            client({ baseUrl, requestTimeoutMs: 10_000 }).uploadFile(path, 'evals.jsonl', { totalTimeoutMs: 50 })
          )
          expect(error).toMatchObject({ kind: 'timeout', transient: true })
          expect(error.message).toBe(
            `PUT to the signed upload URL at ${storage.url} did not finish within 1s, the limit for a whole upload`
          )
        }
      )
    } finally {
      storage.server.closeAllConnections()
      storage.server.close()
    }
  })

  it('stops at once when the step is cancelled during the upload', async () => {
    nock.enableNetConnect('127.0.0.1')
    const controller = new AbortController()
    const storage = await listen(req => {
      req.resume()
      controller.abort()
    })
    try {
      await withServer(
        (req, res) => answer(res, req, 302, { location: `${storage.url}/put`, 'x-together-file-id': 'file-1' }),
        async baseUrl => {
          const error = await failure(
            client({ baseUrl }).uploadFile(path, 'evals.jsonl', { signal: controller.signal })
          )
          expect(error.kind).toBe('aborted')
        }
      )
    } finally {
      storage.server.closeAllConnections()
      storage.server.close()
    }
  })
})
