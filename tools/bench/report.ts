import { serializeEntry, type LedgerEntry } from '../../src/github/ledger-entry.js'
import { startGitHubSim } from '../github-sim/server.js'
import { runAction } from '../runner/run-action.js'
import { validateScenario, type Fault } from '../simulator/scenario.js'
import { startSimulator } from '../simulator/server.js'

const KEY = 'sim-bench-key-0123456789'

/** What one run of mode `report` asked of each API. */
export interface ReportRequests {
  tracked: number
  finished: number
  exitCode: number | null
  github: number
  /** GitHub requests by route (`POST /graphql`, `POST /repos/…/statuses`, `DELETE /repos/…/contents`). */
  githubByRoute: Record<string, number>
  together: number
  /** Together requests about batches: list requests, and each batch's own GETs. */
  lists: number
  gets: number
}

/** A request's route with its IDs and SHAs left out, so requests of one kind count together. */
const route = (method: string, path: string): string =>
  `${method} ${path.replace(/\/statuses\/[0-9a-f]{40}$/, '/statuses/{sha}').replace(/\/contents\/.*$/, '/contents/{path}')}`

/**
 * The committed bundle in mode `report` over `tracked` ledger entries, the first `finished` of them
 * final on the first check, against the Together simulator and the GitHub stand-in: how many
 * requests it makes of each (the README's "a report over 50 batches" figure). `listDown` makes every
 * `GET /v1/batches` answer 500, so each batch is read with its own GET.
 */
export async function reportRequests(tracked = 50, finished = 20, { listDown = false } = {}): Promise<ReportRequests> {
  const ids = Array.from({ length: tracked }, (_, i) => `r-${String(i).padStart(3, '0')}`)
  const scenarios = ids.map((id, i) => {
    const timeline = [{ at: 0, status: i < finished ? 'COMPLETED' : 'IN_PROGRESS', progress: i < finished ? 100 : 5 }]
    const set = i < finished ? { output_file_id: `out-${id}` } : {}
    const faults: Fault[] =
      listDown && i === 0 ? [{ type: 'status', on: 'list', status: 500, body: { error: 'down' } }] : []
    return validateScenario(id, { description: id, batch: { id, ...set }, timeline, faults })
  })
  const together = await startSimulator({ apiKey: KEY, scenarios })
  const github = await startGitHubSim()
  try {
    for (const [i, id] of ids.entries()) {
      const entry: LedgerEntry = {
        batchId: id,
        repository: 'octo/repo',
        sha: String(i % 10).repeat(40),
        ref: '',
        runUrl: '',
        trackedAt: Date.now(),
        group: [id],
        policy: { failOn: new Set(['FAILED']) },
        commitStatus: `together/${id}`,
        prComment: false,
        pullRequests: []
      }
      github.seed(`batches/${id}.json`, serializeEntry(entry))
    }
    const run = await runAction({
      killAfterMs: 60_000,
      env: { GITHUB_API_URL: github.apiUrl, GITHUB_REPOSITORY: 'octo/repo', GITHUB_RUN_ID: '1' },
      inputs: { mode: 'report', 'api-key': KEY, 'base-url': together.baseUrl, 'github-token': 'ghs_bench_token' }
    })
    const githubByRoute: Record<string, number> = {}
    for (const r of github.requests) {
      const key = route(r.method, r.path)
      githubByRoute[key] = (githubByRoute[key] ?? 0) + 1
    }
    return {
      tracked,
      finished,
      exitCode: run.exitCode,
      github: github.requests.length,
      githubByRoute,
      together: together.requests.filter(r => r.path.startsWith('/v1/')).length,
      lists: together.requests.filter(r => r.path === '/v1/batches').length,
      gets: together.requests.filter(r => r.path.startsWith('/v1/batches/')).length
    }
  } finally {
    await together.close()
    await github.close()
  }
}
