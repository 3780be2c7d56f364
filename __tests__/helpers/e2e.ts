import { expect } from '@jest/globals'
import nock from 'nock'
import { runAction, type ActionRun, type RunActionOptions } from '../../tools/runner/run-action.js'
import { loadScenarios, validateScenario, type Scenario } from '../../tools/simulator/scenario.js'
import { startSimulator, type LoggedRequest } from '../../tools/simulator/server.js'

export const SIM_KEY = 'sim-e2e-key-0123456789'

export interface E2eOptions extends Omit<RunActionOptions, 'inputs'> {
  /** A shipped scenario's name, or an inline scenario; `batch-id` defaults to its batch. */
  scenario: string | Inline
  /** More scenarios to serve beside it (several batches in one step). */
  more?: Inline[]
  inputs?: Record<string, string>
  /** Scenario seconds per real second. */
  speed?: number
  /** The body of `GET /v1/models`, instead of the shipped list. */
  models?: unknown
  /** Finished batches of the account's past in `GET /v1/batches` (a busy account). */
  pastBatches?: number
}

export interface E2eRun extends ActionRun {
  requests: LoggedRequest[]
  batchId: string
}

type Inline = Omit<Scenario, 'name'> & { name?: string }

const shipped = new Map(loadScenarios().map(s => [s.name, s]))

/** Starts a simulator for one scenario, runs the bundle against it as the runner would, and stops it. */
export async function runScenario(options: E2eOptions): Promise<E2eRun> {
  nock.enableNetConnect('127.0.0.1')
  const scenario =
    typeof options.scenario === 'string'
      ? shipped.get(options.scenario)!
      : validateScenario(options.scenario.name ?? 'inline', options.scenario)
  const more = (options.more ?? []).map((s, i) => validateScenario(s.name ?? `more-${i}`, s))
  const sim = await startSimulator({
    scenarios: [scenario, ...more],
    apiKey: SIM_KEY,
    speed: options.speed ?? 1,
    models: options.models,
    pastBatches: options.pastBatches
  })
  const batchId = String(scenario.batch.id)
  try {
    const run = await runAction({
      killAfterMs: 30_000,
      ...options,
      inputs: {
        'batch-id': batchId,
        'api-key': SIM_KEY,
        'base-url': sim.baseUrl,
        'poll-interval': '1s',
        timeout: '20s',
        ...options.inputs
      }
    })
    return { ...run, requests: [...sim.requests], batchId }
  } finally {
    await sim.close()
  }
}

/** What every run must satisfy: the key never shown anywhere, and (unless told) never wrong or missing. */
export function expectKeySafe(run: E2eRun, key = SIM_KEY, requestsCarryKey = true): void {
  const log = run.log.replace(`::add-mask::${key}`, '')
  expect(log).not.toContain(key)
  expect(run.summary).not.toContain(key)
  expect(JSON.stringify(run.outputs)).not.toContain(key)
  if (requestsCarryKey) expect(run.requests.filter(r => r.auth !== 'ok')).toEqual([])
}

/** The `::error` annotations in a log, with the runner's escapes (%25, %0D, %0A) decoded. */
export const errorLines = (log: string): string[] =>
  log
    .split('\n')
    .filter(line => line.startsWith('::error'))
    .map(line => line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))

/** Gaps in ms between consecutive requests. */
export const gaps = (requests: LoggedRequest[]): number[] => requests.slice(1).map((r, i) => r.at - requests[i]!.at)

/** A batch IN_PROGRESS from the start, COMPLETED after `finalAt` s (never, when undefined) with `set`. */
export function progressingScenario(
  id: string,
  finalAt: number | undefined,
  set: Record<string, unknown> = { output_file_id: `out-${id}` }
) {
  const timeline: { at: number; status: string; progress: number; set?: Record<string, unknown> }[] = [
    { at: 0, status: 'IN_PROGRESS', progress: 5 }
  ]
  if (finalAt !== undefined) timeline.push({ at: finalAt, status: 'COMPLETED', progress: 100, set })
  return validateScenario(id, { description: id, batch: { id }, timeline })
}
