import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileContent, loadScenarios, type Scenario } from '../../tools/simulator/scenario.js'
import { errorLines, expectKeySafe, runScenario } from '../helpers/e2e.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'e2e-results-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const completes = loadScenarios().find(s => s.name === 'completes')!

/** Peak resident memory (MiB) of a running process, sampled from /proc until it exits. */
function sampleMemory(): { onSpawn: (pid: number) => void; peakMiB: () => number } {
  let peak = 0
  return {
    onSpawn: pid => {
      const timer = setInterval(() => {
        try {
          const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
          peak = Math.max(peak, kb / 1024)
        } catch {
          clearInterval(timer)
        }
      }, 50)
    },
    peakMiB: () => peak
  }
}

describe('results: download, count, gate', () => {
  it.concurrent('downloads both files byte for byte and counts the requests', async () => {
    const target = join(dir, 'plain')
    const run = await runScenario({ scenario: 'completes', speed: 10, inputs: { 'download-dir': target } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      'output-path': join(target, 'batch-completes-output.jsonl'),
      'error-path': join(target, 'batch-completes-errors.jsonl'),
      'succeeded-requests': '2',
      'failed-requests': '1'
    })
    expect(readFileSync(run.outputs['output-path']!, 'utf8')).toBe(
      fileContent(completes.files!['file-output-completes']!)
    )
    expect(readFileSync(run.outputs['error-path']!, 'utf8')).toBe(
      fileContent(completes.files!['file-errors-completes']!)
    )
    expect(run.summary).toContain('2 succeeded · 1 failed')
    expect(run.requests.filter(r => r.path.startsWith('/v1/files/')).map(r => r.path)).toEqual([
      '/v1/files/file-output-completes',
      '/v1/files/file-output-completes/content',
      '/v1/files/file-errors-completes',
      '/v1/files/file-errors-completes/content'
    ])
    expectKeySafe(run)
  })

  it.concurrent('passes the gate when failures stay within max-failed-requests', async () => {
    const run = await runScenario({ scenario: 'completes', speed: 10, inputs: { 'max-failed-requests': '1' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['failed-requests']).toBe('1')
  })

  it.concurrent('fails a COMPLETED batch over the gate, naming counts and codes', async () => {
    const run = await runScenario({ scenario: 'completes', speed: 10, inputs: { 'max-failed-requests': '10%' } })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'FAILED', passed: 'false' })
    expect(errorLines(run.log)).toEqual([
      '::error title=Together batch batch-completes::Batch batch-completes completed, but 1 of its 3 requests failed (33.3%), more than max-failed-requests allows (10%); most common: invalid_request ×1.'
    ])
    expect(run.summary).toContain('<td><code>invalid_request</code></td><td>1</td><td>max_tokens too large</td>')
  })

  it.concurrent('streams a 50 MB output file to disk in bounded memory', async () => {
    const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 }
    const model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'
    const line = { custom_id: 'r', response: { status_code: 200, body: { model, text: 'x'.repeat(400), usage } } }
    const big: Omit<Scenario, 'name'> = {
      description: 'a big output file',
      batch: { id: 'batch-big' },
      timeline: [{ at: 0, status: 'COMPLETED', progress: 100, set: { output_file_id: 'file-big' } }],
      files: { 'file-big': { lines: [line], repeat: 110_000 } }
    }
    const size = Buffer.byteLength(fileContent(big.files!['file-big']!))
    expect(size).toBeGreaterThan(50_000_000)
    const memory = sampleMemory()
    const target = join(dir, 'big')
    const run = await runScenario({ scenario: big, inputs: { 'download-dir': target }, onSpawn: memory.onSpawn })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['succeeded-requests']).toBe('110000')
    expect(run.outputs['total-tokens']).toBe('16500000')
    expect(run.outputs['estimated-cost']).toBe('14.5200')
    expect(readFileSync(run.outputs['output-path']!).length).toBe(size)
    expect(memory.peakMiB()).toBeGreaterThan(0)
    // Measured here: streaming peaks at 112-145 MiB (GC timing varies with load); reading the body
    // into one buffer first peaks at about 200 MiB.
    expect(memory.peakMiB()).toBeLessThan(170)
  })
})

const SHA = 'abc123'.padEnd(40, '0')

describe('commit status', () => {
  it('sets pending, then success with a link to the run, on a local GitHub API', async () => {
    const received: { path: string; auth?: string; body: Record<string, string> }[] = []
    const github = createServer((req: IncomingMessage, res) => {
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
      req.on('end', () => {
        received.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(text || '{}') })
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>(resolve => github.listen(0, '127.0.0.1', resolve))
    try {
      const apiUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`
      const run = await runScenario({
        scenario: 'completes',
        speed: 10,
        inputs: {
          'commit-status': 'together/batch',
          'github-token': 'ghs_fake_token',
          'download-dir': join(dir, 'status')
        },
        env: {
          GITHUB_API_URL: apiUrl,
          GITHUB_SERVER_URL: 'https://github.example',
          GITHUB_REPOSITORY: 'acme/evals',
          GITHUB_SHA: SHA,
          GITHUB_RUN_ID: '42'
        }
      })
      expect(run.exitCode).toBe(0)
      expect(received.map(r => [r.path, r.body.state])).toEqual([
        [`/repos/acme/evals/statuses/${SHA}`, 'pending'],
        [`/repos/acme/evals/statuses/${SHA}`, 'success']
      ])
      expect(received[1]!.body).toEqual({
        state: 'success',
        context: 'together/batch',
        description: 'Passed · COMPLETED · 2 ok, 1 failed requests',
        target_url: 'https://github.example/acme/evals/actions/runs/42'
      })
      expect(received[0]!.auth).toBe('token ghs_fake_token')
      expect(run.log.replace('::add-mask::ghs_fake_token', '')).not.toContain('ghs_fake_token')
    } finally {
      github.close()
    }
  })
})
