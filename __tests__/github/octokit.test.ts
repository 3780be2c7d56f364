import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { createGitHubClient, httpStatus } from '../../src/github/octokit.js'
import { createRedactor } from '../../src/sanitize/redact.js'

const SECRET = 'tgp_v1_secret-key-0123'
// Made when called, inside a test: a call while the file loads would make the redactor's mutants static.
const redact = (text: string): string => createRedactor([SECRET])(text)
let server: Server
let requests: { method: string; url: string; body: string }[]
let handler: (req: IncomingMessage, res: ServerResponse) => void

beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  requests = []
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body })
      handler(req, res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

const client = (timeoutMs = 10_000, signal = new AbortController().signal) =>
  createGitHubClient(
    {
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      serverUrl: 'https://github.example',
      repository: 'o/r',
      sha: 'a'.repeat(40),
      ref: '',
      runId: '1',
      eventPath: ''
    },
    'ghs_token',
    signal,
    'test',
    { timeoutMs, afterCancelMs: 100, redact }
  )

describe('the GitHub client', () => {
  it('redacts every string it sends, in REST parameters and GraphQL variables', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}')
    const github = await client()
    await github.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      sha: 'a'.repeat(40),
      description: `key ${SECRET}`,
      nested: { list: [encodeURIComponent(SECRET)] }
    })
    await github.graphql('query($q: String!) { x }', { q: SECRET })
    expect(requests.map(r => JSON.parse(r.body) as unknown)).toEqual([
      { description: 'key ***', nested: { list: ['***'] } },
      { query: 'query($q: String!) { x }', variables: { q: '***' } }
    ])
  })

  it('redacts what a failure says, keeping its HTTP status', async () => {
    handler = (_req, res) =>
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `bad ${SECRET}` }))
    const github = await client()
    const error = await github.request('GET /repos/{owner}/{repo}').catch((e: unknown) => e)
    expect((error as Error).message).not.toContain(SECRET)
    expect((error as Error).message).toContain('bad ***')
    expect(httpStatus(error)).toBe(422)
  })

  it('after a call went unanswered, skips the next ones at once', async () => {
    handler = () => undefined // never answers
    const github = await client(100)
    await expect(github.request('GET /repos/{owner}/{repo}')).rejects.toThrow(/^GitHub did not answer within 0\.1s$/)
    await expect(github.request('GET /repos/{owner}/{repo}/commits')).rejects.toThrow(
      'skipped, GitHub did not answer a previous call within 0.1s'
    )
    // Only the first call reached GitHub.
    expect(requests.map(r => r.url)).toEqual(['/repos/o/r'])
  })

  it('after a cancel, makes only the calls that ask for it, with the short bound and a breaker of their own', async () => {
    handler = () => undefined // never answers
    const abort = new AbortController()
    const github = await client(100, abort.signal)
    await expect(github.request('GET /before')).rejects.toThrow('GitHub did not answer within 0.1s')
    abort.abort()
    await expect(github.request('GET /plain')).rejects.toThrow('skipped, the step was cancelled')
    await expect(github.request('POST /final', {}, { afterCancel: true })).rejects.toThrow(
      /^GitHub did not answer within 0\.1s$/
    )
    await expect(github.request('POST /again', {}, { afterCancel: true })).rejects.toThrow(
      'skipped, GitHub did not answer a previous call within 0.1s'
    )
    // At most these two reached GitHub (a call given up early may not have arrived yet).
    expect(['/before', '/final']).toEqual(expect.arrayContaining(requests.map(r => r.url.split('?')[0])))
  })
})
