import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resultsBudgetMs, runStep } from '../../src/orchestrate/step.js'
import { parseSettings } from '../../src/settings.js'
import type { BatchJob, FilesApi, ModelInfo, ModelsApi } from '../../src/together/types.js'
import { fakeGitHub } from '../helpers/github.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger, scriptedApi, virtualClock } from '../helpers/virtual-time.js'

const settingsFor = (inputs: Record<string, string>) =>
  parseSettings(
    name => actionInputs({ 'batch-id': 'b1', 'api-key': 'tk-step', timeout: '1m', ...inputs })[name] ?? '',
    {}
  )

function harness(job: BatchJob, files: Partial<FilesApi & ModelsApi> = {}) {
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
      listModels: async () => [],
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
    budgets: [] as number[],
    redact: (text: string) => text,
    budget: new AbortController(),
    timeoutSignal(ms: number): AbortSignal {
      this.budgets.push(ms)
      return this.budget.signal
    }
  }
  return { deps, events, outputs, github: fakeGitHub(events) }
}

describe('runStep', () => {
  it('sets the outputs before any download starts, and again with the counts after', async () => {
    const { deps, events, outputs, github } = harness({ id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' })
    const temp = mkdtempSync(join(tmpdir(), 'step-'))
    try {
      const outcome = await runStep(settingsFor({ 'download-dir': temp }), deps, github)
      expect(events).toEqual([
        'status pending: Waiting for Together batch b1',
        'outputs',
        'download',
        'outputs',
        'outputs',
        'status failure: Failed on result files that could not be read: disk on fire'
      ])
      expect(outputs[0]).toMatchObject({ status: 'COMPLETED', 'output-file-id': 'file-out' })
      expect(outcome.verdict.ok).toBe(false)
      expect(outcome.title).toBe('Together batch b1')
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('never leaves status COMPLETED or passed true when the step fails on a COMPLETED batch', async () => {
    const { deps, outputs } = harness({ id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' })
    const outcome = await runStep(settingsFor({ 'max-failed-requests': '0' }), deps)
    expect(outcome.verdict.ok).toBe(false)
    expect(outputs[0]).toMatchObject({ status: 'COMPLETED', passed: 'false' })
    expect(outputs.at(-1)).toEqual({ passed: 'false', status: 'FAILED' })
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

describe('runStep: tokens, cost and annotations', () => {
  const usageLine = (id: string, model: string) =>
    JSON.stringify({
      custom_id: id,
      response: { status_code: 200, body: { model, usage: { prompt_tokens: 1000, completion_tokens: 500 } } }
    })
  const failedLine = (id: string, code: string) =>
    JSON.stringify({ custom_id: id, error: { code, message: `${code}!` } })

  function filesFrom(contents: Record<string, string>, models: ModelInfo[]) {
    let modelCalls = 0
    return {
      api: {
        getFile: async () => ({}),
        downloadFile: async (id: string, path: string) => {
          writeFileSync(path, contents[id]!)
          return contents[id]!.length
        },
        listModels: async () => {
          modelCalls++
          return models
        }
      },
      modelCalls: () => modelCalls
    }
  }

  it('prices the tokens once, fails the cost gate, and annotates one line per code within the budget', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'step-cost-'))
    try {
      const codes = Array.from({ length: 12 }, (_, i) => `code_${String(i).padStart(2, '0')}`)
      writeFileSync(
        join(temp, 'in.jsonl'),
        ['r-ok', ...codes.map((_, i) => `r-${i}`)].map(id => JSON.stringify({ custom_id: id })).join('\n')
      )
      const files = filesFrom(
        {
          'file-out': `${usageLine('r-ok', 'm-a')}\n${usageLine('r-ok2', 'm-b')}\n`,
          'file-err':
            codes.map((code, i) => failedLine(`r-${i}`, code)).join('\n') + `\n${failedLine('ghost', 'code_00')}\n`
        },
        [
          { id: 'm-a', pricing: { input: 1, output: 2 } },
          { id: 'm-b', pricing: { input: 1, output: 2 } }
        ]
      )
      const { deps, outputs } = harness(
        { id: 'b1', status: 'COMPLETED', output_file_id: 'file-out', error_file_id: 'file-err', model_id: 'm-a' },
        files.api
      )
      const settings = parseSettings(
        name =>
          actionInputs({
            'batch-id': 'b1',
            'api-key': 'tk-step',
            timeout: '1m',
            'max-cost': '0.001',
            'input-file': 'in.jsonl'
          })[name] ?? '',
        { GITHUB_WORKSPACE: temp, RUNNER_TEMP: temp }
      )
      const outcome = await runStep(settings, deps)
      expect(files.modelCalls()).toBe(1)
      expect(outputs.at(-2)).toMatchObject({
        'prompt-tokens': '2000',
        'completion-tokens': '1000',
        'estimated-cost': '0.0040'
      })
      expect(outcome.verdict).toEqual({
        ok: false,
        message: 'Estimated cost $0.0040 is more than max-cost $0.001 (list prices).'
      })
      expect(outcome.annotations).toHaveLength(9)
      expect(outcome.annotations[0]).toEqual({
        file: 'in.jsonl',
        line: 2,
        title: 'Together request failed: code_00',
        message: 'Request r-0 failed with code_00: code_00!.'
      })
      expect(outcome.summary).toContain('### Failed requests in <code>in.jsonl</code>')
      expect(outcome.summary).toContain('1 failed request has a custom_id that is not in the file.')
      expect(outcome.summary).toContain(
        '<tr><th align="left">total</th><td>15</td><td>2,000</td><td>1,000</td><td><b>&#36;0.0040</b></td></tr>'
      )
      expect(deps.log.text('warning')).toContain(
        "1 failed request has a custom_id that is not in input-file 'in.jsonl'."
      )
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('asks for no prices when no line has tokens, and passes a cost gate at zero', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'step-cost-'))
    try {
      const files = filesFrom(
        { 'file-out': `${JSON.stringify({ custom_id: 'a', response: { status_code: 200, body: {} } })}\n` },
        []
      )
      const { deps, outputs } = harness({ id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' }, files.api)
      const outcome = await runStep(settingsFor({ 'max-cost': '0', 'download-dir': temp }), deps)
      expect(outcome.verdict.ok).toBe(true)
      expect(files.modelCalls()).toBe(0)
      expect(outputs.at(-2)).toMatchObject({ 'total-tokens': '0', 'estimated-cost': '0.0000' })
      expect(outputs.at(-1)).toEqual({ passed: 'true', status: 'COMPLETED' })
      expect(outcome.annotations).toEqual([])
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })
})
