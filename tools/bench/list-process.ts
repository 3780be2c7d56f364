import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serializeEntry } from '../../src/github/ledger-entry.js'
import { startGitHubSim } from '../github-sim/server.js'
import { runAction } from '../runner/run-action.js'
import { validateScenario, type Fault } from '../simulator/scenario.js'
import { startSimulator } from '../simulator/server.js'
import { sample } from './process.js'

const LIST_DOWN: Fault = { type: 'status', on: 'list', status: 500, body: { error: 'list down' } }

function running(id: string, faults: Fault[] = []) {
  return validateScenario(id, { description: id, batch: { id }, timeline: [{ at: 0, status: 'IN_PROGRESS' }], faults })
}

/**
 * Peak RSS (MiB) of the bundle reading 4 running batches from the list of an account that also holds
 * `past` old batches: checking once (`timeout: 0`, one list), or for `timeout` at `poll-interval: 1s`
 * (a list a second), sampled from /proc.
 */
export async function listPeakRss(past: number, timeout: string): Promise<{ peakMiB: number; lists: number }> {
  const ids = ['r-0', 'r-1', 'r-2', 'r-3']
  const sim = await startSimulator({ scenarios: ids.map(id => running(id)), pastBatches: past })
  let pid = 0
  let peak = 0
  const timer = setInterval(() => (peak = Math.max(peak, sample(pid)?.peakMiB ?? 0)), 20)
  try {
    const inputs = { 'batch-id': ids.join(' '), 'api-key': sim.apiKey, 'base-url': sim.baseUrl, timeout }
    await runAction({ inputs: { ...inputs, 'poll-interval': '1s' }, onSpawn: spawned => (pid = spawned) })
    return { peakMiB: peak, lists: sim.requests.filter(r => r.path === '/v1/batches').length }
  } finally {
    clearInterval(timer)
    await sim.close()
  }
}

export interface ReportRequests {
  github: number
  /** Together requests about batches: list requests and single GETs. */
  lists: number
  gets: number
}

/**
 * Mode report over 50 tracked batches (20 of them final), as one process against the GitHub and
 * Together stand-ins; `listDown` makes every list answer HTTP 500, so each batch is read on its own.
 */
export async function reportRequests(listDown: boolean): Promise<ReportRequests> {
  const ids = Array.from({ length: 50 }, (_, i) => `m-${String(i).padStart(2, '0')}`)
  const scenarios = ids.map((id, i) =>
    validateScenario(id, {
      description: id,
      batch: { id },
      timeline: [{ at: 0, status: i < 20 ? 'COMPLETED' : 'IN_PROGRESS', set: { output_file_id: `out-${id}` } }],
      faults: listDown && i === 0 ? [LIST_DOWN] : undefined
    })
  )
  const sim = await startSimulator({ scenarios })
  const github = await startGitHubSim()
  const temp = mkdtempSync(join(tmpdir(), 'bench-report-'))
  try {
    writeFileSync(join(temp, 'event.json'), '{}')
    for (const [i, id] of ids.entries()) {
      const entry = serializeEntry({
        repository: 'octo/repo',
        ref: '',
        runUrl: '',
        policy: { failOn: new Set<never>() },
        prComment: false,
        batchId: id,
        sha: String(i % 10).repeat(40),
        group: [id],
        commitStatus: `together/${id}`,
        trackedAt: Date.now()
      })
      github.seed(`batches/${id}.json`, entry)
    }
    const env = {
      GITHUB_API_URL: github.apiUrl,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'octo/repo',
      GITHUB_SHA: 'e'.repeat(40),
      GITHUB_RUN_ID: '42',
      GITHUB_EVENT_PATH: join(temp, 'event.json')
    }
    const inputs = { mode: 'report', 'api-key': sim.apiKey, 'base-url': sim.baseUrl, 'github-token': 'ghs_bench' }
    const run = await runAction({ env, inputs })
    if (run.outputs.pending !== '30') throw new Error(`the report left ${run.outputs.pending ?? 'no'} pending, not 30`)
    const batches = sim.requests.filter(r => r.path.startsWith('/v1/batches'))
    return {
      github: github.requests.length,
      lists: batches.filter(r => r.path === '/v1/batches').length,
      gets: batches.filter(r => r.path !== '/v1/batches').length
    }
  } finally {
    await sim.close()
    await github.close()
    rmSync(temp, { recursive: true, force: true })
  }
}
