import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resultsBudgetMs, runStep } from '../../src/orchestrate/step.js'
import { parseSettings } from '../../src/settings.js'
import type { BatchJob, FilesApi } from '../../src/together/index.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger, scriptedApi, virtualClock } from '../helpers/virtual-time.js'

const settingsFor = (inputs: Record<string, string>) =>
  parseSettings(
    name => actionInputs({ 'batch-id': 'b1', 'api-key': 'tk-step', timeout: '1m', ...inputs })[name] ?? '',
    {}
  )

function harness(job: BatchJob, files: Partial<FilesApi> = {}) {
  const clock = virtualClock()
  const { api } = scriptedApi([job], clock)
  const events: string[] = []
  const outputs: Record<string, string>[] = []
  const deps = {
    api: {
      ...api,
      getFile: async () => ({}),
      downloadFile: async () => {
        events.push('download')
        throw new Error('disk on fire')
      },
      ...files
    },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log: recordingLogger(),
    signal: new AbortController().signal,
    setOutputs: (o: Record<string, string>) => {
      events.push('outputs')
      outputs.push(o)
    },
    setStatus: async (state: string, description: string) => void events.push(`status ${state}: ${description}`),
    budgets: [] as number[],
    budget: new AbortController(),
    timeoutSignal(ms: number): AbortSignal {
      this.budgets.push(ms)
      return this.budget.signal
    }
  }
  return { deps, events, outputs }
}

describe('runStep', () => {
  it('sets the outputs before any download starts, and again with the counts after', async () => {
    const { deps, events, outputs } = harness({ id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' })
    const temp = mkdtempSync(join(tmpdir(), 'step-'))
    try {
      const outcome = await runStep(settingsFor({ 'download-dir': temp }), deps)
      expect(events).toEqual([
        'status pending: Waiting for Together batch b1',
        'outputs',
        'download',
        'outputs',
        expect.stringMatching(/^status failure: Could not fetch the results of batch b1/)
      ])
      expect(outputs[0]).toMatchObject({ status: 'COMPLETED', 'output-file-id': 'file-out' })
      expect(outcome.verdict.ok).toBe(false)
      expect(outcome.title).toBe('Together batch b1')
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('keeps a FAILED batch the headline when download-dir cannot be created', async () => {
    const { deps, outputs } = harness({ id: 'b1', status: 'FAILED', error: 'bad input', error_file_id: 'file-err' })
    const temp = mkdtempSync(join(tmpdir(), 'step-'))
    try {
      writeFileSync(join(temp, 'blocker'), '')
      const dir = join(temp, 'blocker', 'out')
      const outcome = await runStep(settingsFor({ 'download-dir': dir }), deps)
      expect(outputs[0]).toMatchObject({ status: 'FAILED', 'error-file-id': 'file-err' })
      expect(outcome.verdict.message).toMatch(/^Batch b1 ended FAILED: bad input/)
      expect(outcome.summary).toContain('Together batch b1: FAILED')
      expect(deps.log.text('warning')).toContain(`could not create download-dir '${dir}' (${dir})`)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('downloads nothing after an abort', async () => {
    const { deps, events } = harness({ id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' })
    const abort = new AbortController()
    abort.abort()
    await runStep(settingsFor({ 'max-failed-requests': '0' }), { ...deps, signal: abort.signal })
    expect(events).not.toContain('download')
  })

  it('gives result files a bounded time and names it when it runs out', async () => {
    const { deps, outputs } = harness(
      { id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' },
      {
        getFile: async () => ({}),
        downloadFile: async (_id, _path, options) => {
          deps.budget.abort()
          expect(options?.signal?.aborted).toBe(true)
          throw new Error('aborted')
        }
      }
    )
    const outcome = await runStep(settingsFor({ 'max-failed-requests': '0', timeout: '10s' }), deps)
    expect(deps.budgets).toEqual([10_000])
    expect(outputs[0]).toMatchObject({ status: 'COMPLETED', 'output-file-id': 'file-out' })
    expect(outcome.verdict.message).toContain('the 10s allowed for result files ran out')
  })
})

describe('resultsBudgetMs', () => {
  it.each([
    [0, 0, 600_000],
    [10_000, 2_000, 10_000],
    [6 * 3_600_000, 3_600_000, 1_800_000],
    [3_600_000, 3_300_000, 600_000],
    [20 * 60_000, 5 * 60_000, 15 * 60_000]
  ])('with timeout %d ms after waiting %d ms allows %d ms', (timeout, waited, budget) => {
    expect(resultsBudgetMs(timeout, waited)).toBe(budget)
  })
})
