import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runAction } from '../runner/run-action.js'
import { validateScenario } from '../simulator/scenario.js'
import { startSimulator } from '../simulator/server.js'
import { median } from './table.js'

const TICKS_PER_SECOND = 100

/** utime + stime (s) and peak RSS (MiB) of a live process, from /proc. */
export function sample(pid: number): { cpuS: number; peakMiB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { cpuS, peakMiB: Number(hwm?.[1] ?? 0) / 1024 }
  } catch {
    return undefined
  }
}

/** Wall time of `node -e 0` (ms), median of several runs. */
export function bareNodeMs(runs = 7): number {
  return median(
    Array.from({ length: runs }, () => {
      const start = performance.now()
      spawnSync(process.execPath, ['-e', '0'])
      return performance.now() - start
    })
  )
}

/**
 * `source` bundled with ncc the way `npm run build` bundles the action (ncc writes the
 * `"type": "module"` package.json beside it), into a temporary folder; returns the bundle's path.
 */
export function buildBundle(source: string): string {
  const out = mkdtempSync(join(tmpdir(), 'bench-bundle-'))
  const ncc = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
  const built = spawnSync(process.execPath, [ncc, 'build', source, '-o', out, '--quiet', '--no-source-map-register'])
  if (built.status !== 0) throw new Error(`ncc could not bundle ${source}: ${built.stderr.toString()}`)
  return join(out, 'index.js')
}

/** The floor program (`floor/minimal.ts`) bundled as the action is (see `buildBundle`). */
export function buildFloorBundle(): string {
  return buildBundle(join(ROOT, 'tools', 'bench', 'floor', 'minimal.ts'))
}

/**
 * Spawn-to-first-request time (ms) of each bundle (undefined: the action's), median of several runs
 * against the simulator. The bundles take turns run by run, so a machine that speeds up or slows down
 * meanwhile weighs on each alike.
 */
export async function timeToFirstRequestMs(bundles: (string | undefined)[], runs = 7): Promise<number[]> {
  const scenario = validateScenario('instant', {
    description: 'final at once',
    batch: {},
    timeline: [{ at: 0, status: 'COMPLETED', progress: 100, set: { output_file_id: 'f' } }]
  })
  const times: number[][] = bundles.map(() => [])
  for (let i = 0; i < runs; i++) {
    for (const [index, bundle] of bundles.entries()) {
      const sim = await startSimulator({ scenarios: [scenario] })
      const spawnedAt = Date.now()
      const inputs = { 'batch-id': 'batch-instant', 'api-key': sim.apiKey, 'base-url': sim.baseUrl }
      await runAction({ inputs, bundle })
      times[index]!.push(sim.startedAt + sim.requests[0]!.at - spawnedAt)
      await sim.close()
    }
  }
  return times.map(median)
}

export interface ProcessFigures {
  detectionDelayMs: number
  fixedDetectionDelayMs: number
  requests: number
  fixedRequests: number
}

/** A hand-written fixed-interval poller, for comparison: check, sleep, repeat. */
async function fixedPoller(baseUrl: string, key: string, id: string, intervalMs: number): Promise<void> {
  for (;;) {
    const response = await fetch(`${baseUrl}/batches/${id}`, { headers: { authorization: `Bearer ${key}` } })
    const job = (await response.json()) as { status?: string }
    if (job.status === 'COMPLETED') return
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/**
 * The bundle and a fixed-interval poller, side by side, each against its own simulator, on a batch
 * that runs `seconds` with linear progress, polled at most every `pollSeconds`.
 */
export async function realRun(seconds: number, pollSeconds: number): Promise<ProcessFigures> {
  const scenario = validateScenario('linear', {
    description: 'linear progress',
    batch: {},
    timeline: [
      { at: 0, status: 'IN_PROGRESS', progress: 0, interpolate: true },
      { at: seconds, status: 'COMPLETED', progress: 100, set: { output_file_id: 'f' } }
    ]
  })
  const simA = await startSimulator({ scenarios: [scenario] })
  const simB = await startSimulator({ scenarios: [scenario] })
  const detection = (sim: typeof simA): number => sim.requests.at(-1)!.at - sim.requests[0]!.at - seconds * 1000
  const action = runAction({
    inputs: {
      'batch-id': 'batch-linear',
      'api-key': simA.apiKey,
      'base-url': simA.baseUrl,
      'poll-interval': `${pollSeconds}s`
    }
  })
  await Promise.all([action, fixedPoller(simB.baseUrl, simB.apiKey, 'batch-linear', pollSeconds * 1000)])
  await simA.close()
  await simB.close()
  return {
    detectionDelayMs: detection(simA),
    fixedDetectionDelayMs: detection(simB),
    requests: simA.requests.length,
    fixedRequests: simB.requests.length
  }
}

/**
 * CPU and memory of the bundle while it waits: a batch that never finishes, `seconds` of waiting at
 * `poll-interval: 30s`; CPU is counted after a 6 s warm-up (start-up compilation), from /proc.
 */
export async function idleRun(seconds = 45): Promise<{ cpuSecondsPerMinute: number; peakRssMiB: number }> {
  const scenario = validateScenario('idle', {
    description: 'never ends',
    batch: {},
    timeline: [{ at: 0, status: 'IN_PROGRESS', progress: 1 }]
  })
  const sim = await startSimulator({ scenarios: [scenario] })
  let pid = 0
  const action = runAction({
    inputs: { 'batch-id': 'batch-idle', 'api-key': sim.apiKey, 'base-url': sim.baseUrl, timeout: `${seconds}s` },
    onSpawn: spawned => (pid = spawned)
  })
  const startedAt = Date.now()
  let peak = 0
  let warm: { cpuS: number; at: number } | undefined
  let last: { cpuS: number; at: number } | undefined
  const timer = setInterval(() => {
    const s = sample(pid)
    if (!s) return
    peak = Math.max(peak, s.peakMiB)
    const now = Date.now()
    if (!warm && now - startedAt > 6000) warm = { cpuS: s.cpuS, at: now }
    last = { cpuS: s.cpuS, at: now }
  }, 250)
  await action
  clearInterval(timer)
  await sim.close()
  const cpu = warm && last && last.at > warm.at ? ((last.cpuS - warm.cpuS) / (last.at - warm.at)) * 60_000 : NaN
  return { cpuSecondsPerMinute: cpu, peakRssMiB: peak }
}

export const bundleBytes = (): number => statSync(join(ROOT, 'dist', 'index.js')).size
