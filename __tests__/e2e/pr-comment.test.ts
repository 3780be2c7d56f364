import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'
import { runAction } from '../../tools/runner/run-action.js'
import { validateScenario } from '../../tools/simulator/scenario.js'
import { startSimulator, type Simulator } from '../../tools/simulator/server.js'
import { progressingScenario, SIM_KEY } from '../helpers/e2e.js'

/** The pushed commit: the head of pull request 5 (and of a closed one, 4). */
const PUSHED = 'f'.repeat(40)

let together: Simulator
let github: GitHubSim | undefined
let temp: string
let ahead = 0

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1')
  temp = mkdtempSync(join(tmpdir(), 'pr-comment-e2e-'))
  // A push event: no pull_request in the payload.
  writeFileSync(join(temp, 'push.json'), JSON.stringify({ ref: 'refs/heads/feature', after: PUSHED }))
  together = await startSimulator({
    apiKey: SIM_KEY,
    now: () => Date.now() + ahead,
    scenarios: [progressingScenario('p-done', 0), progressingScenario('p-later', 5)]
  })
})

beforeEach(async () => {
  await github?.close()
  github = await startGitHubSim()
})

/** The GitHub stand-in of the current test. */
const gh = (): GitHubSim => github!

afterAll(async () => {
  await together.close()
  await github?.close()
  rmSync(temp, { recursive: true, force: true })
})

const run = (inputs: Record<string, string>) =>
  runAction({
    killAfterMs: 30_000,
    env: {
      GITHUB_API_URL: gh().apiUrl,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'octo/repo',
      GITHUB_SHA: PUSHED,
      GITHUB_REF: 'refs/heads/feature',
      GITHUB_RUN_ID: '42',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(temp, 'push.json')
    },
    inputs: { 'api-key': SIM_KEY, 'base-url': together.baseUrl, 'github-token': 'ghs_e2e_token', ...inputs }
  })

const warnings = (log: string): string[] => log.split('\n').filter(l => l.startsWith('::warning'))

describe('the pull request of a pushed commit', () => {
  it('comments on the open pull request whose head is the pushed commit', async () => {
    gh().pulls.set(PUSHED, [
      { number: 4, state: 'closed', head: { sha: PUSHED } },
      { number: 5, state: 'open', head: { sha: PUSHED } }
    ])
    const step = await run({ 'batch-id': 'p-done', 'pr-comment': 'true' })
    expect(step.exitCode).toBe(0)
    expect(gh().comments.map(c => c.issue)).toEqual([5])
    expect(gh().comments[0]!.body).toContain('**✅ Passed** · 1 batch: 1 completed, 0 failed, 0 running')
    expect(warnings(step.log)).toEqual([])
  })

  it('says in one info line that no pull request has the commit, and comments nowhere', async () => {
    const step = await run({ 'batch-id': 'p-done', 'pr-comment': 'true' })
    expect(step.exitCode).toBe(0)
    expect(gh().comments).toEqual([])
    expect(step.log).toContain('no open pull request has commit ffffffffffff at its head: no comment.')
    expect(warnings(step.log)).toEqual([])
  })

  it('warns once when the token cannot list the pull requests, and the outcome is unchanged', async () => {
    gh().faults.push({ method: 'GET', path: /\/pulls$/, status: 403, times: 1 })
    const step = await run({ 'batch-id': 'p-done', 'pr-comment': 'true', 'commit-status': 'ctx' })
    expect(step.exitCode).toBe(0)
    expect(step.outputs.passed).toBe('true')
    expect(warnings(step.log)).toEqual([expect.stringContaining('pull-requests: read')])
    expect(gh().statuses.map(s => s.state)).toEqual(['pending', 'success'])
  })

  it('records the pull request when tracking on push, and the report comments on it', async () => {
    gh().pulls.set(PUSHED, [{ number: 5, state: 'open', head: { sha: PUSHED } }])
    const tracked = await run({ mode: 'track', 'batch-id': 'p-later', 'pr-comment': 'true' })
    expect(tracked.exitCode).toBe(0)
    expect(JSON.parse(gh().files()!.get('batches/p-later.json')!)).toMatchObject({
      pull_request: 5,
      pull_requests: [5]
    })
    ahead += 6000
    const report = await run({ mode: 'report' })
    expect(report.exitCode).toBe(0)
    expect(gh().comments.map(c => c.issue)).toEqual([5])
    expect(gh().comments[0]!.body).toMatch(/\*\*✅ Passed\*\* · 1 batch[^\n]*\n[\s\S]*\| ✅ p-later \| COMPLETED/)
  }, 60_000)
})

describe('a comment over many batches', () => {
  it("stays under GitHub's limit with 300 failed batches, counting all of them, each row saying why", async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `f-${String(i).padStart(3, '0')}-${'long'.repeat(28)}`)
    const error = (i: number) =>
      `Input validation failed for batch ${i}: ${'the request body is malformed; '.repeat(12)}`
    const many = await startSimulator({
      apiKey: SIM_KEY,
      scenarios: ids.map((id, i) =>
        validateScenario(id, {
          description: id,
          batch: { id },
          timeline: [{ at: 0, status: 'FAILED', progress: 0, set: { error: error(i) } }]
        })
      )
    })
    try {
      gh().pulls.set(PUSHED, [{ number: 9, state: 'open', head: { sha: PUSHED } }])
      const step = await runAction({
        killAfterMs: 60_000,
        env: {
          GITHUB_API_URL: gh().apiUrl,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_REPOSITORY: 'octo/repo',
          GITHUB_SHA: PUSHED,
          GITHUB_RUN_ID: '42',
          GITHUB_EVENT_PATH: join(temp, 'push.json')
        },
        inputs: {
          'api-key': SIM_KEY,
          'base-url': many.baseUrl,
          'github-token': 'ghs_e2e_token',
          'batch-id': ids.join('\n'),
          'pr-comment': 'true'
        }
      })
      expect(step.exitCode).toBe(1)
      expect(gh().comments).toHaveLength(1)
      const body = gh().comments[0]!.body
      expect(body.length).toBeLessThan(65_536)
      const lines = body.split('\n')
      expect(lines[3]).toBe(
        '**❌ Failed on fail-on status** · 300 batches: 0 completed, 300 failed (FAILED 300), 0 running · request counts not fetched (max-failed-requests or download-dir fetch them)'
      )
      const rows = lines.filter(l => l.startsWith('| ❌ '))
      expect(rows.length).toBeGreaterThan(10)
      expect(rows.length).toBeLessThan(300)
      expect(rows[0]).toContain(`| ❌ ${ids[0]!} | FAILED |`)
      expect(rows[0]).toContain('Input validation failed for batch 0: the request body is malformed;')
      expect(body).toContain(`And ${300 - rows.length} more (all in the run summary).`)
    } finally {
      await many.close()
    }
  }, 90_000)
})
