import { describe, expect, it } from '@jest/globals'
import { ProgressLog } from '../../src/engine/progress-log.js'
import { waitForBatches } from '../../src/engine/wait.js'
import type { BatchJob } from '../../src/together/types.js'
import { recordingLogger } from '../helpers/virtual-time.js'
import { eventLoop, latentApi } from '../../tools/virtual/event-loop.js'

async function wait(steps: BatchJob[]) {
  const loop = eventLoop()
  const log = recordingLogger()
  const fake = latentApi(loop, (_id, _elapsed, call) => steps[Math.min(call, steps.length) - 1]!)
  const all = await loop.run(
    waitForBatches(
      { api: fake.api, now: loop.now, sleep: loop.sleep, random: () => 0.5, log },
      { batchIds: ['b1'], timeoutMs: 3_600_000, pollIntervalMs: 30_000, cancelOnTimeout: false, cancelOnAbort: false }
    )
  )
  const progressLines = log.lines.filter(l => l.level === 'info' && l.message.startsWith('[')).map(l => l.message)
  return { result: all.results[0]!, progressLines }
}

describe('progress reported for a final answer without progress', () => {
  it('counts COMPLETED without progress as 100 %, not the 40 % seen before', async () => {
    const { result, progressLines } = await wait([
      { status: 'IN_PROGRESS', progress: 40 },
      { status: 'COMPLETED', output_file_id: 'f' }
    ])
    expect(progressLines).toEqual(['[0s] IN_PROGRESS 40%', '[30s] COMPLETED 100%'])
    expect(result.progress).toBe(100)
    expect(result.timeline.at(-1)).toEqual({ atMs: 30_000, status: 'COMPLETED', progress: 100 })
  })

  it('leaves the progress of FAILED without progress unknown', async () => {
    const { result, progressLines } = await wait([{ status: 'IN_PROGRESS', progress: 40 }, { status: 'FAILED' }])
    expect(progressLines).toEqual(['[0s] IN_PROGRESS 40%', '[30s] FAILED'])
    expect(result.progress).toBeUndefined()
  })

  it('keeps the last progress of a running batch whose answer omits it', async () => {
    const { result } = await wait([{ status: 'IN_PROGRESS', progress: 40 }, { status: 'IN_PROGRESS' }, { status: 'X' }])
    expect(result.progress).toBe(40)
  })
})

describe('ProgressLog', () => {
  const T0 = Date.UTC(2026, 0, 1)
  const setup = (named = false) => {
    const log = recordingLogger()
    return { log, progress: new ProgressLog('b1', T0, log, named) }
  }

  it('writes no line while progress moves below the displayed precision', () => {
    const { log, progress } = setup()
    for (const [i, p] of [42.01, 42.02, 42.04, 42.04, 42.11].entries())
      progress.answer(T0 + i * 30_000, 'IN_PROGRESS', p, undefined)
    expect(log.text()).toBe('[0s] IN_PROGRESS 42%\n[2m 00s] IN_PROGRESS 42.1%')
  })

  it('writes a line when the status changes while the progress stays the same', () => {
    const { log, progress } = setup()
    progress.answer(T0, 'VALIDATING', undefined, undefined)
    progress.answer(T0 + 30_000, 'IN_PROGRESS', undefined, undefined)
    expect(log.text()).toBe('[0s] VALIDATING\n[30s] IN_PROGRESS')
  })

  it('writes a heartbeat once five minutes pass without a change, and not before', () => {
    const { log, progress } = setup()
    for (const ms of [0, 299_999, 300_000, 599_999, 600_000]) progress.answer(T0 + ms, 'IN_PROGRESS', 40, undefined)
    expect(log.text().split('\n')).toEqual([
      '[0s] IN_PROGRESS 40%',
      '[5m 00s] still IN_PROGRESS at 40%, no change since the last line.',
      '[10m 00s] still IN_PROGRESS at 40%, no change since the last line.'
    ])
  })

  it('keeps a batch that answers without a status or progress visible as waiting', () => {
    // A missing status is normalized to '' and read as still running.
    const { log, progress } = setup()
    for (const s of [0, 30, 300]) progress.answer(T0 + s * 1000, '', undefined, undefined)
    expect(log.text()).toBe('[0s] status unknown\n[5m 00s] still waiting, no change since the last line.')
  })

  it('prefixes the batch id with several batches', () => {
    const { log, progress } = setup(true)
    progress.answer(T0, 'VALIDATING', undefined, undefined)
    expect(log.text()).toBe('b1: [0s] VALIDATING')
  })

  it('keeps the last ETA through one answer without a credible estimate, and drops it after two', () => {
    const { log, progress } = setup()
    const at = (s: number) => T0 + s * 1000
    progress.answer(at(0), 'IN_PROGRESS', 10, at(600))
    progress.answer(at(30), 'IN_PROGRESS', 20, undefined)
    progress.answer(at(60), 'IN_PROGRESS', 30, at(400))
    progress.answer(at(90), 'IN_PROGRESS', 40, undefined)
    progress.answer(at(120), 'IN_PROGRESS', 50, undefined)
    expect(log.text().split('\n')).toEqual([
      '[0s] IN_PROGRESS 10% · ETA ~10m 00s',
      '[30s] IN_PROGRESS 20% · ETA ~9m 30s',
      '[1m 00s] IN_PROGRESS 30% · ETA ~5m 40s',
      '[1m 30s] IN_PROGRESS 40% · ETA ~5m 10s',
      '[2m 00s] IN_PROGRESS 50%'
    ])
  })

  it('drops the ETA at once when the status changes', () => {
    const { log, progress } = setup()
    progress.answer(T0, 'IN_PROGRESS', 90, T0 + 60_000)
    progress.answer(T0 + 30_000, 'COMPLETED', 100, undefined)
    expect(log.text()).toBe('[0s] IN_PROGRESS 90% · ETA ~1m 00s\n[30s] COMPLETED 100%')
  })
})
