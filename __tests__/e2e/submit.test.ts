import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { startGitHubSim } from '../../tools/github-sim/server.js'
import { runAction } from '../../tools/runner/run-action.js'
import { loadScenarios, validateScenario } from '../../tools/simulator/scenario.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../tools/simulator/server.js'
import { errorLines, expectKeySafe, SIM_KEY, type E2eRun } from '../helpers/e2e.js'
import { forgedLines } from '../helpers/hostile.js'

// The submit step as a user runs it: the bundle, an input-file in the workspace and no batch-id, against
// the simulator's upload routes (a storage origin of its own that refuses the key) and its batch list.

const MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'
/** A model name that tries to start a workflow command on a line of its own. */
const FORGING_MODEL = 'evil\n::error::forged by a model name'

const request = (id: string, model = MODEL): string =>
  JSON.stringify({ custom_id: id, body: { model, messages: [{ role: 'user', content: `Capital ${id}?` }] } })

/** req-1 … req-3: the ids of the shipped `completes` scenario's results (req-3 failed). */
const EVALS = `${request('req-1')}\n${request('req-2')}\n${request('req-3', FORGING_MODEL)}\n`
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

let workspace: string

beforeAll(() => {
  nock.enableNetConnect('127.0.0.1')
  workspace = mkdtempSync(join(tmpdir(), 'submit-e2e-'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

/** Writes `content` as `name` in the workspace (each test its own name: the suite's tests run at once). */
function workspaceFile(name: string, content: string): string {
  writeFileSync(join(workspace, name), content)
  return name
}

/** The simulator with the shipped scenarios (and `options`); created batches play `completes` at 10x. */
const simulator = (options: SimulatorOptions = {}): Promise<Simulator> =>
  startSimulator({ apiKey: SIM_KEY, speed: 10, scenarios: loadScenarios(), ...options })

/** Runs the bundle as the runner does, with GITHUB_WORKSPACE the suite's workspace. */
async function submit(sim: Simulator, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const run = await runAction({
    killAfterMs: 30_000,
    env: { GITHUB_WORKSPACE: workspace, ...env },
    inputs: { 'api-key': SIM_KEY, 'base-url': sim.baseUrl, 'poll-interval': '1s', timeout: '20s', ...inputs }
  })
  const checked: E2eRun = { ...run, requests: [...sim.requests], batchId: run.outputs['batch-id'] ?? '' }
  expectKeySafe(checked)
  // The runner masks the token it gives (action.yml's default is an expression only it evaluates).
  expect(forgedLines(run.log, [SIM_KEY, inputs['github-token'] ?? '${{ github.token }}'])).toEqual([])
  return checked
}

const routes = (sim: Simulator): string[] => sim.requests.map(r => `${r.method} ${r.path}`)
const creates = (sim: Simulator) => sim.requests.filter(r => r.method === 'POST' && r.path === '/v1/batches')

describe('submitting input-file without a batch-id', () => {
  it.concurrent.each([
    ['the signed-URL flow', true],
    ['the multipart upload', false]
  ])('uploads the exact bytes through %s, creates one batch and waits for it', async (_flow, signedUploads) => {
    const sim = await simulator({ signedUploads })
    try {
      const name = workspaceFile(`evals-${String(signedUploads)}.jsonl`, EVALS)
      const run = await submit(sim, { 'input-file': name })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({
        'batch-id': 'batch-completes-1',
        'input-file-id': 'file-sim-1',
        status: 'COMPLETED',
        passed: 'true'
      })
      const uploaded = sim.uploads.get('file-sim-1')!
      expect(uploaded).toMatchObject({ bytes: Buffer.byteLength(EVALS), sha256: sha256(EVALS), lines: 3 })
      expect(uploaded.filename).toBe(`evals-${String(signedUploads)}-${sha256(EVALS).slice(0, 16)}.jsonl`)
      const upload = signedUploads
        ? ['POST /v1/files', 'POST /v1/files/file-sim-1/preprocess']
        : ['POST /v1/files', 'POST /v1/files/upload']
      expect(routes(sim).slice(0, 7)).toEqual([
        'GET /v1/models',
        'GET /v1/files',
        'GET /v1/batches',
        ...upload,
        'POST /v1/batches',
        'GET /v1/batches/batch-completes-1'
      ])
      // The bytes went to the storage origin, once, without the key; the multipart flow never went there.
      expect(sim.storageRequests.map(r => [r.method, r.keyed, r.status])).toEqual(
        signedUploads ? [['PUT', false, 200]] : []
      )
      expect(run.log).toContain(`input-file ${name}: 3 requests for /v1/chat/completions, ${EVALS.length} bytes`)
      expect(run.log).toMatch(/::warning::input-file .* names 1 model that GET \/v1\/models does not list: evil/)
      expect(run.summary).toContain(`### Submitted from <code>${name}</code>`)
      expect(run.summary).toContain('<code>file-sim-1</code>, uploaded')
      expect(run.summary).toContain('<code>batch-completes-1</code>, created')
      // The results come back to the file's lines: req-3 failed in the scenario.
      expect(errorLines(run.log)).toEqual([
        `::error title=Together request failed%3A invalid_request,file=${name},line=3::Request req-3 failed with invalid_request: max_tokens too large.`
      ])
    } finally {
      await sim.close()
    }
  })

  it.concurrent('refuses bad lines with annotations on them, uploading and creating nothing', async () => {
    const sim = await simulator()
    try {
      const bad = `${request('q1')}\nnot json\n${request('q1')}\n{"custom_id":"q4","body":{"model":"m"}}\n`
      const name = workspaceFile('bad.jsonl', bad)
      const run = await submit(sim, { 'input-file': name })
      expect(run.exitCode).toBe(1)
      expect(errorLines(run.log)).toEqual([
        `::error title=input-file ${name}::input-file ${name} was not submitted: 3 lines are not a request Together accepts (1 not JSON, 1 duplicate custom_id, 1 without body.messages; first on line 2). Nothing was uploaded; fix the annotated lines and run again.`,
        `::error title=input-file%3A not JSON,file=${name},line=2::Line 2 is not a request Together accepts: not valid JSON. Nothing was uploaded.`,
        `::error title=input-file%3A duplicate custom_id,file=${name},line=3::Line 3 is not a request Together accepts: custom_id repeats line 1. Nothing was uploaded.`,
        `::error title=input-file%3A without body.messages,file=${name},line=4::Line 4 is not a request Together accepts: body.messages must be a non-empty array of chat messages. Nothing was uploaded.`
      ])
      expect(sim.requests).toEqual([])
      expect(sim.storageRequests).toEqual([])
      expect(run.outputs).toMatchObject({ 'batch-id': '', 'input-file-id': '', passed: 'false' })
      expect(run.summary).toContain(`## ❌ input-file <code>${name}</code> not submitted`)
      expect(run.summary).toContain('<tr><td>2</td><td>not JSON</td>')
    } finally {
      await sim.close()
    }
  })

  it.concurrent(
    'refuses empty, over-size and over-limit files, and an unknown endpoint, before any request',
    async () => {
      const sim = await simulator()
      try {
        const tooMany = Array.from({ length: 50_001 }, (_, i) => request(`r${i}`)).join('\n')
        const cases: [Record<string, string>, string][] = [
          [
            { 'input-file': workspaceFile('empty.jsonl', '') },
            'input-file empty.jsonl was not submitted: it is empty.'
          ],
          [{ 'input-file': workspaceFile('many.jsonl', tooMany) }, "it holds 50001 requests, over Together's 50000"],
          [{ 'input-file': workspaceFile('huge.jsonl', '') }, "over Together's 100000000 (100 MB) per input file"],
          [
            { 'input-file': workspaceFile('ok.jsonl', EVALS), endpoint: '/v1/embeddings' },
            "Invalid endpoint '/v1/embeddings'"
          ]
        ]
        // Sparse: the size is checked before a byte is read.
        truncateSync(join(workspace, 'huge.jsonl'), 100_000_001)
        for (const [inputs, error] of cases) {
          const run = await submit(sim, inputs)
          expect(run.exitCode).toBe(1)
          expect(errorLines(run.log)[0]).toContain(error)
        }
        expect(sim.requests).toEqual([])
        expect(sim.storageRequests).toEqual([])
      } finally {
        await sim.close()
      }
    }
  )

  it.concurrent('creates exactly one batch when the answer to the create is lost', async () => {
    const lost = validateScenario('lost', {
      description: 'a created batch whose first create answer is lost',
      batch: {},
      timeline: [{ at: 0, status: 'VALIDATING', progress: 0 }],
      faults: [{ type: 'reset', on: 'create', requests: [1] }]
    })
    const sim = await simulator({ scenarios: [lost], createScenario: 'lost' })
    try {
      const run = await submit(sim, { 'input-file': workspaceFile('lost.jsonl', EVALS), timeout: '0' })
      expect(run.exitCode).toBe(0)
      expect(creates(sim)).toHaveLength(1)
      expect(run.outputs).toMatchObject({
        'batch-id': 'batch-lost-1',
        'input-file-id': 'file-sim-1',
        status: 'VALIDATING'
      })
      expect(run.log).toContain(
        'Batch batch-lost-1 was created from file-sim-1; its answer was lost. Going on with it.'
      )
    } finally {
      await sim.close()
    }
  })

  it.concurrent('attaches a re-run to the batch still running (reuse: running, the default)', async () => {
    const sim = await simulator({ createScenario: 'stays-in-progress' })
    try {
      const name = workspaceFile('rerun.jsonl', EVALS)
      const first = await submit(sim, { 'input-file': name, timeout: '0' })
      const again = await submit(sim, { 'input-file': name, timeout: '0' })
      for (const run of [first, again]) {
        expect(run.exitCode).toBe(0)
        expect(run.outputs).toMatchObject({ 'batch-id': 'batch-stays-in-progress-1', 'input-file-id': 'file-sim-1' })
      }
      expect(creates(sim)).toHaveLength(1)
      expect(sim.uploads.size).toBe(1)
      expect(again.log).toContain('Reusing batch batch-stays-in-progress-1 (IN_PROGRESS, created ')
      expect(again.summary).toContain('<code>batch-stays-in-progress-1</code>, reused (IN_PROGRESS, created ')
    } finally {
      await sim.close()
    }
  })

  it.concurrent('creates anew by default after a COMPLETED batch, and reuses it with reuse: completed', async () => {
    const sim = await simulator()
    try {
      const name = workspaceFile('cached.jsonl', EVALS)
      const first = await submit(sim, { 'input-file': name })
      expect(first.outputs).toMatchObject({ 'batch-id': 'batch-completes-1', status: 'COMPLETED' })
      const fresh = await submit(sim, { 'input-file': name, timeout: '0' })
      expect(fresh.outputs['batch-id']).toBe('batch-completes-2')
      expect(fresh.log).toContain('holds these exact bytes already: not uploading again.')
      const cached = await submit(sim, { 'input-file': name, reuse: 'completed' })
      expect(cached.exitCode).toBe(0)
      expect(cached.outputs).toMatchObject({ 'batch-id': 'batch-completes-1', status: 'COMPLETED', passed: 'true' })
      expect(cached.log).toMatch(/Reusing batch batch-completes-1 \(COMPLETED, created .*\); reuse: completed\./)
      expect(creates(sim)).toHaveLength(2)
      expect(sim.uploads.size).toBe(1)
    } finally {
      await sim.close()
    }
  })

  it.concurrent('with mode: track, submits, then tracks the new batch in the ledger', async () => {
    const sim = await simulator({ createScenario: 'stays-in-progress' })
    const github = await startGitHubSim()
    const env = {
      GITHUB_API_URL: github.apiUrl,
      GITHUB_REPOSITORY: 'octo/repo',
      GITHUB_SHA: 'e'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '42'
    }
    try {
      const inputs = {
        mode: 'track',
        'input-file': workspaceFile('track.jsonl', EVALS),
        'github-token': 'ghs_e2e_token',
        'commit-status': 'together/evals'
      }
      const run = await submit(sim, inputs, env)
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({
        'batch-id': 'batch-stays-in-progress-1',
        tracked: '["batch-stays-in-progress-1"]'
      })
      expect([...(github.files()?.keys() ?? [])]).toEqual(['batches/batch-stays-in-progress-1.json'])
      expect(github.statuses.map(s => s.state)).toEqual(['pending', 'pending'])
      expectKeySafe(run, 'ghs_e2e_token')
    } finally {
      await sim.close()
      await github.close()
    }
  })
})
