import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SubmitRunContext } from '../../src/orchestrate/run-context.js'
import { submitStep } from '../../src/orchestrate/submit-step.js'
import { parseSettings } from '../../src/settings.js'
import { SubmitError } from '../../src/submit/submit-error.js'
import { TogetherError } from '../../src/together/errors.js'
import { fakeGitHub } from '../helpers/github.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'
const line = (id: string): string =>
  JSON.stringify({ custom_id: id, body: { model: MODEL, messages: [{ role: 'user', content: id }] } })

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'submit-step-'))
  writeFileSync(join(workspace, 'evals.jsonl'), `${line('q1')}\n${line('q2')}\n`)
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const settingsFor = (inputs: Record<string, string>) =>
  parseSettings(
    name => actionInputs({ 'api-key': 'tk-submit', 'commit-status': 'ctx', timeout: '10m', ...inputs })[name] ?? '',
    { GITHUB_WORKSPACE: workspace }
  )

/** A run whose client records what it is asked in `events`; `api` replaces any call. */
function harness(api: Partial<SubmitRunContext['api']> = {}) {
  const clock = virtualClock()
  const events: string[] = []
  const outputs: Record<string, string> = {}
  const abort = new AbortController()
  const log = recordingLogger()
  const never = (): Promise<never> => Promise.reject(new Error('not expected'))
  const run: SubmitRunContext = {
    api: {
      getBatch: never,
      cancelBatch: never,
      getFile: never,
      downloadFile: never,
      listModels: async () => [{ id: MODEL }],
      listFiles: async () => [],
      listBatches: async () => [],
      uploadFile: async (_path, fileName) => {
        events.push(`upload ${fileName}`)
        return { id: 'file-1', filename: fileName }
      },
      createBatch: async (inputFileId, endpoint) => {
        events.push(`create ${inputFileId} ${endpoint}`)
        return { job: { id: 'batch-1', input_file_id: inputFileId, endpoint, status: 'VALIDATING' } }
      },
      ...api
    },
    ...clock,
    random: () => 0.5,
    log,
    signal: abort.signal,
    redact: text => text,
    timeoutSignal: () => new AbortController().signal,
    setOutputs: o => {
      events.push(`outputs ${JSON.stringify(o)}`)
      Object.assign(outputs, o)
    }
  }
  return { run, clock, log, events, outputs, abort, github: fakeGitHub(events) }
}

describe('submitStep', () => {
  it('goes on with the given batches, naming them in batch-id at once', async () => {
    const h = harness()
    const settings = settingsFor({ 'batch-id': 'b1, b2', 'input-file': 'evals.jsonl' })
    const batches = await submitStep(settings, h.run, h.github)
    expect(batches).toEqual({ settings, summary: '' })
    expect(h.events).toEqual(['outputs {"batch-id":"b1\\nb2","input-file-id":""}'])
  })

  it('submits input-file, sets batch-id and input-file-id at once, and hands the batch to the wait', async () => {
    const h = harness()
    const batches = await submitStep(settingsFor({ 'input-file': 'evals.jsonl' }), h.run, h.github)
    expect(h.events).toEqual([
      expect.stringMatching(/^upload evals-[0-9a-f]{16}\.jsonl$/),
      'create file-1 /v1/chat/completions',
      'outputs {"batch-id":"batch-1","input-file-id":"file-1"}'
    ])
    if ('refused' in batches) throw new Error('expected a batch')
    expect(batches.settings.batchIds).toEqual(['batch-1'])
    expect(batches.summary).toContain('### Submitted from <code>evals.jsonl</code>')
    expect(h.log.text('info')).toContain('input-file evals.jsonl: 2 requests for /v1/chat/completions')
  })

  it.each([
    ['10m', 3 * 60_000, 7 * 60_000],
    ['0', 3 * 60_000, 0],
    ['2m', 3 * 60_000, 1000]
  ])('leaves the wait what a timeout of %s has left after a submit of %d ms', async (timeout, took, left) => {
    const h = harness({
      uploadFile: async () => {
        h.clock.advance(took)
        return { id: 'file-1' }
      }
    })
    const batches = await submitStep(settingsFor({ 'input-file': 'evals.jsonl', timeout }), h.run, h.github)
    expect('settings' in batches && batches.settings.timeoutMs).toBe(left)
  })

  it('refuses a file with bad lines: annotations, a failed status, outputs, and nothing sent', async () => {
    writeFileSync(join(workspace, 'bad.jsonl'), Array.from({ length: 12 }, (_, i) => `bad ${i}`).join('\n'))
    const h = harness({ listModels: () => Promise.reject(new Error('no request expected')) })
    const batches = await submitStep(settingsFor({ 'input-file': 'bad.jsonl' }), h.run, h.github)
    if (!('refused' in batches)) throw new Error('expected a refusal')
    const { verdict, title, annotations, summary } = batches.refused
    // Nine: the step's own error is the tenth annotation GitHub shows.
    expect(annotations.map(a => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(verdict).toEqual({
      ok: false,
      message:
        'input-file bad.jsonl was not submitted: 12 lines are not a request Together accepts (12 not JSON; first on line 1). Nothing was uploaded; fix the annotated lines and run again. 3 more lines of bad.jsonl not sent: 3 not JSON.'
    })
    expect(title).toBe('input-file bad.jsonl')
    expect(summary).toContain('## ❌ input-file <code>bad.jsonl</code> not submitted')
    expect(h.events).toEqual([
      'outputs {"batch-id":"","input-file-id":"","passed":"false"}',
      expect.stringMatching(/^status failure: input-file bad\.jsonl was not submitted: 12 lines/)
    ])
  })

  it('fails naming the uploaded file when Together refuses the batch, with input-file-id set first', async () => {
    const refused = new TogetherError('Together answered HTTP 400: unsupported endpoint', { kind: 'http', status: 400 })
    const h = harness({ createBatch: () => Promise.reject(refused) })
    const step = submitStep(settingsFor({ 'input-file': 'evals.jsonl' }), h.run, h.github)
    await expect(step).rejects.toThrow(
      'Together refused a batch of input-file evals.jsonl (file-1): Together answered HTTP 400: unsupported endpoint. No batch was created.'
    )
    await expect(step).rejects.toBeInstanceOf(SubmitError)
    expect(h.outputs).toEqual({ 'input-file-id': 'file-1' })
  })

  it('stops an upload when the workflow is cancelled, saying the file may be left unfinished', async () => {
    const h = harness({
      uploadFile: async (_path, _name, options) => {
        options?.onStarted?.('file-9')
        h.abort.abort()
        throw new TogetherError('PUT to the signed upload URL was aborted', { kind: 'aborted' })
      }
    })
    await expect(submitStep(settingsFor({ 'input-file': 'evals.jsonl' }), h.run, h.github)).rejects.toThrow(
      'Could not submit input-file evals.jsonl (uploading): PUT to the signed upload URL was aborted. No batch was created. The upload of file-9 was begun and may be left unfinished in GET /v1/files.'
    )
    expect(h.events.some(e => e.startsWith('create'))).toBe(false)
  })

  it('says nothing was uploaded when the workflow is cancelled while the file is checked', async () => {
    const h = harness()
    h.abort.abort()
    await expect(submitStep(settingsFor({ 'input-file': 'evals.jsonl' }), h.run, h.github)).rejects.toThrow(
      'The workflow was cancelled while input-file evals.jsonl was checked: nothing was uploaded and no batch was created.'
    )
    expect(h.events).toEqual([])
  })
})
