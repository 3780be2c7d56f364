import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { parseOutputFile } from '../tools/runner/run-action.js'
import { startGitHubSim } from '../tools/github-sim/server.js'
import { createGitHubClient, type GitHubClient } from '../src/github/octokit.js'
import { run, type Runtime } from '../src/main.js'
import { actionInputs } from './helpers/inputs.js'
import { virtualClock } from './helpers/virtual-time.js'

const BASE = 'https://api.together.test/v1'
const KEY = 'tk-main-secret'
const DEFAULTS = actionInputs({ 'batch-id': 'b1', 'api-key': KEY, 'base-url': BASE, timeout: '10m' })
const HEAD = 'c'.repeat(40)

let temp: string
let stdout: string
const savedEnv = { ...process.env }

function setInputs(inputs: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...inputs }))
    process.env[`INPUT_${name.toUpperCase()}`] = value
}

/** A GitHub client whose every call sets a commit status: `onStatus` is GitHub's answer. */
function statusesTo(onStatus: (state: string, description: string) => Promise<void>): Partial<Runtime> {
  const client: GitHubClient = {
    owner: 'o',
    repo: 'r',
    redact: text => text,
    request: async (_route, params) => onStatus(String(params?.state), String(params?.description)),
    graphql: () => Promise.reject(new Error('no GraphQL call expected'))
  }
  return { createGitHubClient: async () => client }
}

async function runAction(inputs: Record<string, string> = {}, overrides: Partial<Runtime> = {}) {
  setInputs(inputs)
  const clock = virtualClock()
  await run({ now: clock.now, sleep: clock.sleep, random: () => 0.5, ...overrides })
  return {
    exitCode: process.exitCode,
    outputs: parseOutputFile(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8')),
    summary: readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8'),
    log: stdout
  }
}

// @actions/core resolves the summary file once per process, so every test shares one path.
beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'main-test-'))
})
afterAll(() => rmSync(temp, { recursive: true, force: true }))

beforeEach(() => {
  process.env.GITHUB_OUTPUT = join(temp, 'output')
  process.env.GITHUB_STEP_SUMMARY = join(temp, 'summary')
  writeFileSync(process.env.GITHUB_OUTPUT, '')
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, '')
  process.env.GITHUB_SHA = 'a'.repeat(40)
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
  nock.cleanAll()
  process.env = { ...savedEnv }
  process.exitCode = undefined
})

describe('run', () => {
  it('sets the outputs and writes the summary for a completed batch', async () => {
    const scope = nock(BASE)
      .get('/batches/b1')
      .reply(200, { id: 'b1', status: 'IN_PROGRESS', progress: 50, model_id: 'm' })
      .get('/batches/b1')
      .reply(200, { id: 'b1', status: 'COMPLETED', progress: 100, output_file_id: 'file-out', model_id: 'm' })
    const result = await runAction()
    scope.done()
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({
      status: 'COMPLETED',
      'output-file-id': 'file-out',
      progress: '100',
      'timed-out': 'false'
    })
    expect(result.summary).toContain('## ✅ Together batch b1: COMPLETED')
    expect(result.log).toContain('Batch b1 completed; output file file-out.')
    expect(result.log).toContain(`::add-mask::${KEY}`)
  })

  it('fails a FAILED batch with one error annotation titled with the batch id, and still sets outputs', async () => {
    nock(BASE).get('/batches/b1').reply(200, { status: 'FAILED', error: 'bad input', error_file_id: 'file-err' })
    const result = await runAction()
    expect(result.exitCode).toBe(1)
    expect(result.outputs['error-file-id']).toBe('file-err')
    expect(result.outputs.error).toBe('bad input')
    const errors = result.log.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toEqual([
      '::error title=Together batch b1::Batch b1 ended FAILED: bad input. Error file: file-err. See the error file for the failed requests.'
    ])
    expect(result.summary).toContain('## ❌ Together batch b1: FAILED')
  })

  it('fails on an invalid input before any request, with a summary', async () => {
    const result = await runAction({ timeout: 'forever' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain("::error::Invalid timeout 'forever'. Expected a duration such as 90s")
    expect(result.summary).toContain('## ❌ Wait for Together batch failed')
    expect(result.outputs).toEqual({})
  })

  it('passes a run without an API key when if-no-api-key: skip, in one line, checking and setting nothing', async () => {
    const statuses: string[] = []
    const result = await runAction(
      { 'api-key': '', 'if-no-api-key': 'skip', 'batch-id': '', 'commit-status': 'together/evals' },
      statusesTo(async state => void statuses.push(state))
    )
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toEqual({ passed: 'false' })
    expect(result.log).toContain(
      'No Together API key (runs from forks and Dependabot get no secrets): nothing was checked, as if-no-api-key: skip asks; passed stays false.'
    )
    // An empty mask would be a runner warning of its own.
    expect(result.log.split('\n')).not.toContain('::add-mask::')
    expect(result.log).not.toContain('::error')
    expect(result.summary).toBe('## ⏭️ Together batches not checked: no API key (if-no-api-key: skip)\n')
    expect(statuses).toEqual([])
  })

  it('fails a run without an API key by default, saying how forks and Dependabot runs can skip', async () => {
    const result = await runAction({ 'api-key': '' })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('::error::No Together API key')
    expect(result.log).toContain('if-no-api-key: skip passes it without checking')
  })

  it('fails the step for a thrown non-Error value instead of passing', async () => {
    const result = await runAction(
      {},
      {
        createApi: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
          throw 'broken factory'
        }
      }
    )
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('::error::broken factory')
  })

  it('survives a summary that cannot be written', async () => {
    nock(BASE).get('/batches/b1').reply(200, { status: 'COMPLETED', output_file_id: 'f' })
    const path = process.env.GITHUB_STEP_SUMMARY!
    rmSync(path)
    mkdirSync(path)
    try {
      setInputs()
      await run({ sleep: virtualClock().sleep })
      expect(process.exitCode).toBe(0)
      expect(stdout).toContain('::warning::Could not write the step summary')
    } finally {
      rmSync(path, { recursive: true })
    }
  })

  it('stops on SIGINT, writes outputs and summary, and cancels when cancel-on-abort is set', async () => {
    const scope = nock(BASE)
      .get('/batches/b1')
      .reply(200, { status: 'IN_PROGRESS', progress: 10 })
      .post('/batches/b1/cancel')
      .reply(200, { status: 'CANCELING' })
    const clock = virtualClock()
    const result = await runAction(
      { 'cancel-on-abort': 'true' },
      {
        sleep: async (ms, signal) => {
          process.emit('SIGINT', 'SIGINT')
          await clock.sleep(ms, signal)
        }
      }
    )
    scope.done()
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('Received SIGINT: stopping the wait.')
    expect(result.outputs.status).toBe('CANCELING')
    expect(result.summary).toContain('wait aborted')
    expect(result.log).toContain('Cancel requested: Together answered CANCELING.')
    expect(process.listenerCount('SIGINT')).toBe(0)
  })

  it('sets a pending then a final commit status, and only warns when that fails', async () => {
    nock(BASE).get('/batches/b1').reply(200, { status: 'COMPLETED', output_file_id: 'f' })
    const statuses: [string, string][] = []
    const result = await runAction(
      { 'commit-status': 'together/batch' },
      statusesTo(async (state, description) => {
        statuses.push([state, description])
        if (state !== 'pending') throw new Error('HTTP 403: Resource not accessible by integration')
      })
    )
    expect(statuses).toEqual([
      ['pending', 'Waiting for Together batch b1'],
      ['success', 'Passed · COMPLETED']
    ])
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain(
      '::warning::Could not set the commit status: HTTP 403: Resource not accessible by integration'
    )
  })

  it('never prints the API key, even when the server echoes it back', async () => {
    nock(BASE)
      .get('/batches/b1')
      .reply(403, { error: { message: `key ${KEY} is not allowed` } })
    const result = await runAction()
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('Together refused the API key (HTTP 403) for batch b1')
    const everything = result.log.replace(`::add-mask::${KEY}`, '') + result.summary + JSON.stringify(result.outputs)
    expect(everything).not.toContain(KEY)
  })

  it('sends every log line through one sanitizer: server text cannot start a workflow command', async () => {
    nock(BASE)
      .get('/batches/b1')
      .reply(200, { status: 'FAILED', error: 'x\n::error::forged\r::add-mask::y\u2028::set-output name=a::b' })
    const result = await runAction()
    expect(result.exitCode).toBe(1)
    const commands = result.log.split(/\r\n|\r|\n/).filter(line => line.trimStart().startsWith('::'))
    expect(commands.filter(line => !/^::(debug|error|warning|add-mask)/.test(line))).toEqual([])
    expect(commands.filter(line => /forged|add-mask::y|set-output/.test(line.split('::')[1] ?? ''))).toEqual([])
  })

  it('redacts a key the server echoed with JSON escapes from the outputs, the log and the escaped summary', async () => {
    const escaped = Array.from(KEY)
      .map(ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join('')
    nock(BASE)
      .get('/batches/b1')
      .reply(200, `{"status":"FAILED","error":"echo ${escaped} (end)"}`, { 'content-type': 'application/json' })
    const result = await runAction()
    expect(result.exitCode).toBe(1)
    expect(result.outputs.error).toBe('echo *** (end)')
    const everything = result.log.replace(`::add-mask::${KEY}`, '') + result.summary + JSON.stringify(result.outputs)
    expect(everything).not.toContain(KEY)
    expect(result.summary).toContain('echo &#42;&#42;&#42; &#40;end&#41;')
  })
})

describe('run with input-file', () => {
  it('emits an error annotation on the failed line of the input file, after the verdict', async () => {
    const workspace = join(temp, 'workspace')
    mkdirSync(workspace, { recursive: true })
    writeFileSync(join(workspace, 'in.jsonl'), '{"custom_id":"a"}\n{"custom_id":"b"}\n')
    process.env.GITHUB_WORKSPACE = workspace
    process.env.RUNNER_TEMP = temp
    const errors = '{"custom_id":"b","error":{"code":"rate_limit","message":"slow, down: now"}}\n'
    nock(BASE)
      .get('/batches/b1')
      .reply(200, { status: 'COMPLETED', output_file_id: 'f-out', error_file_id: 'f-err', model_id: 'm' })
      .get('/files/f-out')
      .reply(200, { id: 'f-out', bytes: 2 })
      .get('/files/f-out/content')
      .reply(200, '\n\n')
      .get('/files/f-err')
      .reply(200, { id: 'f-err', bytes: errors.length })
      .get('/files/f-err/content')
      .reply(200, errors)
    const result = await runAction({ 'input-file': 'in.jsonl' })
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain(
      '::error title=Together request failed%3A rate_limit,file=in.jsonl,line=2::Request b failed with rate_limit: slow, down: now.'
    )
    expect(result.summary).toContain('### Failed requests in <code>in.jsonl</code>')
  })

  it('sets the commit status to error when the step breaks after it started', async () => {
    nock(BASE).get('/batches/b1').reply(200, { status: 'COMPLETED', output_file_id: 'f' })
    const statuses: string[] = []
    const result = await runAction(
      { 'commit-status': 'together/batch' },
      {
        ...statusesTo(async state => void statuses.push(state)),
        now: () => {
          throw new Error('clock broke')
        }
      }
    )
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain('::error::clock broke')
    expect(statuses.at(-1)).toBe('error')
  })
})

describe('run with a GitHub that never answers', () => {
  it('costs one timeout for the whole run: after it, the final status and the comment skip GitHub', async () => {
    const github = await startGitHubSim('o/r')
    try {
      nock.enableNetConnect('127.0.0.1')
      for (const method of ['GET', 'POST', 'PATCH']) github.faults.push({ method, path: /./, status: 'hang', times: 9 })
      process.env.GITHUB_API_URL = github.apiUrl
      process.env.GITHUB_REPOSITORY = 'o/r'
      process.env.GITHUB_EVENT_PATH = join(temp, 'event.json')
      writeFileSync(process.env.GITHUB_EVENT_PATH, JSON.stringify({ pull_request: { number: 3, head: { sha: HEAD } } }))
      nock(BASE).get('/batches/b1').reply(200, { status: 'COMPLETED', output_file_id: 'f' })
      const result = await runAction(
        { 'commit-status': 'together/batch', 'pr-comment': 'true' },
        // The real bound is 10 s; what matters is how many calls pay it.
        {
          createGitHubClient: (target, token, signal, what, options) =>
            createGitHubClient(target, token, signal, what, { ...options, timeoutMs: 100 })
        }
      )
      expect(result.exitCode).toBe(0)
      // The pending status waited for GitHub; nothing after it left the process.
      expect(github.requests.map(r => `${r.method} ${r.path}`)).toEqual(
        [`POST /repos/o/r/statuses/${HEAD}`].slice(0, github.requests.length)
      )
      const skipped = 'skipped, GitHub did not answer a previous call within 0.1s'
      expect(result.log.split('\n').filter(line => line.startsWith('::warning'))).toEqual([
        '::warning::Could not set the commit status: GitHub did not answer within 0.1s',
        `::warning::Could not set the commit status: ${skipped}`,
        `::warning::Could not comment on pull request #3: ${skipped}`
      ])
    } finally {
      await github.close()
    }
  })
})
