import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStep } from '../../src/orchestrate/step.js'
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
    setStatus: async (state: string, description: string) => void events.push(`status ${state}: ${description}`)
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
})
