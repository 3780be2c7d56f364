import { waitForBatches } from '../../src/engine/wait.js'
import { TogetherClient } from '../../src/together/client.js'
import type { BatchJob } from '../../src/together/types.js'
import { runAction } from '../runner/run-action.js'
import { startSimulator } from '../simulator/server.js'
import { validateScenario } from '../simulator/scenario.js'
import { eventLoop, latentApi } from '../virtual/event-loop.js'
import { sample } from './process.js'
import { median } from './table.js'

export interface ManyFigures {
  /** Requests of the whole wait: list requests and each batch's own GETs. */
  lists: number
  gets: number
  /** Batch states read (a list answer reads every batch it holds). */
  reads: number
  /** Checks: list requests, or sweeps over every batch with its own GET. */
  checks: number
  /** From the moment every batch was final to the end of the wait. */
  afterFinishMs: number
}

const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }

/**
 * The engine in virtual time on `count` batches that all complete at `finishMs`, every answer taking
 * `latencyMs`; read with one list per check (`list`) or with a GET per batch, in the same conditions.
 * `linear`: the batches report steady progress (the ETA schedule applies); else a flat 10 %.
 */
export async function manyTogether(
  count: number,
  options: { list: boolean; latencyMs: number; finishMs: number; pollIntervalMs: number; linear: boolean }
): Promise<ManyFigures> {
  const loop = eventLoop()
  const ids = Array.from({ length: count }, (_, i) => `b-${i}`)
  const { finishMs, linear } = options
  const job = (id: string, elapsed: number): BatchJob =>
    elapsed >= finishMs
      ? { id, status: 'COMPLETED', progress: 100, output_file_id: `out-${id}` }
      : { id, status: 'IN_PROGRESS', progress: linear ? Math.floor((elapsed / finishMs) * 1000) / 10 : 10 }
  const listPlan = options.list ? (elapsed: number) => ids.map(id => job(id, elapsed)) : undefined
  const fake = latentApi(loop, job, () => options.latencyMs, undefined, listPlan)
  const all = await loop.run(
    waitForBatches(
      { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log: quiet },
      {
        batchIds: ids,
        timeoutMs: 6 * 3_600_000,
        pollIntervalMs: options.pollIntervalMs,
        cancelOnTimeout: false,
        cancelOnAbort: false
      }
    )
  )
  if (!all.done) throw new Error('the wait did not end with every batch final')
  const lists = fake.calls.filter(c => c.method === 'list').length
  const gets = fake.calls.filter(c => c.method === 'get').length
  return {
    lists,
    gets,
    reads: all.results.reduce((sum, r) => sum + r.requests, 0),
    checks: options.list ? lists : gets / count,
    afterFinishMs: all.endedAt - (all.startedAt + finishMs)
  }
}

/** Four batches that keep running: the ones waited for beside an account's past. */
const RUNNING = ['r-0', 'r-1', 'r-2', 'r-3'].map(id =>
  validateScenario(id, { description: id, batch: { id }, timeline: [{ at: 0, status: 'IN_PROGRESS' }] })
)

export interface ListCost {
  /** Bytes of the list answer. */
  bytes: number
  /** `listBatches` as the engine asks (only the 4 waited for kept): request, streamed parse, validation (median). */
  listMs: number
  /** The same, every entry kept and validated (median). */
  listAllMs: number
  /** The same request read as text, unparsed: what of `listMs` is the simulator and the wire (median). */
  fetchMs: number
  /** `JSON.parse` of the same text, for comparison (median). */
  jsonParseMs: number
  /** One `getBatch` over loopback (median). */
  getMs: number
}

/** What one list costs the client for an account of `past` old batches plus 4 running ones, on loopback. */
export async function listCost(past: number, runs = 9): Promise<ListCost> {
  const sim = await startSimulator({ scenarios: RUNNING, pastBatches: past })
  const client = new TogetherClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, proxy: {} })
  const only = new Set(RUNNING.map(s => String(s.batch.id)))
  try {
    const fetchText = async (): Promise<string> =>
      (await fetch(`${sim.baseUrl}/batches`, { headers: { authorization: `Bearer ${sim.apiKey}` } })).text()
    const text = await fetchText()
    const timed = async (work: () => unknown): Promise<number> => {
      const times: number[] = []
      for (let i = 0; i < runs; i++) {
        const start = performance.now()
        await work()
        times.push(performance.now() - start)
      }
      return median(times)
    }
    return {
      bytes: Buffer.byteLength(text),
      listMs: await timed(() => client.listBatches({ only })),
      listAllMs: await timed(() => client.listBatches()),
      fetchMs: await timed(fetchText),
      jsonParseMs: await timed(() => JSON.parse(text)),
      getMs: await timed(() => client.getBatch('r-0'))
    }
  } finally {
    await client.close()
    await sim.close()
  }
}

/**
 * Peak RSS (MiB) of the bundle reading 4 running batches from the list of an account that also holds
 * `past` old batches: checking once (`timeout: 0`, one list), or for `timeout` at `poll-interval: 1s`
 * (a list a second), sampled from /proc.
 */
export async function listPeakRss(past: number, timeout: string): Promise<{ peakMiB: number; lists: number }> {
  const ids = RUNNING.map(s => String(s.batch.id))
  const sim = await startSimulator({ scenarios: RUNNING, pastBatches: past })
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
