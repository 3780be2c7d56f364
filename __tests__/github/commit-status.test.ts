import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { createCommitStatus } from '../../src/github/commit-status.js'
import type { GitHubTarget } from '../../src/github/target.js'

const SHA = 'a'.repeat(40)
const HEAD = 'b'.repeat(40)
let server: Server
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void
let target: GitHubTarget
let temp: string

beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  temp = mkdtempSync(join(tmpdir(), 'gh-'))
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => handler(req, res, body))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  target = {
    apiUrl: `http://127.0.0.1:${port}/`,
    serverUrl: 'https://github.example/',
    repository: 'o/r',
    sha: SHA,
    ref: '',
    runId: '7',
    eventPath: ''
  }
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
  rmSync(temp, { recursive: true, force: true })
})

describe('createCommitStatus', () => {
  it('posts the status on the pull request head commit from the event payload, with a link to the run', async () => {
    const seen: { url?: string; auth?: string; body: unknown }[] = []
    handler = (req, res, body) => {
      seen.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(body) })
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}')
    }
    const eventPath = join(temp, 'event.json')
    writeFileSync(eventPath, JSON.stringify({ pull_request: { head: { sha: HEAD } } }))
    const set = await createCommitStatus(
      { ...target, eventPath },
      'ghs_t',
      'together/batch',
      new AbortController().signal
    )
    await set('success', 'COMPLETED')
    expect(seen).toEqual([
      {
        url: `/repos/o/r/statuses/${HEAD}`,
        auth: 'token ghs_t',
        body: {
          state: 'success',
          context: 'together/batch',
          description: 'COMPLETED',
          target_url: 'https://github.example/o/r/actions/runs/7'
        }
      }
    ])
  })

  it('names statuses: write when GitHub refuses the status (HTTP 403)', async () => {
    handler = (_req, res) =>
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'Resource not accessible by integration' }))
    const set = await createCommitStatus(target, 'ghs_t', 'together/batch', new AbortController().signal)
    const error = await set('pending', 'Waiting').then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(
      /^Resource not accessible by integration.*\. Give the job statuses: write \(and check github-token\)\.$/
    )
  })

  it('gives up on a GitHub API that never answers after its timeout', async () => {
    handler = () => undefined
    const set = await createCommitStatus(target, 'ghs_t', 'ctx', new AbortController().signal, { timeoutMs: 150 })
    const started = Date.now()
    await expect(set('pending', 'Waiting')).rejects.toThrow('GitHub did not answer within 0.15s')
    expect(Date.now() - started).toBeLessThan(5000)
    let asked = 0
    handler = () => {
      asked++
    }
    await expect(set('success', 'Done')).rejects.toThrow('skipped, GitHub did not answer a previous call')
    expect(asked).toBe(0)
  })

  it('stops a hanging call at once when the step is cancelled', async () => {
    handler = () => undefined
    const abort = new AbortController()
    const set = await createCommitStatus(target, 'ghs_t', 'ctx', abort.signal, { timeoutMs: 60_000 })
    const call = set('pending', 'Waiting')
    setTimeout(() => abort.abort(), 50)
    const started = Date.now()
    await expect(call).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('after a cancel, tries the final status once more, though an earlier call went unanswered', async () => {
    handler = () => undefined
    const abort = new AbortController()
    const set = await createCommitStatus(target, 'ghs_t', 'ctx', abort.signal, { timeoutMs: 150 })
    await expect(set('pending', 'Waiting')).rejects.toThrow('GitHub did not answer within 0.15s')
    const states: string[] = []
    handler = (_req, res, body) => {
      states.push((JSON.parse(body) as { state: string }).state)
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}')
    }
    abort.abort()
    await set('failure', 'The wait was aborted')
    expect(states).toEqual(['failure'])
  })

  it('still sets the final status after the step was cancelled, with a short bound', async () => {
    const states: string[] = []
    handler = (_req, res, body) => {
      states.push((JSON.parse(body) as { state: string }).state)
      res.writeHead(201, { 'content-type': 'application/json' }).end('{}')
    }
    const abort = new AbortController()
    const set = await createCommitStatus(target, 'ghs_t', 'ctx', abort.signal)
    abort.abort()
    await set('failure', 'The wait was aborted')
    expect(states).toEqual(['failure'])
  })

  it.each([
    [{ repository: '' }, 'GITHUB_REPOSITORY is not owner/repo'],
    [{ repository: 'o/r/x' }, 'GITHUB_REPOSITORY is not owner/repo'],
    [{ sha: 'HEAD' }, 'GITHUB_SHA is not a commit SHA']
  ])('refuses %j before any request', async (change, message) => {
    handler = () => {
      throw new Error('no request expected')
    }
    await expect(
      createCommitStatus({ ...target, ...change }, 'ghs_t', 'ctx', new AbortController().signal)
    ).rejects.toThrow(message)
  })
})
