import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { failure } from '../../helpers/errors.js'
import { request } from 'undici'
import { TogetherClient } from '../../../src/together/client.js'
import { loadScenarios, validateScenario } from '../../../tools/simulator/scenario.js'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../tools/simulator/server.js'

// The simulator itself, driven through the action's own client on loopback, with a fake clock.
let now = 0
let sim: Simulator
let api: TogetherClient
const scenarios = loadScenarios()

async function start(extra = scenarios, options: SimulatorOptions = {}): Promise<void> {
  now = Date.UTC(2026, 0, 1)
  sim = await startSimulator({ scenarios: extra, apiKey: 'sim-k', now: () => now, ...options })
  api = new TogetherClient({ apiKey: 'sim-k', baseUrl: sim.baseUrl })
}

beforeEach(() => {
  nock.enableNetConnect('127.0.0.1')
})

afterEach(async () => {
  // The first test starts no simulator.
  await (api as TogetherClient | undefined)?.close()
  await (sim as Simulator | undefined)?.close()
})

describe('Together simulator', () => {
  it('ships the scenarios the README names', () => {
    expect(scenarios.map(s => s.name).sort()).toEqual(
      ['cancelled', 'completes', 'expires', 'fails', 'flaky', 'only-errors', 'stays-in-progress'].sort()
    )
  })

  it('plays a batch along its timeline from the first request, interpolating progress', async () => {
    await start()
    expect(await api.getBatch('batch-completes')).toMatchObject({ status: 'VALIDATING', progress: 0 })
    now += 8500
    expect(await api.getBatch('batch-completes')).toMatchObject({ status: 'IN_PROGRESS', progress: 50 })
    now += 6500
    const done = await api.getBatch('batch-completes')
    expect(done).toMatchObject({ status: 'COMPLETED', progress: 100, output_file_id: 'file-output-completes' })
    expect(done.completed_at).toBe('2026-01-01T00:00:15Z')
  })

  it('lists every batch of the account, newest first, as a bare array, and null when it has none', async () => {
    await start([])
    const raw = await request(`${sim.baseUrl}/batches`, { headers: { authorization: 'Bearer sim-k' } })
    expect(await raw.body.text()).toBe('null')
    await api.close()
    await sim.close()
    await start()
    await request(`${sim.baseUrl}/batches`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-k', 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'fails' })
    })
    const listed = await api.listBatches()
    expect(listed.map(b => b.id)).toEqual(['batch-fails-1', ...scenarios.map(s => String(s.batch.id)).reverse()])
    // Listing a batch starts its clock, as any request about it does.
    expect(listed.find(b => b.id === 'batch-completes')).toMatchObject({ status: 'VALIDATING', progress: 0 })
    now += 8500
    expect((await api.getBatch('batch-completes')).status).toBe('IN_PROGRESS')
  })

  it("lists a busy account's past batches after the scenarios': 6,000 of them, every one a plain batch", async () => {
    now = Date.UTC(2026, 0, 1)
    sim = await startSimulator({ scenarios: scenarios.slice(0, 1), apiKey: 'sim-k', now: () => now, pastBatches: 6000 })
    api = new TogetherClient({ apiKey: 'sim-k', baseUrl: sim.baseUrl })
    const listed = await api.listBatches()
    expect(listed).toHaveLength(6001)
    expect(listed[0]!.id).toBe(String(scenarios[0]!.batch.id))
    expect(new Set(listed.map(b => b.id)).size).toBe(6001)
    expect(listed.filter(b => b.status === 'FAILED')).toHaveLength(120)
  })

  it('breaks GET /v1/batches when a scenario asks, counting list requests across batches, and can leave one batch out', async () => {
    const batch = (name: string, faults: unknown[]) =>
      validateScenario(name, { description: name, batch: {}, timeline: [{ at: 0, status: 'IN_PROGRESS' }], faults })
    await start([
      batch('a', [{ type: 'status', on: 'list', requests: [1], status: 500, body: { error: 'list down' } }]),
      batch('b', [
        { type: 'omit', on: 'list', requests: [2] },
        { type: 'status', on: 'list', requests: [3], status: 200, body: null }
      ])
    ])
    expect((await failure(api.listBatches())).status).toBe(500)
    expect((await api.listBatches()).map(b => b.id)).toEqual(['batch-a'])
    expect(await api.listBatches()).toEqual([])
    expect((await api.listBatches()).map(b => b.id)).toEqual(['batch-b', 'batch-a'])
    expect(sim.requests.map(r => r.fault)).toEqual(['status 500', undefined, 'status 200', undefined])
  })

  it('moves a cancelled batch through CANCELING to CANCELLED and freezes its progress', async () => {
    await start()
    await api.getBatch('batch-stays-in-progress')
    now += 3600_000
    const cancel = await api.cancelBatch('batch-stays-in-progress')
    expect(cancel.status).toBe('CANCELING')
    now += 500
    expect((await api.getBatch('batch-stays-in-progress')).status).toBe('CANCELING')
    now += 600
    const cancelled = await api.getBatch('batch-stays-in-progress')
    expect(cancelled.status).toBe('CANCELLED')
    expect(cancelled.progress).toBe(cancel.progress)
    expect(sim.requests.filter(r => r.method === 'POST').map(r => r.path)).toEqual([
      '/v1/batches/batch-stays-in-progress/cancel'
    ])
  })

  it('does not cancel a batch that is already final', async () => {
    await start()
    await api.getBatch('batch-fails')
    now += 10_000
    expect((await api.cancelBatch('batch-fails')).status).toBe('FAILED')
  })

  it('creates a batch from a named scenario', async () => {
    await start()
    const created = await request(`${sim.baseUrl}/batches`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-k', 'content-type': 'application/json' },
      body: JSON.stringify({ scenario: 'fails', input_file_id: 'file-x', endpoint: '/v1/chat/completions' })
    })
    const { job } = (await created.body.json()) as { job: { id: string; status: string } }
    expect(job).toMatchObject({ id: 'batch-fails-1', status: 'VALIDATING' })
    now += 3000
    expect((await api.getBatch('batch-fails-1')).status).toBe('FAILED')
  })

  it('serves file metadata and the exact JSONL content', async () => {
    await start()
    const headers = { authorization: 'Bearer sim-k' }
    const meta = (await (await request(`${sim.baseUrl}/files/file-output-completes`, { headers })).body.json()) as {
      bytes: number
    }
    const content = await (await request(`${sim.baseUrl}/files/file-output-completes/content`, { headers })).body.text()
    expect(Buffer.byteLength(content)).toBe(meta.bytes)
    expect(
      content
        .trim()
        .split('\n')
        .map(line => JSON.parse(line).custom_id)
    ).toEqual(['req-1', 'req-2'])
  })

  it('answers a wrong key with 401 in the live error shape and logs it', async () => {
    await start()
    const error = await failure(new TogetherClient({ apiKey: 'nope', baseUrl: sim.baseUrl }).getBatch('batch-fails'))
    expect(error.status).toBe(401)
    expect(error.serverMessage).toContain('Invalid API key')
    expect(sim.requests[0]).toMatchObject({ auth: 'wrong', path: '/v1/batches/batch-fails', method: 'GET' })
  })

  it('answers an unknown batch, or a path-injected id, with 404 and never serves the file', async () => {
    await start()
    expect((await failure(api.getBatch('nope'))).status).toBe(404)
    expect((await failure(api.getBatch('../files/file-output-completes'))).status).toBe(404)
    expect(sim.requests.at(-1)!.path).toBe('/v1/batches/%2E%2E%2Ffiles%2Ffile-output-completes')
  })

  it('injects scripted faults on chosen requests and echoes the authorization when asked', async () => {
    const scenario = validateScenario('faulty', {
      description: 'faults',
      batch: {},
      timeline: [{ at: 0, status: 'IN_PROGRESS', progress: 5 }],
      faults: [
        { type: 'status', requests: [1], status: 500, body: { error: 'saw {{authorization}}' } },
        { type: 'status', requests: [2], status: 429, headers: { 'retry-after': '3' }, body: '' },
        { type: 'reset', requests: [3] },
        { type: 'bad-json', requests: [4] },
        { type: 'slow-body', requests: [5], delayMs: 20 }
      ]
    })
    await start([scenario])
    const first = await failure(api.getBatch('batch-faulty'))
    expect(first.message).toBe('GET /batches/batch-faulty answered HTTP 500: saw Bearer ***')
    expect((await failure(api.getBatch('batch-faulty'))).retryAfterMs).toBe(3000)
    expect((await failure(api.getBatch('batch-faulty'))).kind).toBe('network')
    expect((await failure(api.getBatch('batch-faulty'))).kind).toBe('invalid-response')
    expect((await api.getBatch('batch-faulty')).progress).toBe(5)
    expect(sim.requests.map(r => r.fault)).toEqual(['status 500', 'status 429', 'reset', 'bad-json', 'slow-body'])
  })

  it('sends a null fault body as the JSON value null, and a missing or empty one as no body', async () => {
    const scenario = validateScenario('bodies', {
      description: 'bodies',
      batch: {},
      timeline: [{ at: 0, status: 'IN_PROGRESS', progress: 5 }],
      faults: [
        { type: 'status', requests: [1], status: 200, body: null },
        { type: 'status', requests: [2], status: 200, body: '' },
        { type: 'status', requests: [3], status: 200 }
      ]
    })
    await start([scenario])
    const answers = []
    for (let i = 0; i < 3; i++) {
      const raw = await request(`${sim.baseUrl}/batches/batch-bodies`, { headers: { authorization: 'Bearer sim-k' } })
      answers.push({ type: raw.headers['content-type'], body: await raw.body.text() })
    }
    expect(answers).toEqual([
      { type: 'application/json', body: 'null' },
      { type: 'text/plain', body: '' },
      { type: 'text/plain', body: '' }
    ])
  })

  it('serves GET /v1/models as the live API does: a bare array of model objects with prices', async () => {
    await start()
    const raw = await request(`${sim.baseUrl}/models`, { headers: { authorization: 'Bearer sim-k' } })
    const body = (await raw.body.json()) as { id: string; object: string; pricing: { input: number } }[]
    expect(Array.isArray(body)).toBe(true)
    expect(body[0]).toMatchObject({
      object: 'model',
      pricing: { input: expect.any(Number), output: expect.any(Number) }
    })
    const models = await api.listModels()
    expect(models.find(m => m.id === 'meta-llama/Llama-3.3-70B-Instruct-Turbo')?.pricing).toEqual({
      input: 0.88,
      output: 0.88
    })
  })

  it('prices every model the shipped scenarios name, whose output lines carry usage', async () => {
    const lines = scenarios.flatMap(s => Object.values(s.files ?? {})).flatMap(f => f.lines ?? [])
    const models = lines
      .map(l => (l as { response?: { body?: { model?: string; usage?: unknown } } }).response?.body)
      .filter(body => body?.usage !== undefined)
      .map(body => body!.model)
    expect(models.length).toBeGreaterThan(0)
    await start()
    const priced = new Set((await api.listModels()).filter(m => m.pricing).map(m => m.id))
    for (const model of models) expect(priced).toContain(model)
  })

  it('breaks GET /v1/models when a scenario asks, counting its requests across batches', async () => {
    const scenario = validateScenario('models-down', {
      description: 'models down',
      batch: {},
      timeline: [{ at: 0, status: 'COMPLETED', progress: 100 }],
      faults: [{ type: 'status', on: 'models', requests: [1], status: 503, body: { error: 'down' } }]
    })
    await start([scenario])
    expect((await failure(api.listModels())).status).toBe(503)
    expect(await api.listModels()).not.toHaveLength(0)
    expect(sim.requests.map(r => [r.path, r.fault])).toEqual([
      ['/v1/models', 'status 503'],
      ['/v1/models', undefined]
    ])
  })

  it('rejects a scenario without a timeline', () => {
    expect(() => validateScenario('bad', { description: 'x', batch: {}, timeline: [] })).toThrow(
      'Scenario bad: needs a non-empty timeline'
    )
  })
})

describe('Together simulator: uploads and creates', () => {
  const auth = { authorization: 'Bearer sim-k' }
  /** An upload the simulator has received and preprocessed. */
  const uploaded = (id: string): void => {
    sim.uploads.set(id, {
      id,
      filename: 'a.jsonl',
      purpose: 'batch-api',
      createdAt: 0,
      processed: true,
      bytes: 1,
      sha256: 'x',
      lines: 1
    })
  }

  async function signedUpload(): Promise<{ location: string; fileId: string }> {
    const started = await request(`${sim.baseUrl}/files`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'purpose=batch-api&file_name=a.jsonl'
    })
    await started.body.dump()
    expect(started.statusCode).toBe(302)
    return { location: String(started.headers.location), fileId: String(started.headers['x-together-file-id']) }
  }

  it('serves the signed URL on another origin that refuses the key and a wrong signature', async () => {
    await start()
    const { location, fileId } = await signedUpload()
    expect(new URL(location).origin).toBe(sim.storageOrigin)
    expect(new URL(location).origin).not.toBe(new URL(sim.baseUrl).origin)
    const keyed = await request(location, { method: 'PUT', headers: auth, body: '{}\n' })
    expect(keyed.statusCode).toBe(403)
    expect(await keyed.body.text()).toContain('AuthorizationHeaderNotAllowedWithSignedUrl')
    const unsigned = await request(`${sim.storageOrigin}/upload/${fileId}?signature=guess`, {
      method: 'PUT',
      body: 'x'
    })
    expect(unsigned.statusCode).toBe(403)
    await unsigned.body.dump()
    const early = await request(`${sim.baseUrl}/files/${fileId}/preprocess`, { method: 'POST', headers: auth })
    expect(early.statusCode).toBe(400)
    await early.body.dump()
    const put = await request(location, { method: 'PUT', body: '{"a":1}\n{"b":2}' })
    expect(put.statusCode).toBe(200)
    await put.body.dump()
    expect(sim.storageRequests.map(r => [r.keyed, r.status])).toEqual([
      [true, 403],
      [false, 403],
      [false, 200]
    ])
    expect(sim.uploads.get(fileId)).toMatchObject({ bytes: 15, lines: 2, processed: false })
  })

  it('lists scenario files and finished uploads in GET /v1/files', async () => {
    await start()
    await signedUpload()
    const listed = await api.listFiles()
    expect(listed.map(f => f.id)).toContain('file-output-completes')
    // The upload that never got its bytes is not listed.
    expect(listed.map(f => f.id)).not.toContain('file-sim-1')
  })

  it('creates a batch from an uploaded file only, for an endpoint the SDKs accept, with the warning', async () => {
    const scenario = validateScenario('warned', {
      description: 'created with a warning',
      batch: {},
      createWarning: 'model is busy',
      timeline: [{ at: 0, status: 'VALIDATING' }]
    })
    await start([scenario], { createScenario: 'warned' })
    uploaded('file-up')
    const none = await failure(api.createBatch('file-nope', '/v1/chat/completions'))
    expect(none).toMatchObject({ status: 400, serverMessage: 'input file not found' })
    const endpoint = await failure(api.createBatch('file-up', '/v1/embeddings'))
    expect(endpoint).toMatchObject({ status: 400, serverMessage: 'unsupported endpoint' })
    expect(await api.createBatch('file-up', '/v1/completions')).toEqual({
      job: expect.objectContaining({ id: 'batch-warned-1', input_file_id: 'file-up', endpoint: '/v1/completions' }),
      warning: 'model is busy'
    })
    // The account lists every batch, the scenario's own too: the new one is the batch of the upload.
    const listed = await api.listBatches()
    expect(listed.filter(b => b.input_file_id === 'file-up').map(b => b.id)).toEqual(['batch-warned-1'])
    expect(listed[0]!.id).toBe('batch-warned-1')
  })

  it('creates the batch before a create fault, so the answer is lost but the batch is listed', async () => {
    const lossy = validateScenario('completes', {
      description: 'lossy create',
      batch: {},
      timeline: [{ at: 0, status: 'VALIDATING' }],
      faults: [{ type: 'reset', on: 'create', requests: [1] }]
    })
    await start([lossy])
    uploaded('file-up')
    expect((await failure(api.createBatch('file-up', '/v1/chat/completions'))).kind).toBe('network')
    const listed = await api.listBatches()
    expect(listed.filter(b => b.input_file_id === 'file-up').map(b => b.id)).toEqual(['batch-completes-1'])
    expect((await api.createBatch('file-up', '/v1/chat/completions')).job.id).toBe('batch-completes-2')
    expect(sim.requests.filter(r => r.method === 'POST').map(r => r.fault)).toEqual(['reset', undefined])
  })
})
