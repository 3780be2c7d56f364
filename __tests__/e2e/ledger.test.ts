import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { serializeEntry } from '../../src/github/ledger-entry.js'
import { startGitHubSim, type GitHubSim } from '../../tools/github-sim/server.js'
import { runAction } from '../../tools/runner/run-action.js'
import { startSimulator, type Simulator } from '../../tools/simulator/server.js'
import { errorLines, progressingScenario, SIM_KEY } from '../helpers/e2e.js'

const HEAD = 'c'.repeat(40)
const OTHER = 'd'.repeat(40)
const CONTEXT = 'together/evals'

let together: Simulator
/** The simulator's clock runs ahead of the wall clock by this much: the suite moves time on, never sleeps. */
let ahead = 0
let github: GitHubSim
let temp: string
let env: Record<string, string>

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1')
  temp = mkdtempSync(join(tmpdir(), 'ledger-e2e-'))
  writeFileSync(join(temp, 'event.json'), JSON.stringify({ pull_request: { number: 7, head: { sha: HEAD } } }))
  together = await startSimulator({
    apiKey: SIM_KEY,
    now: () => Date.now() + ahead,
    scenarios: [
      progressingScenario('b-fast', 1),
      progressingScenario('b-noout', 1, {}),
      progressingScenario('b-slow', 9),
      progressingScenario('b-stuck', undefined)
    ]
  })
  github = await startGitHubSim()
  env = {
    GITHUB_API_URL: github.apiUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'octo/repo',
    GITHUB_SHA: 'e'.repeat(40),
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_RUN_ID: '42',
    GITHUB_EVENT_PATH: join(temp, 'event.json')
  }
})

afterAll(async () => {
  await together.close()
  await github.close()
  rmSync(temp, { recursive: true, force: true })
})

const run = (inputs: Record<string, string>) =>
  runAction({
    killAfterMs: 30_000,
    env,
    inputs: { 'api-key': SIM_KEY, 'base-url': together.baseUrl, 'github-token': 'ghs_e2e_token', ...inputs }
  })

const ledgerIds = (): string[] =>
  [...(github.files() ?? new Map<string, string>()).keys()].filter(p => p.startsWith('batches/')).sort()

describe('mode track, then mode report, as separate processes', () => {
  it('tracks, reports batches as they finish across runs, and never duplicates an effect', async () => {
    // The first write of the ledger loses a race once: it is retried on the new state.
    github.faults.push({ method: 'PUT', path: /contents\/batches\/b-noout\.json$/, status: 409, times: 1 })
    const tracked = await run({
      mode: 'track',
      'batch-id': 'b-fast b-noout b-slow',
      'commit-status': CONTEXT,
      'pr-comment': 'true'
    })
    expect(tracked.exitCode).toBe(0)
    expect(JSON.parse(tracked.outputs.tracked!)).toEqual(['b-fast', 'b-noout', 'b-slow'])
    expect(ledgerIds()).toEqual(['batches/b-fast.json', 'batches/b-noout.json', 'batches/b-slow.json'])
    expect(JSON.parse(github.files()!.get('batches/b-fast.json')!)).toMatchObject({
      batch_id: 'b-fast',
      sha: HEAD,
      pull_request: 7,
      ref: 'refs/pull/7/merge',
      run_url: 'https://github.example/octo/repo/actions/runs/42',
      settings: { commit_status: CONTEXT, fail_on: ['FAILED', 'EXPIRED', 'CANCELLED'] }
    })
    expect(github.comments).toEqual([
      expect.objectContaining({
        id: 1,
        issue: 7,
        body: expect.stringContaining(`<!-- wait-for-together-batch:${CONTEXT} -->`)
      })
    ])
    expect(github.comments[0]!.body.match(/\| 🔄 /g)).toHaveLength(3)
    expect(github.statuses.map(s => [s.sha, s.state])).toEqual([
      [HEAD, 'pending'],
      [HEAD, 'pending']
    ])

    // Tracked by other runs: one Together does not know, one stuck for longer than forget-after.
    const other = {
      repository: 'octo/repo',
      ref: 'refs/heads/main',
      runUrl: '',
      group: [],
      prComment: false,
      pullRequests: []
    }
    const common = { ...other, sha: OTHER, policy: { failOn: new Set(['FAILED' as const]) }, commitStatus: '' }
    github.seed('batches/b-gone.json', serializeEntry({ ...common, batchId: 'b-gone', trackedAt: Date.now() }))
    github.seed(
      'batches/b-stuck.json',
      serializeEntry({ ...common, batchId: 'b-stuck', trackedAt: Date.now() - 8 * 86_400_000 })
    )
    github.seed('batches/not..an-id.json', '{}')
    ahead += 2500

    const before = github.requests.length
    const [first, second] = await Promise.all([run({ mode: 'report' }), run({ mode: 'report' })])
    for (const report of [first, second]) {
      expect(report.exitCode).toBe(1)
      expect(report.outputs.pending).toBe('1')
      const reported = JSON.parse(report.outputs.reported!) as { id: string; passed: boolean; status: string }[]
      expect(reported.map(r => [r.id, r.passed])).toEqual([
        ['b-fast', true],
        ['b-gone', false],
        ['b-noout', false],
        ['b-stuck', false]
      ])
      expect(errorLines(report.log)[0]).toContain('b-noout completed without an output file')
      expect(report.summary).toContain('b-gone')
      expect(report.log).toContain('not..an-id.json')
    }
    expect(ledgerIds()).toEqual(['batches/b-slow.json', 'batches/not..an-id.json'])
    // Both runs set the same failure (b-noout failed, b-slow still runs): the same visible state.
    const reportStatuses = github.statuses.slice(2)
    expect(new Set(reportStatuses.map(s => `${s.sha} ${s.context} ${s.state} ${s.description}`)).size).toBe(1)
    expect(reportStatuses[0]).toMatchObject({ sha: HEAD, state: 'failure' })
    // One comment, edited in place by both runs: b-fast passed, b-noout failed, b-slow still running.
    expect(github.comments).toHaveLength(1)
    expect(github.comments[0]!.body).toMatch(/❌ b-noout .*\n.*🔄 b-slow .*\n.*✅ b-fast /)
    // Per run: the ledger read, one status, the comment (find, edit) and four removals.
    const perRun = (github.requests.length - before) / 2
    expect(perRun).toBeLessThanOrEqual(1 + 1 + 2 + 4)

    ahead += 7000
    const last = await run({ mode: 'report' })
    expect(last.exitCode).toBe(0)
    expect(JSON.parse(last.outputs.reported!)).toEqual([expect.objectContaining({ id: 'b-slow', passed: true })])
    // b-noout already failed this commit's status: the last batch of the step does not turn it green.
    expect(github.statuses.at(-1)).toMatchObject({ state: 'failure' })
    expect(ledgerIds()).toEqual(['batches/not..an-id.json'])
    expect(github.comments).toHaveLength(1)
    expect(github.comments[0]!.body).toMatch(/✅ b-slow/)

    // A token that may not comment: one warning, and the batch is still tracked.
    github.faults.push({ method: 'POST', path: /issues\/7\/comments$/, status: 403, times: 1 })
    const refused = await run({ mode: 'track', 'batch-id': 'b-stuck', 'pr-comment': 'true', 'commit-status': 'other' })
    expect(refused.exitCode).toBe(0)
    expect(refused.log.match(/::warning::Could not comment on pull request #7: .*pull-requests: write/g)).toHaveLength(
      1
    )
    expect(ledgerIds()).toContain('batches/b-stuck.json')

    const empty = await run({ mode: 'report', 'ledger-branch': 'other-ledger' })
    expect(empty.exitCode).toBe(0)
    expect(empty.outputs).toMatchObject({ reported: '[]', pending: '0' })
    for (const r of [tracked, first, second, last, empty])
      expect(r.log.replace('::add-mask::ghs_e2e_token', '')).not.toContain('ghs_e2e_token')
  }, 60_000)
})

describe('a report over many tracked batches', () => {
  it('reads the ledger once and the batches from one list, and makes one status and one removal per batch reported', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `m-${String(i).padStart(2, '0')}`)
    // The first 20 are final on the first check; the other 30 keep running.
    const sim = await startSimulator({
      apiKey: SIM_KEY,
      scenarios: ids.map((id, i) => progressingScenario(id, i < 20 ? 0 : undefined))
    })
    const gh = await startGitHubSim()
    try {
      for (const [i, id] of ids.entries()) {
        const sha = String(i % 10).repeat(40)
        const common = {
          repository: 'octo/repo',
          ref: '',
          runUrl: '',
          policy: { failOn: new Set<never>() },
          prComment: false,
          pullRequests: []
        }
        gh.seed(
          `batches/${id}.json`,
          serializeEntry({
            ...common,
            batchId: id,
            sha,
            group: [id],
            commitStatus: `together/${id}`,
            trackedAt: Date.now()
          })
        )
      }
      const report = await runAction({
        killAfterMs: 40_000,
        env: { ...env, GITHUB_API_URL: gh.apiUrl },
        inputs: { mode: 'report', 'api-key': SIM_KEY, 'base-url': sim.baseUrl, 'github-token': 'ghs_e2e_token' }
      })
      expect(report.exitCode).toBe(0)
      expect(report.outputs.pending).toBe('30')
      expect(JSON.parse(report.outputs.reported!)).toHaveLength(20)
      const byRoute = gh.requests.map(r => `${r.method} ${r.path}`)
      expect(byRoute.filter(r => r === 'POST /graphql')).toHaveLength(1)
      expect(byRoute.filter(r => r.startsWith('POST /repos/octo/repo/statuses/'))).toHaveLength(20)
      expect(byRoute.filter(r => r.startsWith('DELETE '))).toHaveLength(20)
      expect(gh.requests).toHaveLength(41)
      expect([...gh.files()!.keys()]).toHaveLength(30)
      // Together: the 50 states from one list request, none with a GET of its own.
      expect(sim.requests.filter(r => r.path.startsWith('/v1/batches')).map(r => `${r.method} ${r.path}`)).toEqual([
        'GET /v1/batches'
      ])
    } finally {
      await sim.close()
      await gh.close()
    }
  }, 60_000)

  it('repeats a report that stopped before its ledger entry was removed, with the same visible effect', async () => {
    const sim = await startSimulator({ apiKey: SIM_KEY, scenarios: [progressingScenario('h-done', 0)] })
    const gh = await startGitHubSim()
    try {
      gh.seed(
        'batches/h-done.json',
        serializeEntry({
          repository: 'octo/repo',
          ref: '',
          runUrl: '',
          policy: { failOn: new Set<never>() },
          prComment: true,
          pullRequests: [7],
          batchId: 'h-done',
          sha: HEAD,
          group: ['h-done'],
          commitStatus: CONTEXT,
          trackedAt: Date.now()
        })
      )
      // The first run sets the status and the comment, then cannot remove the entry (as if killed there).
      gh.faults.push({ method: 'DELETE', path: /contents\/batches\/h-done\.json$/, status: 500, times: 1 })
      const report = () =>
        runAction({
          killAfterMs: 30_000,
          env: { ...env, GITHUB_API_URL: gh.apiUrl },
          inputs: { mode: 'report', 'api-key': SIM_KEY, 'base-url': sim.baseUrl, 'github-token': 'ghs_e2e_token' }
        })
      const first = await report()
      expect(first.exitCode).toBe(1)
      expect([...gh.files()!.keys()]).toEqual(['batches/h-done.json'])
      const second = await report()
      expect(second.exitCode).toBe(0)
      expect(gh.files()!.size).toBe(0)
      // Reported twice, but what a reviewer sees is the same: one final state, one comment edited in place.
      const finals = gh.statuses.filter(st => st.context === CONTEXT).map(st => `${st.state}: ${st.description}`)
      expect(finals).toHaveLength(2)
      expect(new Set(finals).size).toBe(1)
      expect(gh.comments).toHaveLength(1)
    } finally {
      await sim.close()
      await gh.close()
    }
  }, 60_000)
})
