import { describe, expect, it } from '@jest/globals'
import type { RequestFailure, BatchResult } from '../../src/engine/types.js'
import {
  cancelNote,
  errorReason,
  errorVerdict,
  lastSeen,
  neverAnswered,
  rateLimitVerdict
} from '../../src/verdict/causes.js'

const failed = (error?: RequestFailure, extra: Partial<BatchResult> = {}): BatchResult => ({
  batchId: 'b1',
  outcome: 'error',
  status: '',
  ...(error ? { error } : {}),
  startedAt: 0,
  endedAt: 90_000,
  timeoutMs: 60_000,
  timeline: [],
  requests: 1,
  ...extra
})

describe('errorVerdict and errorReason', () => {
  it.each([
    [
      { message: 'HTTP 500 from GET /batches/b1', status: 500 },
      'Could not check batch b1: HTTP 500 from GET /batches/b1.'
    ],
    [{ message: 'not a batch', kind: 'invalid-response' as const }, 'Could not check batch b1: not a batch.'],
    [{ message: 'socket hang up', html: true }, 'Could not check batch b1: socket hang up.'],
    [
      { message: 'HTTP 404', status: 404 },
      'Batch b1 was not found for this API key (HTTP 404): check batch-id and that the key belongs to the account that created the batch.'
    ],
    [
      { message: 'HTTP 401', status: 401 },
      'Together refused the API key (HTTP 401) for batch b1: check the api-key input or the TOGETHER_API_KEY secret, and that the key may read this batch.'
    ],
    [
      { message: 'x', kind: 'invalid-response' as const, repeated: 3 },
      'Could not check batch b1: the server answered with something that is not a Together batch 3 times: check base-url (expected the API root such as https://api.together.ai/v1).'
    ]
  ])('words %j', (error, verdict) => {
    expect(errorVerdict(failed(error))).toBe(verdict)
  })

  it('blames base-url only for repeated answers that are not batches, or an HTML 404', () => {
    expect(errorReason(failed({ message: 'HTTP 500', status: 500 }))).toBe('HTTP 500')
    expect(errorReason(failed({ message: 'odd', kind: 'invalid-response' }))).toBe('odd')
    expect(errorReason(failed({ message: 'page', kind: 'invalid-response', repeated: 2, html: true }))).toBe(
      'the server answered with an HTML page instead of a Together batch 2 times: check base-url (expected the API root such as https://api.together.ai/v1)'
    )
    expect(errorReason(failed({ message: 'page', status: 404, html: true }))).toMatch(
      /^the server answered HTTP 404 with an HTML page, not the Together API: check base-url/
    )
  })

  it('says "unknown error" when the engine recorded none', () => {
    expect(errorVerdict(failed())).toBe('Could not check batch b1: unknown error.')
    expect(errorReason(failed())).toBe('unknown error')
  })

  it('cuts a long error to one short line in the list of several batches', () => {
    expect(errorReason(failed({ message: `a\n${'x'.repeat(200)}` }))).toBe(`a ${'x'.repeat(118)}… (82 more characters)`)
  })
})

describe('what was last seen of a batch', () => {
  it('names the last status and progress, the failed last check, or that nothing answered', () => {
    const seen = failed(undefined, { status: 'IN_PROGRESS', progress: 42.25, batch: { status: 'IN_PROGRESS' } })
    expect(lastSeen(seen)).toBe('last status IN_PROGRESS at 42.3%')
    expect(lastSeen({ ...seen, progress: undefined })).toBe('last status IN_PROGRESS')
    expect(lastSeen({ ...seen, lastError: { message: 'HTTP 502' } })).toBe(
      'last status IN_PROGRESS at 42.3%; the last check failed: HTTP 502'
    )
    expect(lastSeen(failed())).toBe('no status was seen')
    expect(neverAnswered(seen)).toBeUndefined()
    expect(neverAnswered(failed())).toBeUndefined()
    expect(neverAnswered(failed(undefined, { lastError: { message: 'HTTP 503' } }))).toBe(
      'no check succeeded; last error: HTTP 503'
    )
  })

  it('says how long Together asked to wait, or that it was longer than an hour, and for how long the wait went on', () => {
    const result = failed(undefined, { status: 'IN_PROGRESS', batch: { status: 'IN_PROGRESS' } })
    expect(rateLimitVerdict(result, 600_000)).toBe(
      'Together rate-limited the status checks of batch b1 (HTTP 429, asked to wait 10m 00s, longer than the time left); the wait stopped after 1m 30s (last status IN_PROGRESS). Raise poll-interval or wait for fewer batches at once, or check it later.'
    )
    expect(rateLimitVerdict(result, 3_600_000)).toContain('asked to wait 1h 00m, longer than the time left')
    expect(rateLimitVerdict(result, 3_600_001)).toContain('(HTTP 429, asked to wait longer than the time left);')
  })

  it('appends what became of the action’s own cancel', () => {
    expect(cancelNote(failed())).toBe('')
    expect(cancelNote(failed(undefined, { cancel: { reason: 'abort', state: 'answered', status: 'CANCELING' } }))).toBe(
      ' Cancel requested: Together answered CANCELING.'
    )
    expect(cancelNote(failed(undefined, { cancel: { reason: 'timeout', state: 'answered' } }))).toBe(
      ' Cancel requested: Together answered without a status.'
    )
  })
})

describe('base-url is blamed only for answers from something else', () => {
  it('names the error itself for a repeated HTTP error and for an unknown route that is not a 404', () => {
    const repeated = failed({ message: 'HTTP 500: boom', status: 500, kind: 'http', repeated: 3 })
    expect(errorVerdict(repeated)).toBe('Could not check batch b1: HTTP 500: boom.')
    const routeless = failed({ message: 'HTTP 500: boom', status: 500, routeUnknown: true })
    expect(errorVerdict(routeless)).toBe('Could not check batch b1: HTTP 500: boom.')
    expect(errorReason(routeless)).toBe('HTTP 500: boom')
  })
})
