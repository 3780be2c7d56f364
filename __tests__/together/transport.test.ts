import { describe, expect, it } from '@jest/globals'
import { getEventListeners } from 'node:events'
import type { LookupFunction } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { Agent } from 'undici'
import { failure } from '../helpers/errors.js'
import { client, timersLeftBy, withServer } from './loopback.js'

describe('local errors', () => {
  it.each([
    [
      'a key with a line break',
      { apiKey: 'tk-abc\nInjected: 1' },
      'GET /batches/b1 could not be sent: invalid authorization header'
    ],
    [
      'a user agent with a NUL',
      { userAgent: 'ua\u0000' },
      'GET /batches/b1 could not be sent: invalid user-agent header'
    ],
    [
      'a base URL that is no URL',
      { baseUrl: 'api.together.xyz/v1' },
      'GET /batches/b1 could not be sent: the base URL is not a valid URL'
    ],
    [
      'a base URL with another scheme',
      { baseUrl: 'ftp://api.together.test/v1' },
      'GET /batches/b1 could not be sent: Invalid URL protocol: the URL must start with `http:` or `https:`.'
    ]
  ])('reports %s as local, never retried, leaving nothing pending', async (_case, options, message) => {
    const controller = new AbortController()
    const api = client(options)
    const left = await timersLeftBy(async () => {
      const error = await failure(api.getBatch('b1', { signal: controller.signal }))
      expect(error).toMatchObject({ kind: 'local', transient: false, message })
    })
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    expect(left).toBe(0)
  })

  it('reports a download that cannot be sent as local, leaving nothing pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-'))
    try {
      const controller = new AbortController()
      const path = join(dir, 'out.jsonl')
      const api = client({ apiKey: 'tk-abc\r\nx' })
      const left = await timersLeftBy(async () => {
        const bad = await failure(api.downloadFile('file-1', path, { signal: controller.signal }))
        expect(bad).toMatchObject({ kind: 'local', transient: false })
      })
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
      expect(left).toBe(0)
      const noUrl = await failure(client({ baseUrl: 'nowhere' }).downloadFile('file-1', path))
      expect(noUrl).toMatchObject({
        kind: 'local',
        message: 'GET /files/file-1/content could not be sent: the base URL is not a valid URL'
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('releases its timers and listeners after a successful request too', async () => {
    nock('https://api.together.test').get('/v1/batches/b1').reply(200, { id: 'b1' })
    const controller = new AbortController()
    const api = client()
    expect(await timersLeftBy(() => api.getBatch('b1', { signal: controller.signal }))).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})

describe('connections', () => {
  /** Answers each request after a short hold, recording how many were in flight at once. */
  async function peakConcurrency(requests: number, options: Parameters<typeof client>[0]): Promise<number> {
    let active = 0
    let peak = 0
    await withServer(
      (req, res) => {
        active++
        peak = Math.max(peak, active)
        setTimeout(() => {
          active--
          res.end(JSON.stringify({ id: req.url?.split('/')[3] }))
        }, 40)
      },
      async baseUrl => {
        const api = client({ ...options, baseUrl })
        await Promise.all(Array.from({ length: requests }, (_, i) => api.getBatch(`b${i}`)))
      }
    )
    return peak
  }

  it('keeps 16 connections by default, so many checks and cancels do not queue behind 8', async () => {
    expect(await peakConcurrency(20, {})).toBe(16)
  })

  it('takes the pool size as an option', async () => {
    expect(await peakConcurrency(6, { connections: 3 })).toBe(3)
  })

  it('bounds the wait for a pooled connection by the timeout too', async () => {
    const dispatcher = new Agent({ connections: 1 })
    try {
      await withServer(
        (req, res) => {
          if (req.url?.endsWith('/slow')) return // holds the only connection
          res.end('{}')
        },
        async baseUrl => {
          const api = client({ baseUrl, dispatcher, requestTimeoutMs: 30 })
          const slow = failure(api.getBatch('slow'))
          const queued = await failure(api.downloadFile('file-1', join(tmpdir(), 'never.jsonl')))
          expect(queued).toMatchObject({
            kind: 'timeout',
            message: 'GET /files/file-1/content got no answer within 1s'
          })
          await slow
        }
      )
    } finally {
      await dispatcher.close()
    }
  })
})

describe('a base URL that cannot be reached', () => {
  /** A resolver that answers every name with `code`, as getaddrinfo does for a name that does not exist (ENOTFOUND). */
  function failingResolver(code: string): Agent {
    // Past nock to the agent's own resolver, which never asks DNS.
    nock.enableNetConnect(host => host.startsWith('nonexistent.invalid') || host.startsWith('api.together.test'))
    const lookup: LookupFunction = (hostname, _options, callback) => {
      callback(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname }), '', 4)
    }
    return new Agent({ connect: { lookup } })
  }

  it('reads a host that does not resolve as unreachable, naming the host', async () => {
    const dispatcher = failingResolver('ENOTFOUND')
    try {
      const error = await failure(client({ baseUrl: 'https://nonexistent.invalid/v1', dispatcher }).getBatch('b1'))
      expect(error).toMatchObject({
        kind: 'unreachable',
        transient: true,
        message:
          'GET /batches/b1 failed: the host nonexistent.invalid does not resolve (getaddrinfo ENOTFOUND nonexistent.invalid)'
      })
    } finally {
      nock.disableNetConnect()
      await dispatcher.close()
    }
  })

  it('keeps a resolver that may recover (EAI_AGAIN) a network failure', async () => {
    const dispatcher = failingResolver('EAI_AGAIN')
    try {
      const error = await failure(client({ baseUrl: 'https://api.together.test/v1', dispatcher }).getBatch('b1'))
      expect(error).toMatchObject({ kind: 'network', transient: true })
      expect(error.message).toContain('getaddrinfo EAI_AGAIN api.together.test')
    } finally {
      nock.disableNetConnect()
      await dispatcher.close()
    }
  })

  it('reads a TLS handshake that fails as unreachable, naming the host and the error code', async () => {
    // https to a port that speaks plain HTTP: the handshake fails as it does with a refused certificate.
    await withServer(
      (_req, res) => res.end('{}'),
      async baseUrl => {
        const error = await failure(client({ baseUrl: baseUrl.replace('http:', 'https:') }).getBatch('b1'))
        expect(error.kind).toBe('unreachable')
        // EPROTO under the test's interceptor; ERR_SSL_WRONG_VERSION_NUMBER from undici alone (the e2e suite).
        expect(error.message).toMatch(
          /^GET \/batches\/b1 failed: the TLS handshake with 127\.0\.0\.1 failed \((EPROTO|ERR_SSL_WRONG_VERSION_NUMBER): .*\); a TLS-inspecting proxy needs its CA in NODE_EXTRA_CA_CERTS$/
        )
      }
    )
  })
})
