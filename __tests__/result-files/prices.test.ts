import { describe, expect, it } from '@jest/globals'
import { fetchPrices } from '../../src/result-files/prices.js'
import { TogetherError } from '../../src/together/errors.js'
import type { ModelInfo } from '../../src/together/types.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

describe('fetching prices', () => {
  const model: ModelInfo = { id: 'm', pricing: { input: 1, output: 2 } }

  it('keeps the first price of each model and skips models without one', async () => {
    const clock = virtualClock()
    const log = recordingLogger()
    const result = await fetchPrices({
      api: { listModels: async () => [model, { id: 'm', pricing: { input: 9, output: 9 } }, { id: 'free-text' }] },
      sleep: clock.sleep,
      random: () => 0.5,
      log
    })
    expect(result).toEqual({ prices: new Map([['m', { input: 1, output: 2 }]]) })
    expect(log.text('debug')).toBe('GET /v1/models: 3 models, 1 with prices.')
  })

  it('retries a transient failure, with the timeout and signal on every request', async () => {
    const clock = virtualClock()
    const log = recordingLogger()
    const calls: unknown[] = []
    const signal = new AbortController().signal
    const result = await fetchPrices({
      api: {
        listModels: async options => {
          calls.push(options)
          if (calls.length === 1)
            throw new TogetherError('GET /models answered HTTP 503', { kind: 'http', status: 503 })
          return [model]
        }
      },
      sleep: clock.sleep,
      random: () => 0.5,
      log,
      signal
    })
    expect(result.prices?.get('m')).toEqual({ input: 1, output: 2 })
    expect(calls).toEqual([
      { signal, timeoutMs: 30_000 },
      { signal, timeoutMs: 30_000 }
    ])
    expect(clock.sleeps).toEqual([750])
    expect(log.text('warning')).toContain('Fetching model prices failed (attempt 1): GET /models answered HTTP 503')
  })

  it('gives up on a permanent failure at once, and on a transient one after three attempts', async () => {
    const clock = virtualClock()
    const deps = { sleep: clock.sleep, random: () => 0.5, log: recordingLogger(), redact: (t: string) => t }
    const denied = new TogetherError('GET /models answered HTTP 401', { kind: 'http', status: 401 })
    expect(await fetchPrices({ ...deps, api: { listModels: async () => Promise.reject(denied) } })).toEqual({
      error: 'GET /models answered HTTP 401'
    })
    let attempts = 0
    const down = new TogetherError('GET /models failed: reset', { kind: 'network' })
    const result = await fetchPrices({
      ...deps,
      api: { listModels: async () => Promise.reject(down).finally(() => attempts++) }
    })
    expect(result).toEqual({ error: 'GET /models failed: reset' })
    expect(attempts).toBe(3)
  })
})

describe('fetching prices, edge cases', () => {
  const deps = () => ({ sleep: virtualClock().sleep, random: () => 0.5, log: recordingLogger() })

  it('returns an empty price list when no model has a price', async () => {
    const log = recordingLogger()
    const result = await fetchPrices({ ...deps(), log, api: { listModels: async () => [{ id: 'a' }, { id: 'b' }] } })
    expect(result).toEqual({ prices: new Map() })
    expect(log.text('debug')).toBe('GET /v1/models: 2 models, 0 with prices.')
  })

  it('returns the message of a failure that is not an Error, never throwing', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const result = await fetchPrices({ ...deps(), api: { listModels: async () => Promise.reject('plain text') } })
    expect(result).toEqual({ error: 'plain text' })
  })

  it('stops retrying when the step is aborted', async () => {
    const controller = new AbortController()
    let attempts = 0
    const result = await fetchPrices({
      ...deps(),
      signal: controller.signal,
      api: {
        listModels: async () => {
          attempts++
          controller.abort()
          throw new TogetherError('GET /models failed: reset', { kind: 'network' })
        }
      }
    })
    expect(result.error).toBeDefined()
    expect(result.prices).toBeUndefined()
    expect(attempts).toBe(1)
  })
})
