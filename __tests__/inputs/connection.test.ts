import { describe, expect, it } from '@jest/globals'
import { apiKey, baseUrl, githubTarget, githubToken, ledgerBranch, withoutApiKey } from '../../src/inputs/connection.js'
import { InputError, withDefaults, type Mode } from '../../src/inputs/reader.js'

const reader = (inputs: Record<string, string> = {}) => withDefaults(name => inputs[name] ?? '')

/** The message of the InputError `read` throws. */
function errorOf(read: () => unknown): string {
  try {
    read()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}

describe('apiKey', () => {
  it.each(['\u2019', '\u200b', ' ', '\u00e9', '\n'])(
    'rejects an api-key holding %j, naming the input and never the key',
    ch => {
      const key = `tk-secret${ch}tail`
      const text = errorOf(() => apiKey(reader({ 'api-key': key }), {}))
      expect(text).toContain("input 'api-key'")
      expect(text).toContain('character 10')
      expect(text).not.toContain('tk-secret')
      expect(text).not.toContain('tail')
    }
  )

  it('rejects a TOGETHER_API_KEY that cannot go into a header, naming the variable', () => {
    expect(errorOf(() => apiKey(reader(), { TOGETHER_API_KEY: 'abc\u2019def' }))).toContain(
      'TOGETHER_API_KEY environment variable: character 4 (U+2019)'
    )
  })

  it("is '' when neither the input nor the variable is set", () => {
    expect(apiKey(reader(), {})).toBe('')
  })
})

describe('withoutApiKey', () => {
  it('skips in one line, or fails saying where the key comes from', () => {
    expect(withoutApiKey('skip')).toContain('nothing was checked, as if-no-api-key: skip asks')
    expect(errorOf(() => withoutApiKey('fail'))).toContain("No Together API key: set the 'api-key' input")
  })
})

describe('baseUrl', () => {
  it.each([
    ['http://127.0.0.1:8787/v1/', 'http://127.0.0.1:8787/v1'],
    ['http://localhost:1234/v1', 'http://localhost:1234/v1'],
    ['http://[::1]:99/v1', 'http://[::1]:99/v1'],
    ['http://127.0.0.2:8/v1', 'http://127.0.0.2:8/v1'],
    ['https://api.together.xyz/v1', 'https://api.together.xyz/v1']
  ])('accepts base-url %s', (raw, normal) => {
    expect(baseUrl(reader({ 'base-url': raw }), {})).toBe(normal)
  })

  it.each([
    'http://user:hunter2@127.evil.example/v1',
    'ftp://user:hunter2@host/',
    'https://user:hunter2@example.com/v1'
  ])('never echoes the credentials of %s', raw => {
    expect(errorOf(() => baseUrl(reader({ 'base-url': raw }), {}))).not.toContain('hunter2')
  })
})

describe('githubToken', () => {
  it.each([
    ['wait', 'ctx', false, 'commit-status needs it. Expected a token with statuses: write'],
    ['wait', '', true, 'pr-comment needs it. Expected a token with pull-requests: write'],
    ['track', '', false, 'mode: track needs it. Expected a token with contents: write'],
    ['report', '', false, 'mode: report needs it. Expected a token with contents: write, statuses: write'],
    [
      'wait',
      'ctx',
      true,
      'commit-status and pr-comment need it. Expected a token with statuses: write, pull-requests: write'
    ]
  ] as [Mode, string, boolean, string][])(
    'names the permission each use of an empty github-token needs (mode %s, commit-status %j, pr-comment %s)',
    (mode, commitStatus, prComment, message) => {
      expect(errorOf(() => githubToken(reader(), mode, commitStatus, prComment))).toContain(message)
    }
  )

  it('rejects a github-token that cannot go into a header when a commit status needs it', () => {
    expect(errorOf(() => githubToken(reader({ 'github-token': 'ghs_\u200bx' }), 'wait', 'ctx', false))).toContain(
      "input 'github-token'"
    )
  })
})

describe('ledgerBranch', () => {
  it('accepts a branch name and refuses one GitHub or a URL path would not take', () => {
    expect(ledgerBranch(reader({ 'ledger-branch': 'ci/ledger' }))).toBe('ci/ledger')
    expect(errorOf(() => ledgerBranch(reader({ 'ledger-branch': '../main' })))).toBe(
      "Invalid ledger-branch '../main'. Expected a branch name of letters, digits, '-', '_', '.' and '/' (e.g. together-batches)."
    )
  })
})

describe('githubTarget', () => {
  it("reads the runner's GITHUB_* variables, trimmed", () => {
    expect(
      githubTarget({
        GITHUB_API_URL: ' https://ghe.example/api/v3 ',
        GITHUB_SERVER_URL: 'https://ghe.example',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'abc123\n',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_RUN_ID: '42',
        GITHUB_EVENT_PATH: '/tmp/event.json'
      })
    ).toEqual({
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      repository: 'o/r',
      sha: 'abc123',
      ref: 'refs/pull/7/merge',
      runId: '42',
      eventPath: '/tmp/event.json'
    })
  })

  it("falls back to GitHub.com's URLs and empty values outside Actions", () => {
    expect(githubTarget({ GITHUB_API_URL: ' ' })).toEqual({
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      repository: '',
      sha: '',
      ref: '',
      runId: '',
      eventPath: ''
    })
  })
})
