import { afterEach, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { TogetherClient } from '../../src/together/client.js'
import { parseModelList } from '../../src/together/models.js'
import { failure } from '../helpers/errors.js'

const BASE = 'https://api.together.test'
const KEY = 'tk-models-secret'
const clients: TogetherClient[] = []
const client = (): TogetherClient => {
  const api = new TogetherClient({ apiKey: KEY, baseUrl: `${BASE}/v1` })
  clients.push(api)
  return api
}

afterEach(async () => {
  nock.cleanAll()
  await Promise.all(clients.splice(0).map(c => c.close()))
})

const llama = {
  id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
  object: 'model',
  created: 1733443200,
  type: 'chat',
  pricing: { hourly: 0, input: 0.88, output: 0.88, base: 0, finetune: 0 }
}

describe('parseModelList', () => {
  it('reads a bare array, keeping the id and the input and output prices', () => {
    expect(parseModelList([llama])).toEqual([
      { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', pricing: { input: 0.88, output: 0.88 } }
    ])
  })

  it('reads null as no models, and an OpenAI-style {data} list too', () => {
    expect(parseModelList(null)).toEqual([])
    expect(parseModelList({ object: 'list', data: [llama] })).toHaveLength(1)
  })

  it.each([undefined, 'models', 42, { models: [] }])('rejects %j as not a list', body => {
    expect(parseModelList(body)).toBeUndefined()
  })

  it('skips malformed entries and keeps models whose prices are unusable without a price', () => {
    const models = parseModelList([
      null,
      'a string',
      { id: 42 },
      { id: '   ' },
      { id: 'x'.repeat(300) },
      { id: 'no-pricing' },
      { id: 'string-prices', pricing: { input: '0.2', output: '0.2' } },
      { id: 'negative', pricing: { input: -1, output: 1 } },
      { id: 'absurd', pricing: { input: 1e308, output: 1 } },
      { id: 'half', pricing: { input: 0.5 } },
      { id: 'free', pricing: { input: 0, output: 0 } }
    ])
    expect(models).toEqual([
      { id: 'no-pricing' },
      { id: 'string-prices' },
      { id: 'negative' },
      { id: 'absurd' },
      { id: 'half' },
      { id: 'free', pricing: { input: 0, output: 0 } }
    ])
  })
})

describe('TogetherClient.listModels', () => {
  it('gets /v1/models with the key and parses the bare array', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${KEY}` } })
      .get('/v1/models')
      .reply(200, [llama, { id: 'broken', pricing: 'n/a' }])
    expect(await client().listModels()).toEqual([
      { id: llama.id, pricing: { input: 0.88, output: 0.88 } },
      { id: 'broken' }
    ])
    scope.done()
  })

  it('answers an empty list for null', async () => {
    nock(BASE).get('/v1/models').reply(200, 'null', { 'content-type': 'application/json' })
    expect(await client().listModels()).toEqual([])
  })

  it('rejects an answer that is not a list as an invalid response', async () => {
    nock(BASE).get('/v1/models').reply(200, { error: 'nope' })
    const error = await failure(client().listModels())
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toBe('Together answered GET /models with something that is not a list of models')
  })

  it('stops at once when the caller aborts', async () => {
    nock(BASE).get('/v1/models').delay(60_000).reply(200, [])
    const abort = new AbortController()
    const pending = client().listModels({ signal: abort.signal, timeoutMs: 30_000 })
    abort.abort()
    expect((await failure(pending)).kind).toBe('aborted')
  })
})
