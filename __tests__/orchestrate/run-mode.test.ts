import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SubmitRunContext } from '../../src/orchestrate/run-context.js'
import { runMode } from '../../src/orchestrate/run-mode.js'
import { parseSettings } from '../../src/settings.js'
import type { BatchJob } from '../../src/together/types.js'
import { fakeGitHub } from '../helpers/github.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo'
const request = (id: string): string =>
  JSON.stringify({ custom_id: id, body: { model: MODEL, messages: [{ role: 'user', content: id }] } })

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'run-mode-'))
  writeFileSync(join(workspace, 'evals.jsonl'), `${request('q1')}\n`)
  writeFileSync(join(workspace, 'bad.jsonl'), 'not json\n')
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const settingsFor = (inputs: Record<string, string>) =>
  parseSettings(
    name => actionInputs({ 'api-key': 'tk-mode', 'input-file': 'evals.jsonl', timeout: '1m', ...inputs })[name] ?? '',
    { GITHUB_WORKSPACE: workspace }
  )

/** A run whose created batch answers `job`; `events` records the calls that matter here, in order. */
function harness(job: BatchJob) {
  const events: string[] = []
  const never = (): Promise<never> => Promise.reject(new Error('not expected'))
  const run: SubmitRunContext = {
    api: {
      getBatch: async id => {
        events.push(`get ${id}`)
        return { ...job, id }
      },
      cancelBatch: never,
      getFile: never,
      downloadFile: never,
      listModels: async () => [{ id: MODEL }],
      listFiles: async () => [],
      listBatches: async () => [],
      uploadFile: async () => ({ id: 'file-1' }),
      createBatch: async inputFileId => {
        events.push('create')
        return { job: { id: 'batch-new', input_file_id: inputFileId } }
      }
    },
    ...virtualClock(),
    random: () => 0.5,
    log: recordingLogger(),
    signal: new AbortController().signal,
    redact: text => text,
    timeoutSignal: () => new AbortController().signal,
    setOutputs: o => {
      if ('batch-id' in o) events.push(`outputs batch-id ${o['batch-id']}`)
    }
  }
  return { run, events, github: fakeGitHub(events) }
}

describe('runMode with input-file and no batch-id', () => {
  it('mode wait: submits, then waits for the new batch; the summary ends with what was sent', async () => {
    const h = harness({ status: 'COMPLETED', output_file_id: 'file-out', input_file_id: 'file-1' })
    const outcome = await runMode(settingsFor({}), h.run, undefined)
    expect(h.events.slice(0, 3)).toEqual(['create', 'outputs batch-id batch-new', 'get batch-new'])
    expect(outcome.title).toBe('Together batch batch-new')
    expect(outcome.summary).toMatch(
      /^## .* Together batch batch-new[\s\S]*### Submitted from <code>evals\.jsonl<\/code>/
    )
  })

  it('mode track: submits, then records the new batch in the ledger', async () => {
    const h = harness({ status: 'IN_PROGRESS', progress: 3 })
    const outcome = await runMode(settingsFor({ mode: 'track', 'github-token': 'ghs_x' }), h.run, h.github)
    expect(outcome.verdict.ok).toBe(true)
    expect(h.events).toEqual([
      'create',
      'outputs batch-id batch-new',
      'status pending: Waiting for Together batch batch-new',
      'get batch-new',
      'put batch-new',
      'status pending: 1 Together batch tracked; reported when they finish'
    ])
  })

  it('fails a refused file without a wait, a ledger entry or a batch', async () => {
    const h = harness({ status: 'COMPLETED' })
    const outcome = await runMode(
      settingsFor({ mode: 'track', 'input-file': 'bad.jsonl', 'github-token': 'ghs_x' }),
      h.run,
      h.github
    )
    expect(outcome.verdict.ok).toBe(false)
    expect(outcome.annotations.map(a => [a.file, a.line])).toEqual([['bad.jsonl', 1]])
    expect(h.events).toEqual([
      'outputs batch-id ',
      'status failure: input-file bad.jsonl was not submitted: 1 line is not a request Together accepts (1 not JSON; first on line 1). Nothing was uploaded; fix the annotated lines and run again.'
    ])
  })
})
