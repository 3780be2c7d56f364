import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SubmitRunContext } from '../../src/orchestrate/run-context.js'
import { openStep, runMode, runTrack } from '../../src/orchestrate/run-mode.js'
import { parseSettings } from '../../src/settings.js'
import type { BatchJob } from '../../src/together/types.js'
import { fakeGitHub } from '../helpers/github.js'
import { actionInputs } from '../helpers/inputs.js'
import { HEAD, ledgerHarness, ledgerSettings } from '../helpers/ledger-run.js'
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

const openingSettings = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  parseSettings(name => actionInputs({ 'batch-id': 'b1', 'api-key': 'tk', ...inputs })[name] ?? '', env)

function open(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const log = recordingLogger()
  const outputs: Record<string, string> = {}
  const outcome = openStep(openingSettings(inputs, env), { log, setOutputs: o => Object.assign(outputs, o) })
  return { outcome, log, outputs }
}

describe('openStep', () => {
  it('lets a run with a key and fitting inputs go on, saying nothing', () => {
    const { outcome, log, outputs } = open({})
    expect(outcome).toBeUndefined()
    expect(log.lines).toEqual([])
    expect(outputs).toEqual({})
  })

  it('warns before the wait when timeout reaches the hosted-job limit', () => {
    const { outcome, log } = open({ timeout: '6h' }, { RUNNER_ENVIRONMENT: 'github-hosted' })
    expect(outcome).toBeUndefined()
    expect(log.text('warning')).toMatch(/^timeout 6h 00m is not shorter than the 6h GitHub gives a job/)
  })

  it('ends a run without a key under if-no-api-key: skip as a pass that checked nothing, passed false', () => {
    const { outcome, outputs } = open({ 'api-key': '', 'if-no-api-key': 'skip' })
    expect(outcome).toEqual({
      verdict: {
        ok: true,
        message:
          'No Together API key (runs from forks and Dependabot get no secrets): nothing was checked, as if-no-api-key: skip asks; passed stays false.'
      },
      title: 'Together batches',
      summary: '## ⏭️ Together batches not checked: no API key (if-no-api-key: skip)\n',
      annotations: []
    })
    expect(outputs).toEqual({ passed: 'false' })
  })
})

describe('runTrack', () => {
  it('records only the batches not final yet, and leaves the commit status pending', async () => {
    const h = ledgerHarness(
      { run: { id: 'run', status: 'IN_PROGRESS' }, fin: { id: 'fin', status: 'COMPLETED', output_file_id: 'f' } },
      []
    )
    const statuses: string[] = []
    const settings = ledgerSettings({ mode: 'track', 'batch-id': 'run fin', 'commit-status': 'ctx' })
    const outcome = await runMode(settings, h.deps, {
      ...h.github,
      status: async (s, d) => void statuses.push(`${s}: ${d}`),
      headCommit: async () => ({ sha: HEAD, pullRequests: [4] })
    })
    expect(outcome.verdict.ok).toBe(true)
    expect(h.events).toEqual(['put run'])
    expect(h.outputs.tracked).toBe('["run"]')
    expect(statuses.at(-1)).toBe('pending: 1 Together batch tracked; reported when they finish')
    expect(h.log.text('info')).toContain(
      'Tracked 1 batch in the ledger on branch together-batches; a step with mode: report reports them when they finish.'
    )
  })

  it('never blames a timeout of 0 the user did not set for checking once', async () => {
    const h = ledgerHarness({ run: { id: 'run', status: 'IN_PROGRESS', progress: 10 } }, [])
    const settings = ledgerSettings({ mode: 'track', 'batch-id': 'run' })
    const outcome = await runTrack(settings, h.deps, { ...h.github, headCommit: async () => ({ sha: HEAD }) })
    expect(outcome.verdict.message).toBe(
      'Batch run is not finished yet (last status IN_PROGRESS at 10%); checked once, as this step asks (timeout 0 or mode: track).'
    )
    expect(outcome.verdict.message).not.toContain('because timeout is 0')
  })

  it('fails when the ledger cannot be written', async () => {
    const h = ledgerHarness({ run: { id: 'run', status: 'IN_PROGRESS' } }, [])
    const ledger = { ...h.github.ledger, put: () => Promise.reject(new Error('Could not write the ledger')) }
    const settings = ledgerSettings({ mode: 'track', 'batch-id': 'run' })
    await expect(runTrack(settings, h.deps, { ...h.github, ledger })).rejects.toThrow('Could not write')
    await expect(runMode(settings, h.deps, undefined)).rejects.toThrow('needs the ledger')
  })
})
