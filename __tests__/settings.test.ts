import { describe, expect, it } from '@jest/globals'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../src/inputs/reader.js'
import { parseSettings } from '../src/settings.js'
import { actionInputs } from './helpers/inputs.js'

const DEFAULTS = actionInputs({ 'batch-id': 'batch-123', 'api-key': 'key-1', 'github-token': 'ghs_token' })

const parse = (inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  parseSettings(name => ({ ...DEFAULTS, ...inputs })[name] ?? '', env)

function errorOf(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(inputs, env)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}

describe('parseSettings', () => {
  it('parses the defaults', () => {
    const settings = parse()
    expect(settings).toEqual({
      mode: 'wait',
      batchIds: ['batch-123'],
      apiKey: 'key-1',
      warnings: [],
      baseUrl: 'https://api.together.ai/v1',
      timeoutMs: 5 * 3_600_000 + 45 * 60_000,
      pollIntervalMs: 30_000,
      policy: { failOn: new Set(['FAILED', 'EXPIRED', 'CANCELLED']) },
      cancelOnTimeout: false,
      cancelOnAbort: false,
      downloadDir: '',
      inputFile: undefined,
      commitStatus: '',
      githubToken: 'ghs_token',
      prComment: false,
      ledgerBranch: 'together-batches',
      forgetAfterMs: 0,
      resultsDir: join(tmpdir(), 'together-batch-results'),
      summaryAvailable: false,
      github: {
        apiUrl: 'https://api.github.com',
        serverUrl: 'https://github.com',
        repository: '',
        sha: '',
        ref: '',
        runId: '',
        eventPath: ''
      },
      proxy: {}
    })
  })

  it('reads the proxy variables here, accepting a value without a scheme as @actions/http-client does', () => {
    expect(parse({}, { HTTPS_PROXY: '127.0.0.1:3128', NO_PROXY: 'internal.example' }).proxy).toMatchObject({
      httpsProxy: 'http://127.0.0.1:3128',
      noProxy: 'internal.example'
    })
  })

  it('rejects a proxy value that is not a URL, naming the variable and hiding credentials', () => {
    const text = errorOf({}, { HTTPS_PROXY: 'http://user:hunter2@::garbage::' })
    expect(text).toContain('HTTPS_PROXY')
    expect(text).not.toContain('hunter2')
  })

  it('reads the runner environment once, here: temp directory, summary file, GitHub run', () => {
    const settings = parse(
      {},
      {
        RUNNER_TEMP: '/runner/tmp',
        GITHUB_STEP_SUMMARY: '/runner/summary',
        GITHUB_API_URL: 'https://ghe.example/api/v3',
        GITHUB_SERVER_URL: 'https://ghe.example',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_ID: '42',
        GITHUB_EVENT_PATH: '/runner/event.json'
      }
    )
    expect(settings.resultsDir).toBe(join('/runner/tmp', 'together-batch-results'))
    expect(settings.summaryAvailable).toBe(true)
    expect(settings.github).toEqual({
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      repository: 'o/r',
      sha: 'a'.repeat(40),
      ref: 'refs/heads/main',
      runId: '42',
      eventPath: '/runner/event.json'
    })
  })

  it('reads mode track and report with their ledger inputs', () => {
    expect(parse({ mode: 'Track' })).toMatchObject({ mode: 'track', forgetAfterMs: 7 * 86_400_000 })
    expect(parse({ mode: 'report', 'batch-id': '', 'ledger-branch': 'ci/ledger', 'forget-after': '2d' })).toMatchObject(
      { mode: 'report', batchIds: [], ledgerBranch: 'ci/ledger', forgetAfterMs: 2 * 86_400_000 }
    )
  })

  it.each([
    [{ mode: 'poll' }, "Invalid mode 'poll'"],
    [{ mode: 'report' }, "Input 'batch-id' is set with mode: report"],
    [{ mode: 'track', 'batch-id': '' }, "Input 'batch-id' is empty"],
    [{ mode: 'track', 'github-token': '' }, "Input 'github-token' is empty but mode: track needs it"],
    [{ 'pr-comment': 'true', 'github-token': '' }, "Input 'github-token' is empty but pr-comment needs it"],
    [{ 'pr-comment': 'yes' }, "Invalid pr-comment 'yes'"],
    [{ mode: 'track', 'ledger-branch': '../main' }, "Invalid ledger-branch '../main'"],
    [{ mode: 'track', 'ledger-branch': 'a b' }, 'Invalid ledger-branch'],
    [{ mode: 'report', 'batch-id': '', 'forget-after': '10m' }, "Invalid forget-after '10m'. Expected at least 1h"]
  ])('rejects the mode inputs %j', (inputs, message) => {
    expect(errorOf(inputs)).toContain(message)
  })

  it('accepts fractional seconds of at least 1s, in whole milliseconds', () => {
    expect(parse({ timeout: '1.5' }).timeoutMs).toBe(1500)
  })

  it('accepts a poll-interval longer than a Node timer can hold (slept in chunks)', () => {
    expect(parse({ 'poll-interval': '25d' }).pollIntervalMs).toBe(25 * 86_400_000)
  })

  it('trims the batch id and reads booleans and fail-on case-insensitively', () => {
    const settings = parse({ 'batch-id': '  b-1\n', 'cancel-on-abort': 'True', 'fail-on': 'failed canceled' })
    expect(settings.batchIds).toEqual(['b-1'])
    expect(settings.cancelOnAbort).toBe(true)
    expect([...settings.policy.failOn]).toEqual(['FAILED', 'CANCELLED'])
  })

  it('reads several batch ids separated by newlines, commas or spaces, dropping duplicates in order', () => {
    expect(parse({ 'batch-id': 'b-2\nb-1, b-3 b-2\n\n' }).batchIds).toEqual(['b-2', 'b-1', 'b-3'])
  })

  it('fails on no status only with fail-on: none, said on purpose', () => {
    expect(parse({ 'fail-on': 'none' }).policy.failOn.size).toBe(0)
    expect(parse({ 'fail-on': ' None ' }).policy.failOn.size).toBe(0)
  })

  // A reusable workflow that passes an unset input of its own gives '': the runner fills in a default
  // only for an input the step leaves out. Empty must mean the default, never "off".
  it.each(['mode', 'timeout', 'poll-interval', 'fail-on', 'cancel-on-timeout', 'cancel-on-abort', 'pr-comment'])(
    'reads %s given as an empty string as its action.yml default',
    name => {
      expect(parse({ [name]: '' })).toEqual(parse())
      expect(parse({ [name]: '  ' })).toEqual(parse())
    }
  )

  it('reads an empty fail-on as the default gate, not as no gate', () => {
    expect([...parse({ 'fail-on': '' }).policy.failOn]).toEqual(['FAILED', 'EXPIRED', 'CANCELLED'])
  })

  it('reads empty ledger inputs of mode track as their defaults', () => {
    expect(parse({ mode: 'track', 'ledger-branch': '', 'forget-after': '' })).toMatchObject({
      ledgerBranch: 'together-batches',
      forgetAfterMs: 7 * 86_400_000
    })
  })

  describe('without an API key (runs from forks and Dependabot get no secrets)', () => {
    it('fails by default, saying why the key may be missing and how to skip such runs', () => {
      expect(errorOf({ 'api-key': '' })).toBe(
        "No Together API key: set the 'api-key' input (e.g. api-key: ${{ secrets.TOGETHER_API_KEY }}) or the TOGETHER_API_KEY environment variable. If this run has none because runs from forks and Dependabot get no secrets, if-no-api-key: skip passes it without checking."
      )
    })

    it('skips with if-no-api-key: skip, in one line, even without a batch-id from the step that would create it', () => {
      const settings = parse({ 'api-key': '', 'if-no-api-key': 'Skip', 'batch-id': '' })
      expect(settings).toMatchObject({ apiKey: '', batchIds: [] })
      expect(settings.skipReason).toBe(
        'No Together API key (runs from forks and Dependabot get no secrets): nothing was checked, as if-no-api-key: skip asks; passed stays false.'
      )
    })

    it('never skips a run that has a key', () => {
      expect(parse({ 'if-no-api-key': 'skip' }).skipReason).toBeUndefined()
    })

    it('rejects another if-no-api-key', () => {
      expect(errorOf({ 'if-no-api-key': 'ignore' })).toBe("Invalid if-no-api-key 'ignore'. Expected fail or skip.")
    })
  })

  it('falls back to TOGETHER_API_KEY and TOGETHER_BASE_URL', () => {
    const settings = parse(
      { 'api-key': '' },
      { TOGETHER_API_KEY: 'env-key', TOGETHER_BASE_URL: 'https://proxy.example.com/v1/' }
    )
    expect(settings.apiKey).toBe('env-key')
    expect(settings.baseUrl).toBe('https://proxy.example.com/v1')
  })

  it.each([
    [{ 'batch-id': '  ' }, "Input 'batch-id' is empty"],
    [{ 'batch-id': '../files/x' }, 'Invalid batch-id "../files/x"'],
    [{ 'batch-id': '.' }, 'Invalid batch-id "."'],
    [{ 'batch-id': '..' }, 'Invalid batch-id ".."'],
    [{ 'batch-id': '%2E%2E' }, 'Invalid batch-id "%2E%2E"'],
    [{ 'batch-id': 'a\u202e::error::x' }, 'Invalid batch-id "a\\u202e::error::x"'],
    [{ 'base-url': 'http://127.evil.example/v1' }, 'Expected an https:// URL'],
    [{ 'base-url': 'http://127.0.0.1.nip.io/v1' }, 'Expected an https:// URL'],
    [{ 'base-url': 'http://localhost.evil.example/' }, 'Expected an https:// URL'],
    [{ 'base-url': 'http://128.0.0.1/' }, 'Expected an https:// URL'],
    [{ 'batch-id': 'a/b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'a?b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'a#b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'ok-1, ../x' }, 'Invalid batch-id "../x"'],
    [{ 'batch-id': 'a\u0000b' }, 'Invalid batch-id'],
    [{ timeout: 'soon' }, "Invalid timeout 'soon'. Expected a duration such as 90s"],
    [{ timeout: '500ms' }, "Invalid timeout '500ms'. Expected 0 (check once) or at least 1s."],
    [{ timeout: '-5m' }, "Invalid timeout '-5m'"],
    [{ 'poll-interval': '500ms' }, "Invalid poll-interval '500ms'. Expected at least 1s"],
    [{ 'fail-on': 'FAILED,BROKEN' }, "Invalid fail-on status 'BROKEN'"],
    [{ 'fail-on': 'COMPLETED' }, "Invalid fail-on status 'COMPLETED'"],
    [
      { 'fail-on': 'nothing' },
      "Invalid fail-on status 'nothing'. Expected a list of FAILED, EXPIRED, CANCELLED (comma or space separated), or none."
    ],
    [{ 'cancel-on-abort': 'yes' }, "Invalid cancel-on-abort 'yes'. Expected true or false."],
    [{ 'cancel-on-timeout': '1' }, "Invalid cancel-on-timeout '1'"],
    [{ 'base-url': 'http://api.together.ai/v1' }, 'Expected an https:// URL'],
    [{ 'base-url': 'not a url' }, "Invalid base-url 'not a url'"],
    [{ 'base-url': 'https://user:pw@example.com/v1' }, 'without credentials'],
    [{ 'api-key': '' }, "No Together API key: set the 'api-key' input"],
    [{ 'max-failed-requests': 'some' }, "Invalid max-failed-requests 'some'. Expected a number of requests"],
    [
      { 'batch-discount': '150%' },
      "Invalid batch-discount '150%'. Expected a percentage from 0 to 100 (e.g. 50 or 50%)"
    ],
    [{ 'max-cost': '10 dollars' }, "Invalid max-cost '10 dollars'. Expected an amount in US dollars (e.g. 25 or 2.50)"],
    [
      { 'input-file': '../evals.jsonl' },
      "Invalid input-file '../evals.jsonl': it is not inside the workspace. Expected"
    ],
    [{ 'input-file': '/etc/passwd' }, "Invalid input-file '/etc/passwd': it is not inside the workspace."],
    [{ 'input-file': 'a\nb' }, 'Invalid input-file "a\\nb": it holds control characters.'],
    [{ 'input-file': 'a\u202eb.jsonl' }, 'Invalid input-file "a\\u202eb.jsonl": it holds control characters.'],
    [
      { 'commit-status': 'together/batch', 'github-token': '' },
      "Input 'github-token' is empty but commit-status needs it"
    ]
  ])('rejects %j with a message naming the input', (inputs, message) => {
    const text = errorOf(inputs)
    expect(text).toContain(message)
    expect(text).not.toContain('\n')
  })

  it('never quotes the API key in an error', () => {
    expect(errorOf({ 'api-key': 'secret-key', timeout: 'x' })).not.toContain('secret-key')
  })
})

describe('cost and annotation inputs', () => {
  it('reads batch-discount, max-cost and input-file, relative to GITHUB_WORKSPACE', () => {
    const settings = parse(
      { 'batch-discount': '50%', 'max-cost': '$12.50', 'input-file': ' evals/batch.jsonl ' },
      { GITHUB_WORKSPACE: '/home/runner/work/repo/repo' }
    )
    expect(settings).toMatchObject({
      policy: { batchDiscount: 50, maxCost: 12.5 },
      inputFile: {
        path: '/home/runner/work/repo/repo/evals/batch.jsonl',
        name: 'evals/batch.jsonl',
        workspace: '/home/runner/work/repo/repo'
      }
    })
  })

  it('submits input-file when batch-id is empty, in modes wait and track only', () => {
    const env = { GITHUB_WORKSPACE: '/w' }
    const file = { path: '/w/evals.jsonl', name: 'evals.jsonl', workspace: '/w' }
    expect(parse({ 'batch-id': '', 'input-file': 'evals.jsonl', reuse: 'never' }, env)).toMatchObject({
      batchIds: [],
      submit: { file, endpoint: '/v1/chat/completions', reuse: 'never' },
      inputFile: file
    })
    expect(parse({ 'batch-id': '', mode: 'track', 'input-file': 'evals.jsonl' }, env).submit).toBeDefined()
    // With a batch-id, input-file only places annotations; mode report never submits.
    expect(parse({ 'input-file': 'evals.jsonl' }, env).submit).toBeUndefined()
    expect(parse({ 'batch-id': '', mode: 'report', 'input-file': 'evals.jsonl' }, env).submit).toBeUndefined()
    expect(errorOf({ 'batch-id': '' })).toContain('or an input-file to submit.')
  })

  it('takes the working directory as the workspace when GITHUB_WORKSPACE is unset', () => {
    const settings = parseSettings(name => ({ ...DEFAULTS, 'input-file': 'in.jsonl' })[name] ?? '', {}, '/work/here')
    expect(settings.inputFile?.path).toBe('/work/here/in.jsonl')
    expect(errorOf({ 'input-file': '/work/here/in.jsonl' }, { GITHUB_WORKSPACE: '/elsewhere' })).toContain(
      '(/elsewhere)'
    )
  })
})
