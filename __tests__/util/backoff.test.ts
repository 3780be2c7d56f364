import { describe, expect, it } from '@jest/globals'
import { withBackoff, type Backoff } from '../../src/util/backoff.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

class Flaky extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

const backoff: Backoff = {
  what: 'Downloading file-1',
  attempts: 3,
  capMs: 10_000,
  transient: (error): error is Flaky => error instanceof Flaky && error.transient
}

/** A call that fails with `failures` in turn, then answers 'done'. */
function calls(...failures: Error[]) {
  let made = 0
  return {
    get made() {
      return made
    },
    call: async (): Promise<string> => {
      const failure = failures[made++]
      if (failure) throw failure
      return 'done'
    }
  }
}

function deps(signal?: AbortSignal) {
  const clock = virtualClock()
  return { ...clock, random: () => 0.5, log: recordingLogger(), signal }
}

describe('withBackoff', () => {
  it('retries transient failures with backoff, warning each time, until the call passes', async () => {
    const d = deps()
    const c = calls(new Flaky('reset', true), new Flaky('503', true))
    await expect(withBackoff(d, backoff, c.call)).resolves.toBe('done')
    expect(c.made).toBe(3)
    expect(d.sleeps).toEqual([750, 1500])
    expect(d.log.lines).toEqual([
      { level: 'warning', message: 'Downloading file-1 failed (attempt 1): reset. Retrying in 1s.' },
      { level: 'warning', message: 'Downloading file-1 failed (attempt 2): 503. Retrying in 2s.' }
    ])
  })

  it('waits as long as the server asks, past its own cap but never over a minute', async () => {
    const d = deps()
    const c = calls(new Flaky('429', true, 40_000), new Flaky('429', true, 90_000))
    await withBackoff(d, backoff, c.call)
    expect(d.sleeps).toEqual([40_000, 60_000])
  })

  it('throws the last failure after the last attempt', async () => {
    const d = deps()
    const last = new Flaky('third', true)
    const c = calls(new Flaky('first', true), new Flaky('second', true), last)
    await expect(withBackoff(d, backoff, c.call)).rejects.toBe(last)
    expect(c.made).toBe(3)
    expect(d.sleeps).toHaveLength(2)
  })

  it('throws a lasting failure at once', async () => {
    const d = deps()
    const lasting = new Flaky('401', false)
    await expect(withBackoff(d, backoff, calls(lasting).call)).rejects.toBe(lasting)
    expect(d.sleeps).toEqual([])
    expect(d.log.lines).toEqual([])
  })

  it('stops retrying once the signal has aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const d = deps(controller.signal)
    const failure = new Flaky('aborted mid-way', true)
    const c = calls(failure)
    await expect(withBackoff(d, backoff, c.call)).rejects.toBe(failure)
    expect(c.made).toBe(1)
    expect(d.sleeps).toEqual([])
  })
})
