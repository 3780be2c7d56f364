import { describe, expect, it } from '@jest/globals'
import type { Fault, Scenario } from '../../tools/simulator/scenario.js'
import { errorLines as simErrorLines, expectKeySafe, runScenario, type E2eRun } from '../helpers/e2e.js'
import { GITHUB_TOKEN, KEY, errorLines, expectNoLeakNoForgery, runHostile } from '../helpers/hostile.js'
import { batch, json, startHostileServer, type Handler } from '../helpers/hostile-server.js'

/**
 * Many batches read from one `GET /v1/batches` per check, by the bundle: against the simulator (list
 * faults, a busy account) and against the hostile server (forged entries, an answer that never ends).
 */

type Inline = Omit<Scenario, 'name'> & { name?: string }

const names = (n: number, prefix = 'l') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)

function finishing(id: string, at: number, faults?: Fault[]): Inline {
  return {
    name: id,
    description: `${id} completes after ${at}s`,
    batch: { id, model_id: 'Qwen/Qwen3.5-9B' },
    timeline: [
      { at: 0, status: 'IN_PROGRESS', progress: 5 },
      { at, status: 'COMPLETED', progress: 100, set: { output_file_id: `out-${id}` } }
    ],
    faults
  }
}

/** Runs the bundle on `ids`, each completing after `at` s; `faults` go to the first batch's scenario. */
function runMany(
  ids: string[],
  at: number,
  faults: Fault[] = [],
  more: Partial<Parameters<typeof runScenario>[0]> = {}
) {
  const [first, ...rest] = ids.map(id => finishing(id, at))
  return runScenario({
    scenario: { ...first!, faults },
    more: rest,
    inputs: { 'batch-id': ids.join('\n'), timeout: '20s', 'poll-interval': '1s' },
    ...more
  })
}

const lists = (run: E2eRun) => run.requests.filter(r => r.method === 'GET' && r.path === '/v1/batches')
const ownGets = (run: E2eRun) => run.requests.filter(r => r.method === 'GET' && r.batchId !== undefined)
const statuses = (run: { outputs: Record<string, string> }) =>
  (JSON.parse(run.outputs.batches!) as { id: string; status: string }[]).map(b => b.status)
const debugLines = (run: E2eRun) => run.log.split('\n').filter(line => line.startsWith('::debug::'))

function expectAllCompleted(run: E2eRun, count: number): void {
  expect({ exitCode: run.exitCode, log: run.exitCode === 0 ? '' : run.log.slice(-2000) }).toEqual({
    exitCode: 0,
    log: ''
  })
  expect(run.outputs).toMatchObject({ status: 'COMPLETED', done: 'true', passed: 'true' })
  expect(statuses(run)).toEqual(Array.from({ length: count }, () => 'COMPLETED'))
  expect(simErrorLines(run.log)).toEqual([])
  expectKeySafe(run)
}

describe('many batches read from the batch list', () => {
  it.concurrent(
    'reads 200 batches of a busy account (6,000 past batches) with one list per check, no GET',
    async () => {
      const run = await runMany(names(200), 3, [], { pastBatches: 6000 })
      expectAllCompleted(run, 200)
      expect(ownGets(run)).toEqual([])
      const listed = lists(run)
      // About one a second while the batches run, and the one that sees them done: never one per batch.
      expect(listed.length).toBeGreaterThanOrEqual(2)
      expect(listed.length).toBeLessThanOrEqual(8)
      // The last check lands within a poll interval (and a loaded machine's slack) of the finish.
      expect(listed.at(-1)!.at - (listed[0]!.at + 3000)).toBeLessThanOrEqual(1000 + 3000)
      expect(
        debugLines(run).filter(l => l.includes('::debug::Read 200 batch states from one GET /v1/batches.'))
      ).toHaveLength(listed.length)
    }
  )

  it.concurrent('reads every batch with its own GET while the list answers 500, and still decides each', async () => {
    const listDown: Fault = { type: 'status', on: 'list', status: 500, body: { error: 'list down' } }
    const run = await runMany(names(6), 2, [listDown])
    expectAllCompleted(run, 6)
    for (const id of names(6)) expect(ownGets(run).filter(r => r.batchId === id).length).toBeGreaterThanOrEqual(1)
    // Tried again at the next check, then skipped for a while (the virtual-time tests time the backoff).
    expect(lists(run).length).toBeGreaterThanOrEqual(2)
    expect(lists(run).length).toBeLessThanOrEqual(4)
    expect(run.log).not.toMatch(/^::warning::.*list/m)
    expect(debugLines(run)).toContain(
      '::debug::The batch list could not be used (GET /batches answered HTTP 500: list down): the batches due are checked with their own GET.'
    )
  })

  it.concurrent('finds a batch missing from the list with its own GET, and only that one', async () => {
    const ids = names(5)
    const [first, ...rest] = ids.map(id => finishing(id, 1))
    const run = await runScenario({
      scenario: first!,
      more: [...rest.slice(0, -1), { ...rest.at(-1)!, faults: [{ type: 'omit', on: 'list' }] }],
      inputs: { 'batch-id': ids.join(' '), timeout: '20s', 'poll-interval': '1s' }
    })
    expectAllCompleted(run, 5)
    expect(new Set(ownGets(run).map(r => r.batchId))).toEqual(new Set([ids.at(-1)]))
    expect(lists(run).length).toBeGreaterThanOrEqual(2)
  })

  it.concurrent('reads the batches with their own GET when the list is null while they exist', async () => {
    const listNull: Fault = { type: 'status', on: 'list', status: 200, body: null }
    const run = await runMany(names(5), 0, [listNull], { inputs: { 'batch-id': names(5).join(','), timeout: '0' } })
    expectAllCompleted(run, 5)
    expect(lists(run)).toHaveLength(1)
    expect(ownGets(run).map(r => r.batchId)).toEqual(names(5))
    expect(debugLines(run).join('\n')).toContain('(it lists none of the 5 batches waited for)')
  })
})

const WAITED = names(4, 'batch-f')
const COMPLETED = { status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }
/** A list whose entries for the waited-for batches break the rules in every way but the last. */
const FORGED_LIST = [
  { id: WAITED[0], ...COMPLETED, status: 'COMPLETED\n::error::forged by the list' },
  { id: WAITED[1], ...COMPLETED, output_file_id: 42 },
  { id: WAITED[2], ...COMPLETED, model_id: 'x\u2028::add-mask::y' },
  { id: WAITED[3], ...COMPLETED },
  { id: 'batch-stranger', ...COMPLETED, error: '\n::error::stranger' }
]
const forgedIds = WAITED.slice(0, 3)

async function runForged(confirm: Handler, timeout = '6s') {
  const api = await startHostileServer()
  try {
    api.route('GET', '/v1/batches', json(FORGED_LIST))
    api.route('GET', new RegExp(`^/v1/batches/batch-f-\\d+$`), confirm)
    return await runHostile({ api, inputs: { 'batch-id': WAITED.join(' '), timeout, 'poll-interval': '1s' } })
  } finally {
    await api.close()
  }
}

describe('list entries that break the rules', () => {
  it.concurrent('are judged by the confirming GET of each batch, never by the list', async () => {
    const run = await runForged(batch(COMPLETED))
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'COMPLETED', done: 'true', passed: 'true' })
    const gets = run.api.filter(r => r.path !== '/v1/batches').map(r => r.path)
    expect(gets.sort()).toEqual(forgedIds.map(id => `/v1/batches/${id}`))
    expect(run.log).not.toContain('stranger')
    expectNoLeakNoForgery(run, [KEY, GITHUB_TOKEN])
  })

  it.concurrent('fail closed when the confirming GET is forged too', async () => {
    const forged: Handler = (req, res, n) => {
      const id = /batch-f-\d+/.exec(req.path)![0]
      return json(FORGED_LIST.find(e => e.id === id)!)(req, res, n)
    }
    const run = await runForged(forged, '4s')
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    // The GET's broken status is unknown (still running) until the timeout; its output file that is a
    // number is no output file; the entry with a broken model name is taken from its own GET.
    const outputs = JSON.parse(run.outputs.batches!) as { id: string; status: string; output_file_id: string | null }[]
    expect(outputs.map(b => [b.id, b.status, b.output_file_id])).toEqual([
      [WAITED[0], 'UNKNOWN', 'file-out'],
      [WAITED[1], 'COMPLETED', null],
      [WAITED[2], 'COMPLETED', 'file-out'],
      [WAITED[3], 'COMPLETED', 'file-out']
    ])
    expect(run.outputs).toMatchObject({ 'timed-out': 'true', done: 'false' })
    expect(errorLines(run.log).join('\n')).toContain(`${WAITED[1]!} COMPLETED without output file`)
    expect(run.log).not.toContain('stranger')
    expectNoLeakNoForgery(run, [KEY, GITHUB_TOKEN])
  })
})

describe('a list answer over the size bound', () => {
  it.concurrent('is cut off and the batches are read with their own GET', async () => {
    const api = await startHostileServer()
    let sent = 0
    try {
      api.route('GET', '/v1/batches', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('[')
        const entry =
          `${JSON.stringify({ id: 'old', status: 'COMPLETED', progress: 100, output_file_id: 'f' })},`.repeat(1000)
        const more = (): void => {
          while (!res.destroyed && sent < 256 * 1024 ** 2 && res.write(entry)) sent += entry.length
        }
        res.on('drain', more)
        more()
      })
      api.route('GET', /^\/v1\/batches\/batch-f-\d+$/, batch(COMPLETED))
      const run = await runHostile({ api, inputs: { 'batch-id': WAITED.join(' '), timeout: '10s' } })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({ status: 'COMPLETED', done: 'true' })
      expect(run.api.filter(r => r.path !== '/v1/batches')).toHaveLength(4)
      expect(run.log).toContain(
        '::debug::The batch list could not be used (GET /batches answered more than 16777216 bytes'
      )
      expectNoLeakNoForgery(run, [KEY, GITHUB_TOKEN])
    } finally {
      await api.close()
    }
    expect(sent).toBeLessThan(64 * 1024 ** 2)
  })
})
