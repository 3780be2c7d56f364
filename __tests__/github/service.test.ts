import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { createGitHubClient } from '../../src/github/octokit.js'
import { connectGitHub } from '../../src/github/service.js'
import type { CommentRow } from '../../src/report/pr-comment-text.js'
import { parseSettings } from '../../src/settings.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger } from '../helpers/virtual-time.js'

const SHA = 'a'.repeat(40)
const HEAD = 'b'.repeat(40)
const ROW: CommentRow = { batchId: 'b1', icon: '✅', status: 'COMPLETED', reason: '' }
let sim: GitHubSim
let temp: string

beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  sim = await startGitHubSim()
  temp = mkdtempSync(join(tmpdir(), 'service-'))
})
afterEach(async () => {
  await sim.close()
  rmSync(temp, { recursive: true, force: true })
})

/** An event payload for pull request 3, whose head commit is HEAD. */
function pullRequestEvent(): string {
  const path = join(temp, 'event.json')
  writeFileSync(path, JSON.stringify({ pull_request: { number: 3, head: { sha: HEAD } } }))
  return path
}

const settingsFor = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  parseSettings(
    name => actionInputs({ 'batch-id': 'b1', 'api-key': 'k', 'github-token': 'ghs_t', ...inputs })[name] ?? '',
    {
      GITHUB_API_URL: sim.apiUrl,
      GITHUB_SERVER_URL: 'https://github.example/',
      GITHUB_REPOSITORY: 'octo/repo',
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '7',
      ...env
    }
  )

/** Every GitHub request from now on is left unanswered. */
function hangEverything(): void {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
    sim.faults.push({ method, path: /./, status: 'hang', times: 100 })
}

/** The service as main.ts makes it, with the client's bounds shortened (the real call timeout is 10 s). */
function connect(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number; afterCancelMs?: number } = {}
) {
  const log = recordingLogger()
  const run = { signal: options.signal ?? new AbortController().signal, log, redact: (text: string) => text }
  const { timeoutMs, afterCancelMs } = options
  const github = connectGitHub(settingsFor(inputs, options.env), run, (target, token, signal, what, client) =>
    createGitHubClient(target, token, signal, what, { ...client, timeoutMs, afterCancelMs })
  )
  return { github, log }
}

const warnings = (log: ReturnType<typeof recordingLogger>) => log.lines.filter(l => l.level === 'warning')

describe('the GitHub service', () => {
  it('is not made when no GitHub feature is on', async () => {
    expect(await connect({}).github).toBeUndefined()
    expect(sim.requests).toEqual([])
  })

  it('costs one timeout for the whole run: after one call went unanswered, status, comment and ledger skip GitHub', async () => {
    hangEverything()
    const inputs = { mode: 'track', 'commit-status': 'together/batch', 'pr-comment': 'true' }
    const { github: connecting, log } = connect(inputs, {
      env: { GITHUB_EVENT_PATH: pullRequestEvent() },
      timeoutMs: 100
    })
    const github = (await connecting)!
    await github.status('pending', 'Waiting for Together batch b1')
    const skipped = 'skipped, GitHub did not answer a previous call within 0.1s'
    await github.comment([ROW])
    await expect(github.ledger.put('b1', '{}')).rejects.toThrow(skipped)
    await expect(github.ledger.list()).rejects.toThrow(skipped)
    await expect(github.statuses.latest(HEAD, 'together/batch')).rejects.toThrow(skipped)
    await expect(github.comments(3, 'together/batch', [ROW])).rejects.toThrow(skipped)
    await github.status('success', 'COMPLETED')
    // Only the first call waited for GitHub (each would have cost the whole timeout); the rest never
    // left the process. (GitHub may not even have seen the first one before it was given up.)
    expect(sim.requests.map(r => `${r.method} ${r.path}`)).toEqual(
      [`POST /repos/octo/repo/statuses/${HEAD}`].slice(0, sim.requests.length)
    )
    expect(warnings(log)).toEqual([
      { level: 'warning', message: 'Could not set the commit status: GitHub did not answer within 0.1s' },
      { level: 'warning', message: `Could not comment on pull request #3: ${skipped}` },
      { level: 'warning', message: `Could not set the commit status: ${skipped}` }
    ])
  })

  it('sets the status on the pull request head commit from the event payload, with a link to the run', async () => {
    const env = { GITHUB_EVENT_PATH: pullRequestEvent() }
    const github = (await connect({ 'commit-status': 'together/batch' }, { env }).github)!
    await github.status('success', 'COMPLETED')
    expect(sim.statuses).toEqual([
      {
        sha: HEAD,
        state: 'success',
        context: 'together/batch',
        description: 'COMPLETED',
        target_url: 'https://github.example/octo/repo/actions/runs/7'
      }
    ])
    expect(sim.requests.map(r => r.authorization)).toEqual(['token ghs_t'])
    expect(await github.headCommit()).toEqual({ sha: HEAD, pullRequest: 3 })
  })

  it('stops a hanging call at once when the step is cancelled', async () => {
    hangEverything()
    const abort = new AbortController()
    const { github, log } = connect({ 'commit-status': 'ctx' }, { signal: abort.signal, timeoutMs: 60_000 })
    const call = (await github)!.status('pending', 'Waiting')
    setTimeout(() => abort.abort(), 50)
    const started = Date.now()
    await call
    expect(Date.now() - started).toBeLessThan(5000)
    expect(warnings(log)).toEqual([
      { level: 'warning', message: expect.stringContaining('Could not set the commit status:') }
    ])
  })

  it('after a cancel, tries the final status once more, though an earlier call went unanswered', async () => {
    sim.faults.push({ method: 'POST', path: /statuses/, status: 'hang', times: 1 })
    const abort = new AbortController()
    const { github: connecting, log } = connect({ 'commit-status': 'ctx' }, { signal: abort.signal, timeoutMs: 150 })
    const github = (await connecting)!
    await github.status('pending', 'Waiting')
    expect(warnings(log).map(l => l.message)).toEqual([
      'Could not set the commit status: GitHub did not answer within 0.15s'
    ])
    abort.abort()
    await github.status('failure', 'The wait was aborted')
    expect(sim.statuses.map(s => s.state)).toEqual(['failure'])
  })

  it('after a cancel, sends only the final status, with a short bound, once when GitHub does not answer', async () => {
    const abort = new AbortController()
    const { github: connecting, log } = connect(
      { mode: 'track', 'commit-status': 'ctx', 'pr-comment': 'true' },
      { env: { GITHUB_EVENT_PATH: pullRequestEvent() }, signal: abort.signal, afterCancelMs: 100 }
    )
    const github = (await connecting)!
    abort.abort()
    await github.status('failure', 'The wait was aborted')
    expect(sim.statuses.map(s => s.state)).toEqual(['failure'])
    await github.comment([ROW])
    await expect(github.ledger.put('b1', '{}')).rejects.toThrow('skipped, the step was cancelled')
    hangEverything()
    const started = Date.now()
    await github.status('error', 'Broke')
    await github.status('error', 'Broke again')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(sim.requests.map(r => `${r.method} ${r.status}`)).toEqual(['POST 201', 'POST 0'])
    expect(warnings(log).map(l => l.message)).toEqual([
      'Could not comment on pull request #3: skipped, the step was cancelled',
      'Could not set the commit status: GitHub did not answer within 0.1s',
      'Could not set the commit status: skipped, GitHub did not answer a previous call within 0.1s'
    ])
  })

  it.each([
    [{ GITHUB_REPOSITORY: '' }, 'GITHUB_REPOSITORY is not owner/repo, so no commit status can be set'],
    [{ GITHUB_REPOSITORY: 'o/r/x' }, 'GITHUB_REPOSITORY is not owner/repo, so no commit status can be set'],
    [{ GITHUB_SHA: 'HEAD' }, 'GITHUB_SHA is not a commit SHA']
  ])('sets no status with %j, before any request, and says why', async (env, message) => {
    const { github, log } = connect({ 'commit-status': 'ctx' }, { env })
    await (await github)?.status('pending', 'Waiting')
    expect(sim.requests).toEqual([])
    expect(warnings(log)).toEqual([
      { level: 'warning', message: expect.stringContaining(`Could not set the commit status: ${message}`) }
    ])
  })

  it('fails the step when the ledger cannot be kept', async () => {
    const { github } = connect({ mode: 'report', 'batch-id': '' }, { env: { GITHUB_REPOSITORY: 'nope' } })
    await expect(github).rejects.toThrow('GITHUB_REPOSITORY is not owner/repo, so no ledger can be kept')
  })
})

describe("the step's own pull request comment", () => {
  it('comments on the pull request of the event, and only there', async () => {
    // Not a pull request event, and no open pull request has the commit at its head: one info line.
    const plain = connect({ 'pr-comment': 'true' })
    await (await plain.github)?.comment([ROW])
    expect(plain.log.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: `pr-comment is set, but no open pull request has commit ${SHA.slice(0, 12)} at its head: no comment.`
      })
    ])
    expect(sim.comments).toEqual([])
    const log = recordingLogger()
    const run = { signal: new AbortController().signal, log, redact: (t: string) => t.replace('KEY', '***') }
    const settings = settingsFor({ 'pr-comment': 'true' }, { GITHUB_EVENT_PATH: pullRequestEvent() })
    const github = (await connectGitHub(settings, run))!
    await github.comment([{ ...ROW, icon: '❌', status: 'KEY' }])
    expect(sim.comments).toEqual([
      expect.objectContaining({ issue: 3, body: expect.stringContaining('❌ b1 | &#42;&#42;&#42;') })
    ])
    sim.faults.push({ method: 'GET', path: /comments$/, status: 500, times: 5 })
    await github.comment([ROW])
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warning',
      message: expect.stringContaining('Could not comment on pull request #3')
    })
  })

  it('comments on the open pull requests whose head is the pushed commit, on push and schedule', async () => {
    sim.pulls.set(SHA, [
      { number: 5, state: 'open', head: { sha: SHA } },
      { number: 6, state: 'closed', head: { sha: SHA } },
      { number: 7, state: 'open', head: { sha: HEAD } },
      { number: 8, state: 'open', head: { sha: SHA } }
    ])
    const { github, log } = connect({ 'pr-comment': 'true' })
    const service = (await github)!
    expect(await service.pullRequests()).toEqual([5, 8])
    await service.comment([ROW])
    expect(sim.comments.map(c => c.issue)).toEqual([5, 8])
    expect(warnings(log)).toEqual([])
  })

  it('says once that the token cannot list the pull requests of a commit, and goes on', async () => {
    sim.faults.push({ method: 'GET', path: /\/pulls$/, status: 403, times: 1 })
    const { github, log } = connect({ 'pr-comment': 'true', 'commit-status': 'ctx' })
    const service = (await github)!
    await service.comment([ROW])
    await service.status('success', 'Passed')
    expect(warnings(log)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('the job needs pull-requests: read to find them') })
    ])
    expect(sim.statuses).toHaveLength(1)
  })

  it('warns when the repository is not known', async () => {
    const env = { GITHUB_EVENT_PATH: pullRequestEvent(), GITHUB_REPOSITORY: 'nope' }
    const { github, log } = connect({ 'pr-comment': 'true' }, { env })
    expect(await github).toBeUndefined()
    expect(log.lines[0]).toMatchObject({
      level: 'warning',
      message: expect.stringContaining('Could not comment on the pull request: GITHUB_REPOSITORY')
    })
  })
})
