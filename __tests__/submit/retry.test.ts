import { describe, expect, it } from '@jest/globals'
import { ATTEMPTS, retrying, transientPause } from '../../src/submit/retry.js'
import { TogetherError } from '../../src/together/errors.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const deps = () => ({ ...virtualClock(), log: recordingLogger(), random: () => 0.5 })
const transient = (message = 'GET /files answered HTTP 503') =>
  new TogetherError(message, { kind: 'http', status: 503 })

describe('retrying', () => {
  it('tries again after transient failures, with backoff and a warning each time', async () => {
    const d = deps()
    let calls = 0
    const value = await retrying(
      'GET /files',
      async () => {
        if (++calls < 3) throw transient()
        return 'listed'
      },
      d
    )
    expect(value).toBe('listed')
    expect(d.sleeps).toEqual([750, 1500])
    expect(d.log.text('warning')).toBe(
      [
        'GET /files failed (try 1 of 5): GET /files answered HTTP 503. Retrying in 1s.',
        'GET /files failed (try 2 of 5): GET /files answered HTTP 503. Retrying in 2s.'
      ].join('\n')
    )
  })

  it('waits as long as a 429 asks, up to a minute', async () => {
    const d = deps()
    let calls = 0
    const limited = new TogetherError('slow down', { kind: 'http', status: 429, retryAfterMs: 90_000 })
    await retrying(
      'x',
      async () => {
        if (++calls === 1) throw limited
      },
      d
    )
    expect(d.sleeps).toEqual([60_000])
  })

  it(`gives up after ${ATTEMPTS} tries and throws the last failure`, async () => {
    const d = deps()
    let calls = 0
    const last = transient('the last one')
    await expect(
      retrying(
        'x',
        async () => {
          throw ++calls === ATTEMPTS ? last : transient()
        },
        d
      )
    ).rejects.toBe(last)
    expect(calls).toBe(ATTEMPTS)
  })

  it.each([
    ['a 401', new TogetherError('no', { kind: 'http', status: 401 })],
    ['an invalid ID', new TogetherError('bad id', { kind: 'invalid-id' })],
    ['an error that is no TogetherError', new Error('bug')]
  ])('throws %s at once', async (_what, error) => {
    const d = deps()
    await expect(retrying('x', () => Promise.reject(error), d)).rejects.toBe(error)
    expect(d.sleeps).toEqual([])
  })

  it('does not try again once the step is cancelled', () => {
    const controller = new AbortController()
    controller.abort()
    expect(transientPause(transient(), 1, { ...deps(), signal: controller.signal })).toBeUndefined()
    expect(transientPause(transient(), 1, deps())).toBe(750)
  })
})
