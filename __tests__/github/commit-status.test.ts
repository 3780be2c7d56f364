import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { statusClient } from '../../src/github/commit-status.js'
import { createGitHubClient, type GitHubClient } from '../../src/github/octokit.js'
import type { GitHubTarget } from '../../src/inputs/connection.js'
import { createRedactor } from '../../src/sanitize/redact.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'

const SHA = 'a'.repeat(40)
let sim: GitHubSim
let github: GitHubClient

const target = (apiUrl: string): GitHubTarget => ({
  apiUrl,
  serverUrl: 'https://github.example',
  repository: 'octo/repo',
  sha: SHA,
  ref: '',
  runId: '1',
  eventPath: ''
})

beforeEach(async () => {
  nock.enableNetConnect('127.0.0.1')
  sim = await startGitHubSim()
  github = await createGitHubClient(target(sim.apiUrl), 'ghs_t', new AbortController().signal, 'test')
})
afterEach(() => sim.close())

describe('statusClient', () => {
  it('sets a status on any commit and reads back the newest of a context', async () => {
    const statuses = statusClient(github)
    expect(await statuses.latest(SHA, 'ctx')).toBeUndefined()
    await statuses.set(SHA, 'ctx', 'failure', 'no', 'https://x')
    await statuses.set(SHA, 'other', 'success', 'yes', 'https://x')
    expect(await statuses.latest(SHA, 'ctx')).toBe('failure')
  })

  it('redacts a description before it cuts it: a secret across the cut leaves no first characters', async () => {
    const secret = 'ghs_secret_token_0123456789'
    const redacting = await createGitHubClient(target(sim.apiUrl), 'ghs_t', new AbortController().signal, 'test', {
      redact: createRedactor([secret])
    })
    await statusClient(redacting).set(SHA, 'ctx', 'failure', `${'x'.repeat(131)}${secret}`, 'https://x')
    expect(sim.statuses.map(s => s.description)).toEqual([`${'x'.repeat(131)}***`])
  })

  it('finds a context behind 100 newer statuses, on the second page', async () => {
    const statuses = statusClient(github)
    await statuses.set(SHA, 'ctx', 'failure', 'no', 'https://x')
    for (let i = 0; i < 100; i++) await statuses.set(SHA, `other-${i}`, 'success', 'yes', 'https://x')
    expect(await statuses.latest(SHA, 'ctx')).toBe('failure')
    expect(await statuses.latest(SHA, 'never-set')).toBeUndefined()
  })

  it('names statuses: write when GitHub refuses the status (HTTP 403)', async () => {
    sim.faults.push({ method: 'POST', path: /\/statuses\//, status: 403, times: 1 })
    const error = await statusClient(github)
      .set(SHA, 'ctx', 'pending', 'Waiting', 'https://x')
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toMatch(/\. Give the job statuses: write \(and check github-token\)\.$/)
  })

  it('throws rather than guess when the list cannot be read in full', async () => {
    const answering = (data: unknown): GitHubClient => ({ ...github, request: () => Promise.resolve(data) })
    await expect(statusClient(answering('<html>')).latest(SHA, 'ctx')).rejects.toThrow('is not a list')
    const full = Array.from({ length: 100 }, (_, i) => ({ context: `other-${i}`, state: 'success' }))
    await expect(statusClient(answering(full)).latest(SHA, 'ctx')).rejects.toThrow(
      'has more than 1000 statuses; ctx is not among them'
    )
  })

  it('fits every description to GitHub’s 140 characters, cutting between whole characters', async () => {
    const statuses = statusClient(github)
    await statuses.set(SHA, 'ctx', 'failure', 'x'.repeat(500), 'https://x')
    // 138 ASCII characters, then emoji: a cut by UTF-16 units after 139 would split the first one.
    await statuses.set(SHA, 'ctx', 'failure', `${'y'.repeat(138)}${'😀'.repeat(5)}`, 'https://x')
    await statuses.set(SHA, 'ctx', 'failure', '😀'.repeat(140), 'https://x')
    const [cut, emoji, whole] = sim.statuses.map(s => s.description)
    expect(cut).toBe(`${'x'.repeat(139)}…`)
    expect(emoji).toBe(`${'y'.repeat(138)}😀…`)
    expect(whole).toBe('😀'.repeat(140))
  })
})
