import { describe, expect, it } from '@jest/globals'
import { waitForBatches } from '../../src/engine/wait.js'
import type { WaitAllOptions } from '../../src/engine/types.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi } from '../../tools/virtual/event-loop.js'

const OPTIONS: WaitAllOptions = {
  batchIds: ['b1'],
  timeoutMs: 10 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: true,
  cancelOnAbort: true
}
const running: BatchJob = { status: 'IN_PROGRESS', progress: 40 }
const ids = (n: number) => Array.from({ length: n }, (_, i) => `b-${i}`)

/** Runs the engine until `abortAt` ms, when the workflow is cancelled; `cancelAnswer` answers each cancel. */
function setup(options: Partial<WaitAllOptions>, cancelAnswer: (id: string) => BatchJob | Error, cancelMs = 1000) {
  const loop = eventLoop()
  const log = recordingLogger()
  const controller = new AbortController()
  const fake = latentApi(
    loop,
    () => running,
    (_id, method) => (method === 'cancel' ? cancelMs : 200),
    cancelAnswer
  )
  const run = () =>
    loop.run(
      waitForBatches(
        { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log, signal: controller.signal },
        { ...OPTIONS, ...options }
      )
    )
  const cancels = () => fake.calls.filter(c => c.method === 'cancel')
  return { loop, log, controller, run, cancels }
}

describe('cancelling on abort and timeout', () => {
  it('sends every cancel at once after an abort, all within the runner grace period', async () => {
    const { loop, controller, run, cancels } = setup({ batchIds: ids(40) }, () => ({ status: 'CANCELING' }), 2500)
    loop.after(45_000, () => controller.abort())
    const all = await run()
    const abortedAt = all.startedAt + 45_000
    expect(cancels()).toHaveLength(40)
    for (const call of cancels()) {
      expect(call.at).toBe(abortedAt)
      expect(call.options?.timeoutMs).toBeLessThanOrEqual(3000)
    }
    expect(all.endedAt - abortedAt).toBeLessThanOrEqual(5000)
    expect(all.results.every(r => r.cancel?.state === 'answered')).toBe(true)
  })

  it('reports the answered status, CANCELING, as the batch status, and adds it to the timeline', async () => {
    const { loop, controller, run, log } = setup({}, () => ({ status: 'cancelling' }))
    loop.after(45_000, () => controller.abort())
    const [result] = (await run()).results
    expect(result!.cancel).toEqual({ reason: 'abort', state: 'answered', status: 'CANCELLING' })
    expect(result!.status).toBe('CANCELLING')
    expect(result!.batch?.status).toBe('CANCELLING')
    expect(result!.finalStatus).toBeUndefined()
    expect(result!.timeline.at(-1)).toEqual({ atMs: 46_000, status: 'CANCELLING', progress: 40 })
    expect(log.text('info')).toContain('Cancelled batch b1 after the wait was aborted: Together answered CANCELLING.')
  })

  it('tells a cancel that got no answer from one that failed and one never sent', async () => {
    const hang = new TogetherError('POST /batches/b1/cancel got no answer within 3s', { kind: 'timeout' })
    const refused = new TogetherError('POST /batches/b2/cancel answered HTTP 500', { kind: 'http', status: 500 })
    const { loop, controller, run, log } = setup({ batchIds: ['b1', 'b2'] }, id => (id === 'b1' ? hang : refused))
    loop.after(45_000, () => controller.abort())
    const all = await run()
    expect(all.results.map(r => r.cancel)).toEqual([
      { reason: 'abort', state: 'no-answer', error: hang.message },
      { reason: 'abort', state: 'failed', error: refused.message }
    ])
    expect(log.text('warning')).toContain(
      'No answer to the cancel of batch b1 after the wait was aborted: POST /batches/b1/cancel got no answer within 3s. It may still be running.'
    )
    expect(log.text('warning')).toContain('Could not cancel batch b2 after the wait was aborted')
  })

  it('does not send a cancel when the abort left no time for it, and says so', async () => {
    const { loop, controller, run, cancels, log } = setup({}, () => ({ status: 'CANCELING' }))
    // The process was suspended right after the signal: 6 s pass before the engine runs again.
    loop.after(45_000, () => {
      controller.abort()
      loop.jump(6000)
    })
    const [result] = (await run()).results
    expect(cancels()).toHaveLength(0)
    expect(result!.cancel).toEqual({
      reason: 'abort',
      state: 'not-sent',
      error: 'no time was left before the runner stops the step'
    })
    expect(result!.status).toBe('IN_PROGRESS')
    expect(log.text('warning')).toBe(
      'Did not send a cancel for batch b1 after the wait was aborted: no time was left before the runner stops the step. It is still running.'
    )
  })

  it('still sends the cancel when half a second of the abort budget is left', async () => {
    const { loop, controller, run, cancels } = setup({}, () => ({ status: 'CANCELING' }), 200)
    loop.after(45_000, () => {
      controller.abort()
      loop.jump(4500)
    })
    const [result] = (await run()).results
    expect(cancels().map(c => c.options?.timeoutMs)).toEqual([500])
    expect(result!.cancel).toEqual({ reason: 'abort', state: 'answered', status: 'CANCELING' })
  })

  it('cancels on timeout with a longer bound', async () => {
    const { run, cancels } = setup({ timeoutMs: 60_000 }, () => ({ status: 'CANCELING' }))
    const [result] = (await run()).results
    expect(result!.outcome).toBe('timed-out')
    expect(cancels()[0]!.options?.timeoutMs).toBe(10_000)
    expect(result!.cancel).toEqual({ reason: 'timeout', state: 'answered', status: 'CANCELING' })
  })
})
