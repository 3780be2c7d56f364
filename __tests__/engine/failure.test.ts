import { describe, expect, it } from '@jest/globals'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions } from '../../src/engine/types.js'
import { TogetherError, type TogetherErrorKind } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi } from '../../tools/virtual/event-loop.js'

// What the engine records so the verdict can name the real cause of a failed wait.

const OPTIONS: WaitAllOptions = {
  batchIds: ['b1'],
  timeoutMs: 10 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}
const running: BatchJob = { status: 'IN_PROGRESS', progress: 40 }

/** A TogetherError as the client builds it. */
function failure(
  message: string,
  kind: string,
  extra: { status?: number; html?: boolean; retryAfterMs?: number } = {}
) {
  return new TogetherError(message, { kind: kind as TogetherErrorKind, ...extra })
}

async function wait(answer: (call: number) => BatchJob | Error, options: Partial<WaitAllOptions> = {}) {
  const loop = eventLoop()
  const log = recordingLogger()
  const fake = latentApi(
    loop,
    (_id, _elapsed, call) => answer(call),
    () => 200
  )
  const all = await loop.run(
    waitForBatches(
      { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log },
      { ...OPTIONS, ...options }
    )
  )
  return { result: all.results[0]!, all, log, calls: fake.calls }
}

describe('causes recorded for the verdict', () => {
  const notBatch = failure('Together answered GET /batches/b1 with something that is not a batch', 'invalid-response')

  it('ends a batch as an error after 3 answers in a row that are not a batch', async () => {
    const { result, calls } = await wait(() => notBatch)
    expect(result.outcome).toBe('error')
    expect(calls).toHaveLength(3)
    expect(result.error).toEqual({ message: notBatch.message, kind: 'invalid-response', repeated: 3 })
  })

  it('says when those answers were HTML pages', async () => {
    const page = failure('GET /batches/b1 answered HTTP 200 with a body that is not JSON', 'invalid-response', {
      html: true
    })
    const { result } = await wait(() => page)
    expect(result.error).toMatchObject({ kind: 'invalid-response', html: true, repeated: 3 })
  })

  it('counts only answers in a row: a batch answer in between starts the count again', async () => {
    const { result, calls } = await wait(call =>
      call === 3 ? running : call >= 6 ? { status: 'COMPLETED', output_file_id: 'f' } : notBatch
    )
    expect(result.outcome).toBe('completed')
    expect(calls).toHaveLength(6)
  })

  it('records an HTML 404 so the verdict can point at base-url', async () => {
    const { result } = await wait(() =>
      failure('GET /batches/b1 answered HTTP 404', 'http', { status: 404, html: true })
    )
    expect(result.outcome).toBe('error')
    expect(result.error).toMatchObject({ status: 404, html: true })
  })

  it.each(['local', 'invalid-id', 'wrong-batch'])('never retries a failure of kind %s', async kind => {
    const { result, calls } = await wait(() => failure(`bad ${kind}`, kind))
    expect(result.outcome).toBe('error')
    expect(result.error).toEqual({ message: `bad ${kind}`, kind })
    expect(calls).toHaveLength(1)
  })

  describe('a base URL that cannot be reached (host does not resolve, TLS handshake fails)', () => {
    const unreachable = failure(
      'GET /batches/b1 failed: the host nonexistent.invalid does not resolve (getaddrinfo ENOTFOUND nonexistent.invalid)',
      'unreachable'
    )

    it('ends the batch at the first failure when no check ever succeeded: waiting cannot fix base-url', async () => {
      const { result, calls, log } = await wait(() => unreachable, { timeoutMs: 6 * 3_600_000 })
      expect(result.outcome).toBe('error')
      expect(result.error).toEqual({ message: unreachable.message, kind: 'unreachable' })
      expect(calls).toHaveLength(1)
      expect(result.endedAt - result.startedAt).toBeLessThan(5_000)
      expect(log.text('warning')).toBe('')
    })

    it('retries the same failure once a check has succeeded, as a passing one', async () => {
      const { result, calls, log } = await wait(
        call => (call === 1 ? running : call < 4 ? unreachable : { status: 'COMPLETED', output_file_id: 'f' }),
        { timeoutMs: 60 * 60_000 }
      )
      expect(result.outcome).toBe('completed')
      expect(calls).toHaveLength(4)
      expect(log.text('warning')).toContain('Checking batch b1 failed (attempt 1): GET /batches/b1 failed: the host')
    })
  })

  it('keeps the last error when no check succeeded', async () => {
    const unavailable = failure('GET /batches/b1 answered HTTP 503: unavailable', 'http', { status: 503 })
    const { result } = await wait(() => unavailable, { timeoutMs: 60_000 })
    expect(result.outcome).toBe('timed-out')
    expect(result.batch).toBeUndefined()
    expect(result.lastError).toEqual({ message: unavailable.message, status: 503, kind: 'http' })
  })

  it('forgets the last error once a check succeeds again', async () => {
    const unavailable = failure('HTTP 503', 'http', { status: 503 })
    const { result } = await wait(call => (call === 1 ? unavailable : running), { timeoutMs: 60_000 })
    expect(result.outcome).toBe('timed-out')
    expect(result.lastError).toBeUndefined()
  })

  it('holds a 429 asking to wait past the deadline until one last check at the end, and records it', async () => {
    const limited = failure('GET /batches/b1 answered HTTP 429', 'http', { status: 429, retryAfterMs: 2 * 3_600_000 })
    const { result, log, calls } = await wait(call => (call === 1 ? running : limited))
    expect(result.outcome).toBe('timed-out')
    expect(result.rateLimited).toEqual({ retryAfterMs: 2 * 3_600_000 })
    // The check that got the 429, then nothing until the last check time, a second before the deadline.
    expect(calls.map(c => c.at - calls[0]!.at)).toEqual([0, 30_200, 599_000])
    expect(log.text('warning').split('\n')[0]).toBe(
      'Checking batch b1 failed (attempt 1): GET /batches/b1 answered HTTP 429. Together asked to wait longer than the 9m 29s left: one last check at the end.'
    )
  })

  it('forgets the rate limit once a check succeeds again', async () => {
    const limited = failure('HTTP 429', 'http', { status: 429, retryAfterMs: 2 * 3_600_000 })
    const { result } = await wait(call => (call === 1 ? limited : running))
    expect(result.outcome).toBe('timed-out')
    expect(result.rateLimited).toBeUndefined()
  })

  it('retries a 429 whose pause fits in the time left', async () => {
    const limited = failure('HTTP 429', 'http', { status: 429, retryAfterMs: 20_000 })
    const { result } = await wait(call => (call === 1 ? limited : { status: 'COMPLETED', output_file_id: 'f' }))
    expect(result.outcome).toBe('completed')
    expect(result.rateLimited).toBeUndefined()
  })
})
