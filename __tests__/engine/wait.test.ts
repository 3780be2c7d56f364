import { describe, expect, it } from '@jest/globals'
import { waitForBatches } from '../../src/engine/wait.js'
import type { EngineDeps, WaitAllOptions, BatchResult } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import { recordingLogger, scriptedApi, virtualClock, type Step } from '../helpers/virtual-time.js'

type WaitOptions = Omit<WaitAllOptions, 'batchIds'> & { batchId: string }

const OPTIONS: WaitOptions = {
  batchId: 'batch-1',
  timeoutMs: 10 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}

/** The engine on one batch: the action's common case. */
async function waitForBatch(deps: EngineDeps, { batchId, ...options }: WaitOptions): Promise<BatchResult> {
  return (await waitForBatches(deps, { ...options, batchIds: [batchId] })).results[0]!
}

function setup(steps: Step[], options: Partial<WaitOptions> = {}, signal?: AbortSignal, cancelAnswer?: Step) {
  const clock = virtualClock()
  const log = recordingLogger()
  const { api, calls } = scriptedApi(steps, clock, cancelAnswer)
  const start = clock.now()
  const run = () =>
    waitForBatch(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log, signal },
      { ...OPTIONS, ...options }
    )
  return { clock, log, calls, run, start }
}

const running = (progress?: number): Step => ({ id: 'batch-1', status: 'IN_PROGRESS', progress })
const completed: Step = { id: 'batch-1', status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }

describe('waitForBatches on one batch', () => {
  it('checks at once and returns completed with the output file when the batch is already done', async () => {
    const { run, calls, start } = setup([completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    expect(result.batch?.output_file_id).toBe('file-out')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.at).toBe(start)
  })

  it('never leaves more than poll-interval between two checks while nothing changes', async () => {
    const { run, calls } = setup([running(), running(), running(), running(), completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    expect(gaps).toHaveLength(4)
    for (const gap of gaps) expect(gap).toBeGreaterThan(0)
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(30_000)
  })

  it.each([
    ['FAILED', 'FAILED'],
    ['expired', 'EXPIRED'],
    ['CANCELLED', 'CANCELLED'],
    ['Canceled', 'CANCELLED']
  ])('ends with outcome final for status %s, read as %s', async (raw, normal) => {
    const { run } = setup([running(10), { status: raw, error: 'boom', error_file_id: 'file-err' }])
    const result = await run()
    expect(result.outcome).toBe('ended-not-completed')
    expect(result.finalStatus).toBe(normal)
    expect(result.status).toBe(normal)
  })

  it('reads statuses case-insensitively', async () => {
    const { run } = setup([{ status: 'completed', output_file_id: 'f' }])
    expect((await run()).outcome).toBe('completed')
  })

  it('re-checks a COMPLETED batch without output file twice, then reports no-output', async () => {
    const { run, calls } = setup([{ status: 'COMPLETED', error_file_id: 'file-err' }])
    const result = await run()
    expect(result.outcome).toBe('no-output')
    expect(calls).toHaveLength(3)
    expect(result.batch?.error_file_id).toBe('file-err')
  })

  it('accepts an output file id that appears on a re-check', async () => {
    const { run, calls } = setup([{ status: 'COMPLETED' }, completed])
    expect((await run()).outcome).toBe('completed')
    expect(calls).toHaveLength(2)
  })

  it('keeps waiting through CANCELING without a warning', async () => {
    const { run, log } = setup([{ status: 'CANCELING' }, { status: 'CANCELLED' }])
    const result = await run()
    expect(result.finalStatus).toBe('CANCELLED')
    expect(log.text('warning')).toBe('')
    expect(result.timeline.map(t => t.status)).toEqual(['CANCELING', 'CANCELLED'])
  })

  it('warns once about an unknown status and keeps waiting', async () => {
    const { run, log } = setup([{ status: 'PAUSED' }, { status: 'PAUSED' }, { status: 'PAUSED' }, completed])
    expect((await run()).outcome).toBe('completed')
    const warnings = log.lines.filter(l => l.level === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain("unknown status 'PAUSED'")
  })

  it('treats a missing status as still running', async () => {
    const { run, log } = setup([{ progress: 5 }, completed])
    expect((await run()).outcome).toBe('completed')
    expect(log.text('warning')).toContain('reported no status')
  })

  it('says when a failure leaves no time to retry before the deadline', async () => {
    const hang = new TogetherError('GET /batches/batch-1 got no answer within 3s', { kind: 'timeout' })
    const { run, log } = setup([running(5), hang], { timeoutMs: 4000, pollIntervalMs: 2000 })
    expect((await run()).outcome).toBe('timed-out')
    expect(log.text('warning')).toContain('got no answer within 3s. No time left to retry.')
  })

  it('stops at the deadline with the last status and makes no request past it', async () => {
    const { run, calls, clock, start } = setup([running(42)], { timeoutMs: 95_000 })
    const result = await run()
    expect(result.outcome).toBe('timed-out')
    expect(result.status).toBe('IN_PROGRESS')
    expect(result.batch?.progress).toBe(42)
    expect(clock.now() - start).toBeLessThanOrEqual(95_000)
    for (const call of calls) {
      expect(call.at).toBeLessThan(start + 95_000)
      expect(call.options?.timeoutMs).toBeLessThanOrEqual(start + 95_000 - call.at)
    }
    // The last check comes shortly before the deadline, so a batch finishing late is still seen.
    expect(calls.at(-1)!.at).toBeGreaterThanOrEqual(start + 90_000)
  })

  it('retries transient errors with backoff and honours retry-after', async () => {
    const rateLimited = new TogetherError('HTTP 429', { kind: 'http', status: 429, retryAfterMs: 7000 })
    const unavailable = new TogetherError('HTTP 503', { kind: 'http', status: 503 })
    const reset = new TogetherError('socket hang up', { kind: 'network' })
    const { run, calls, log } = setup([rateLimited, unavailable, reset, completed])
    const result = await run()
    expect(result.outcome).toBe('completed')
    expect(calls).toHaveLength(4)
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(7000)
    expect(calls[3]!.at - calls[2]!.at).toBeGreaterThan(calls[2]!.at - calls[1]!.at)
    expect(log.lines.filter(l => l.level === 'warning')).toHaveLength(3)
    expect(log.text('warning')).toContain('Retrying in 7s')
  })

  it.each([400, 401, 403, 404])('fails at once on HTTP %i without retrying', async status => {
    const { run, calls } = setup([new TogetherError(`HTTP ${status}`, { kind: 'http', status, serverMessage: 'nope' })])
    const result = await run()
    expect(result.outcome).toBe('error')
    expect(result.error).toEqual({ message: `HTTP ${status}`, status, serverMessage: 'nope', kind: 'http' })
    expect(calls).toHaveLength(1)
  })

  it('reports an unexpected non-Error throw as an error outcome', async () => {
    const { run } = setup([
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
        throw 'plain string'
      }
    ])
    const result = await run()
    expect(result.outcome).toBe('error')
    expect(result.error?.message).toBe('plain string')
  })

  it('stops when aborted and leaves the batch running without cancel-on-abort', async () => {
    const controller = new AbortController()
    const { run, calls, log } = setup(
      [
        running(1),
        () => {
          controller.abort()
          return running(2) as never
        }
      ],
      {},
      controller.signal
    )
    const result = await run()
    expect(result.outcome).toBe('aborted')
    expect(calls.filter(c => c.method === 'cancel')).toHaveLength(0)
    expect(log.text('info')).toContain('batch batch-1 is left running')
  })

  it('cancels the batch on abort when cancel-on-abort is set, bounded to a few seconds', async () => {
    const controller = new AbortController()
    controller.abort()
    const { run, calls } = setup([running(1)], { cancelOnAbort: true }, controller.signal)
    const result = await run()
    expect(result.outcome).toBe('aborted')
    const cancel = calls.find(c => c.method === 'cancel')
    expect(cancel?.options?.timeoutMs).toBeLessThanOrEqual(3000)
    expect(result.cancel).toEqual({ reason: 'abort', state: 'answered', status: 'CANCELING' })
  })

  it('cancels on timeout when cancel-on-timeout is set and records a failed cancel', async () => {
    const { run } = setup(
      [running(3)],
      { timeoutMs: 5000, pollIntervalMs: 1000, cancelOnTimeout: true },
      undefined,
      new Error('HTTP 500')
    )
    const result = await run()
    expect(result.outcome).toBe('timed-out')
    expect(result.cancel).toEqual({ reason: 'timeout', state: 'failed', error: 'HTTP 500' })
  })

  it('does not cancel on timeout unless asked', async () => {
    const { run, calls } = setup([running(3)], { timeoutMs: 5000, pollIntervalMs: 1000 })
    expect((await run()).cancel).toBeUndefined()
    expect(calls.some(c => c.method === 'cancel')).toBe(false)
  })

  it('logs a line only when status or progress changes, with a heartbeat after a long quiet stretch', async () => {
    const steps: Step[] = [running(10), running(10), running(20), ...Array<Step>(12).fill(running(20)), completed]
    const { run, log } = setup(steps, { timeoutMs: 3_600_000 })
    await run()
    const info = log.lines.filter(l => l.level === 'info').map(l => l.message)
    expect(info[0]).toMatch(/^Waiting for Together batch batch-1/)
    expect(info.filter(l => / IN_PROGRESS 10%/.test(l))).toHaveLength(1)
    expect(info.filter(l => / IN_PROGRESS 20%/.test(l))).toHaveLength(1)
    expect(info.filter(l => l.includes('still IN_PROGRESS at 20%'))).toHaveLength(1)
    expect(info.some(l => l.includes('COMPLETED 100%'))).toBe(true)
  })

  it('notices a linearly progressing batch soon after it finishes (ETA-aware)', async () => {
    const clock = virtualClock()
    const start = clock.now()
    const finishAt = start + 20 * 60_000 + 7_300
    const api = {
      getBatch: async () => {
        const t = clock.now()
        if (t >= finishAt) return { status: 'COMPLETED', progress: 100, output_file_id: 'f' }
        return { status: 'IN_PROGRESS', progress: Math.round(((t - start) / (finishAt - start)) * 10000) / 100 }
      },
      cancelBatch: async () => ({})
    }
    const log = recordingLogger()
    const result = await waitForBatch(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log },
      { ...OPTIONS, timeoutMs: 3_600_000 }
    )
    expect(result.outcome).toBe('completed')
    expect(result.endedAt - finishAt).toBeLessThanOrEqual(3000)
    expect(result.requests).toBeLessThanOrEqual(Math.ceil((20 * 60) / 30) + 3)
    expect(log.text('info')).toMatch(/ETA ~\d+m/)
  })
})
