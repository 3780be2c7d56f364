import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { parseInputFile } from '../../src/result-files/input-file.js'
import { submitFromFile, type SubmitRequest } from '../../src/submit/submit-from-file.js'
import { TogetherClient } from '../../src/together/client.js'
import { loadScenarios, validateScenario, type Fault } from '../../tools/simulator/scenario.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../tools/simulator/server.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const KEY = 'sim-submit-key-0123456789'
const MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'
let workspace: string
let sim: Simulator | undefined
let api: TogetherClient | undefined
let simNow = Date.UTC(2026, 0, 1)

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'submit-'))
  nock.enableNetConnect('127.0.0.1')
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))
afterEach(async () => {
  await api?.close()
  await sim?.close()
  sim = undefined
})

const line = (id: string, model = MODEL): string =>
  JSON.stringify({ custom_id: id, body: { model, messages: [{ role: 'user', content: `question ${id}` }] } })

function inputFile(content: string, name = 'evals.jsonl'): SubmitRequest['file'] {
  writeFileSync(join(workspace, name), content)
  return parseInputFile(name, workspace)!
}

/** The scenario every created batch plays: validating for 10 s, then done; `faults` hit its creates. */
function lifecycle(faults: Fault[] = []) {
  return validateScenario('lifecycle', {
    description: 'a created batch',
    batch: { model_id: MODEL },
    timeline: [
      { at: 0, status: 'VALIDATING', progress: 0 },
      { at: 10, status: 'COMPLETED', progress: 100, set: { output_file_id: 'file-out', completed_at: 'now' } }
    ],
    faults
  })
}

async function start(options: SimulatorOptions = {}) {
  sim = await startSimulator({
    apiKey: KEY,
    scenarios: [...loadScenarios(), lifecycle()],
    createScenario: 'lifecycle',
    now: () => simNow,
    ...options
  })
  api = new TogetherClient({ apiKey: KEY, baseUrl: sim.baseUrl, proxy: {} })
  return sim
}

function deps() {
  return { api: api!, ...virtualClock(simNow), log: recordingLogger(), random: () => 0.5 }
}

const created = (s: Simulator) => s.requests.filter(r => r.method === 'POST' && r.path === '/v1/batches')

describe('submitFromFile against the simulator', () => {
  const content = `${line('q1')}\n${line('q2')}\n`
  const sha = createHash('sha256').update(content).digest('hex')

  it.each([
    ['the signed-URL flow', true],
    ['the multipart upload', false]
  ])('uploads the exact bytes through %s and creates one batch for them', async (_flow, signedUploads) => {
    const s = await start({ signedUploads })
    const d = deps()
    const outcome = await submitFromFile(
      { file: inputFile(content), endpoint: '/v1/chat/completions', reuse: 'running' },
      d
    )
    expect(outcome).toMatchObject({
      kind: 'submitted',
      batchId: 'batch-lifecycle-1',
      inputFileId: 'file-sim-1',
      created: true,
      uploaded: true
    })
    expect(s.uploads.get('file-sim-1')).toMatchObject({
      sha256: sha,
      bytes: content.length,
      filename: `evals-${sha.slice(0, 16)}.jsonl`,
      purpose: 'batch-api',
      processed: true
    })
    expect(s.storageRequests.every(r => !r.keyed)).toBe(true)
    expect(s.requests.every(r => r.auth === 'ok')).toBe(true)
    expect(await api!.getBatch('batch-lifecycle-1')).toMatchObject({
      input_file_id: 'file-sim-1',
      endpoint: '/v1/chat/completions'
    })
    expect(d.log.text('info')).toContain(
      `input-file evals.jsonl: 2 requests for /v1/chat/completions, ${content.length} bytes, models ${MODEL} (2); sha256 ${sha.slice(0, 16)}.`
    )
  })

  it('refuses a file with bad lines before any request, and says where', async () => {
    const s = await start()
    const outcome = await submitFromFile(
      {
        file: inputFile(`${line('q1')}\nnot json\n${line('q1')}\n`, 'bad.jsonl'),
        endpoint: '/v1/chat/completions',
        reuse: 'running'
      },
      deps()
    )
    expect(outcome.kind).toBe('refused')
    if (outcome.kind !== 'refused') return
    expect(outcome.annotations.map(a => [a.file, a.line, a.title])).toEqual([
      ['bad.jsonl', 2, 'input-file: not JSON'],
      ['bad.jsonl', 3, 'input-file: duplicate custom_id']
    ])
    expect(outcome.message).toBe(
      'input-file bad.jsonl was not submitted: 2 lines are not a request Together accepts (1 not JSON, 1 duplicate custom_id; first on line 2). Nothing was uploaded; fix the annotated lines and run again.'
    )
    expect(s.requests).toEqual([])
    expect(s.storageRequests).toEqual([])
  })

  it.each<[string, Fault]>([
    ['a reset connection', { type: 'reset', on: 'create', requests: [1] }],
    ['a 500', { type: 'status', on: 'create', requests: [1], status: 500, body: { error: 'internal' } }],
    ['a 200 that is not JSON', { type: 'bad-json', on: 'create', requests: [1] }]
  ])('creates exactly one batch when the create answer is lost to %s', async (_what, fault) => {
    const s = await start({ scenarios: [lifecycle([fault])] })
    const d = deps()
    const outcome = await submitFromFile(
      { file: inputFile(content), endpoint: '/v1/chat/completions', reuse: 'never' },
      d
    )
    expect(outcome).toMatchObject({ kind: 'submitted', batchId: 'batch-lifecycle-1', created: true })
    expect(created(s)).toHaveLength(1)
    expect(created(s)[0]?.fault).toBeDefined()
    expect(d.log.text('warning')).toContain('The batch may exist: listing batches before creating again.')
  })

  it('attaches a re-run to the running batch of identical input, uploading and creating nothing', async () => {
    const s = await start()
    const file = inputFile(content)
    const first = await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'running' }, deps())
    simNow += 5000
    const d = deps()
    const again = await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'running' }, d)
    expect(again).toMatchObject({
      batchId: first.kind === 'submitted' ? first.batchId : '',
      created: false,
      uploaded: false
    })
    expect(again).toMatchObject({ reused: { status: 'VALIDATING' } })
    expect(created(s)).toHaveLength(1)
    expect(s.uploads.size).toBe(1)
    expect(d.log.text('info')).toMatch(/Reusing batch batch-lifecycle-1 \(VALIDATING, created .* \(5s ago\)\)/)
  })

  it('returns the finished batch with reuse: completed; the default creates a new one from the same upload', async () => {
    const s = await start()
    const file = inputFile(content)
    await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'running' }, deps())
    simNow += 60_000
    const cached = await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'completed' }, deps())
    expect(cached).toMatchObject({ batchId: 'batch-lifecycle-1', created: false, reused: { status: 'COMPLETED' } })
    const fresh = await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'running' }, deps())
    expect(fresh).toMatchObject({
      batchId: 'batch-lifecycle-2',
      inputFileId: 'file-sim-1',
      created: true,
      uploaded: false
    })
    expect(s.uploads.size).toBe(1)
  })

  it('does not reuse a batch of the same bytes for another endpoint', async () => {
    await start()
    const file = inputFile(
      `${JSON.stringify({ custom_id: 'a', body: { model: MODEL, prompt: 'p', messages: [{}] } })}\n`
    )
    await submitFromFile({ file, endpoint: '/v1/chat/completions', reuse: 'running' }, deps())
    const other = await submitFromFile({ file, endpoint: '/v1/completions', reuse: 'running' }, deps())
    expect(other).toMatchObject({ batchId: 'batch-lifecycle-2', created: true, uploaded: false })
  })

  it('warns about models GET /v1/models does not list, and goes on', async () => {
    await start()
    const d = deps()
    const outcome = await submitFromFile(
      { file: inputFile(`${line('a', 'nobody/unknown-model')}\n`), endpoint: '/v1/chat/completions', reuse: 'running' },
      d
    )
    expect(outcome.kind).toBe('submitted')
    expect(d.log.text('warning')).toBe(
      'input-file evals.jsonl names 1 model that GET /v1/models does not list: nobody/unknown-model. Their requests would fail in the batch.'
    )
  })

  it('goes on without the model check when GET /v1/models fails', async () => {
    const broken = lifecycle([{ type: 'status', on: 'models', status: 401 }])
    await start({ scenarios: [broken] })
    const d = deps()
    expect(
      (await submitFromFile({ file: inputFile(content), endpoint: '/v1/chat/completions', reuse: 'running' }, d)).kind
    ).toBe('submitted')
    expect(d.log.text('debug')).toContain(
      'The models of input-file evals.jsonl were not checked: GET /models answered HTTP 401'
    )
  })
})
