import { spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { finished } from 'node:stream/promises'
import { ROOT } from '../runner/run-action.js'
import { buildBundle } from './process.js'
import { startSimulator } from '../simulator/server.js'
import { median } from './table.js'

/** Together's limit exactly: lines of 2,000 bytes, LF included, 50,000 of them in 100 MB. */
const LINE_BYTES = 2_000
const MODELS = ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'Qwen/Qwen3.5-9B', 'openai/gpt-oss-20b']

interface ChildFigures {
  ms: number
  bytes: number
  requests: number
  problems: number
  peakRssKiB: number
}

export interface SubmitFigures {
  preflight: { bytes: number; requests: number; ms: number; peakRssMiB: number }
  /** Uploads of a 60 MB file to the simulator, by flow. */
  uploads: { flow: string; bytes: number; ms: number; peakRssMiB: number }[]
  /** The same process loading the modules and doing nothing. */
  baselineRssMiB: number
}

/** `lines` chat requests of `LINE_BYTES` each, a little multi-byte text in each. */
async function generate(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path)
  for (let i = 0; i < lines; i++) {
    const request = {
      custom_id: `request-${i}`,
      body: { model: MODELS[i % MODELS.length], max_tokens: 64, messages: [{ role: 'user', content: '' }] }
    }
    const room = LINE_BYTES - 1 - Buffer.byteLength(JSON.stringify(request))
    // 7 bytes in 4 characters, then ASCII up to the line's length.
    request.body.messages[0]!.content = `é ✓ ${'lorem ipsum '.repeat(200)}`.slice(0, room - 3)
    if (!out.write(`${JSON.stringify(request)}\n`))
      await new Promise<void>(resolve => out.once('drain', () => resolve()))
  }
  out.end()
  await finished(out)
}

/** Runs the bundled `submit-child.ts` with `args` in a process of its own (async: the simulator is in this one). */
async function child(bundle: string, ...args: string[]): Promise<ChildFigures> {
  const run = spawn(process.execPath, [bundle, ...args], { cwd: ROOT })
  let stdout = ''
  let stderr = ''
  run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>(resolve => run.on('close', resolve))
  if (code !== 0) throw new Error(`submit-child ${args[0] ?? ''} failed: ${stderr}`)
  return JSON.parse(stdout) as ChildFigures
}

const mib = (kib: number): number => kib / 1024

/**
 * Preflight over a generated 100 MB, 50,000-line file, and the upload of a 60 MB one to the simulator
 * through each flow, each run in a process of its own; the files live in a temporary folder, removed
 * after. Times are medians of `runs`, peak RSS the highest.
 */
export async function submitFigures(runs = 3): Promise<SubmitFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-submit-'))
  // Bundled as the action is, so the figures are those of the code that runs, not of a TypeScript loader.
  const bundle = buildBundle(join(ROOT, 'tools', 'bench', 'submit-child.ts'))
  try {
    const full = join(dir, 'evals.jsonl')
    await generate(full, 50_000)
    const checks: ChildFigures[] = []
    // One at a time, so they do not share the machine's cores.
    for (let i = 0; i < runs; i++) checks.push(await child(bundle, 'preflight', full))
    const first = checks[0]!
    if (first.problems > 0) throw new Error(`the generated file did not pass preflight: ${JSON.stringify(first)}`)
    const preflight = {
      bytes: first.bytes,
      requests: first.requests,
      ms: median(checks.map(c => c.ms)),
      peakRssMiB: mib(Math.max(...checks.map(c => c.peakRssKiB)))
    }
    const sixty = join(dir, 'sixty.jsonl')
    await generate(sixty, 30_000)
    const uploads = []
    for (const [flow, signedUploads] of [
      ['signed URL', true],
      ['multipart', false]
    ] as const) {
      const sim = await startSimulator({ signedUploads })
      const sent = await child(bundle, 'upload', sixty, sim.baseUrl, sim.apiKey).finally(() => sim.close())
      uploads.push({ flow, bytes: sent.bytes, ms: sent.ms, peakRssMiB: mib(sent.peakRssKiB) })
    }
    return { preflight, uploads, baselineRssMiB: mib((await child(bundle, 'baseline')).peakRssKiB) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(dirname(bundle), { recursive: true, force: true })
  }
}
