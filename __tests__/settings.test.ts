import { describe, expect, it } from '@jest/globals'
import { InputError, parseSettings } from '../src/settings.js'
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
      batchIds: ['batch-123'],
      apiKey: 'key-1',
      baseUrl: 'https://api.together.ai/v1',
      timeoutMs: 6 * 3_600_000,
      pollIntervalMs: 30_000,
      failOn: new Set(['FAILED', 'EXPIRED', 'CANCELLED']),
      cancelOnTimeout: false,
      cancelOnAbort: false,
      downloadDir: '',
      maxFailedRequests: undefined,
      commitStatus: '',
      githubToken: 'ghs_token'
    })
  })

  it('trims the batch id and reads booleans and fail-on case-insensitively', () => {
    const settings = parse({ 'batch-id': '  b-1\n', 'cancel-on-abort': 'True', 'fail-on': 'failed canceled' })
    expect(settings.batchIds).toEqual(['b-1'])
    expect(settings.cancelOnAbort).toBe(true)
    expect([...settings.failOn]).toEqual(['FAILED', 'CANCELLED'])
  })

  it('reads several batch ids separated by newlines, commas or spaces, dropping duplicates in order', () => {
    expect(parse({ 'batch-id': 'b-2\nb-1, b-3 b-2\n\n' }).batchIds).toEqual(['b-2', 'b-1', 'b-3'])
  })

  it('accepts a timeout of 0 to check once', () => {
    expect(parse({ timeout: '0' }).timeoutMs).toBe(0)
  })

  it('accepts an empty fail-on to fail on no status', () => {
    expect(parse({ 'fail-on': '' }).failOn.size).toBe(0)
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
    ['http://127.0.0.1:8787/v1/', 'http://127.0.0.1:8787/v1'],
    ['http://localhost:1234/v1', 'http://localhost:1234/v1'],
    ['http://[::1]:99/v1', 'http://[::1]:99/v1'],
    ['https://api.together.xyz/v1', 'https://api.together.xyz/v1']
  ])('accepts base-url %s', (raw, normal) => {
    expect(parse({ 'base-url': raw }).baseUrl).toBe(normal)
  })

  it.each([
    [{ 'batch-id': '  ' }, "Input 'batch-id' is empty"],
    [{ 'batch-id': '../files/x' }, "Invalid batch-id '../files/x'"],
    [{ 'batch-id': 'a/b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'a?b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'a#b' }, 'Invalid batch-id'],
    [{ 'batch-id': 'ok-1, ../x' }, "Invalid batch-id '../x'"],
    [{ 'batch-id': 'a\u0000b' }, 'Invalid batch-id'],
    [{ timeout: 'soon' }, "Invalid timeout 'soon'. Expected a duration such as 90s"],
    [{ timeout: '500ms' }, "Invalid timeout '500ms'. Expected 0 (check once) or at least 1s."],
    [{ timeout: '-5m' }, "Invalid timeout '-5m'"],
    [{ 'poll-interval': '500ms' }, "Invalid poll-interval '500ms'. Expected at least 1s"],
    [{ 'fail-on': 'FAILED,BROKEN' }, "Invalid fail-on status 'BROKEN'"],
    [{ 'fail-on': 'COMPLETED' }, "Invalid fail-on status 'COMPLETED'"],
    [{ 'cancel-on-abort': 'yes' }, "Invalid cancel-on-abort 'yes'. Expected true or false."],
    [{ 'cancel-on-timeout': '1' }, "Invalid cancel-on-timeout '1'"],
    [{ 'base-url': 'http://api.together.ai/v1' }, 'Expected an https:// URL'],
    [{ 'base-url': 'not a url' }, "Invalid base-url 'not a url'"],
    [{ 'base-url': 'https://user:pw@example.com/v1' }, 'without credentials'],
    [{ 'api-key': '' }, "No Together API key: set the 'api-key' input"],
    [{ 'max-failed-requests': 'some' }, "Invalid max-failed-requests 'some'. Expected a number of requests"],
    [
      { 'commit-status': 'together/batch', 'github-token': '' },
      "Input 'commit-status' is set but 'github-token' is empty"
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
