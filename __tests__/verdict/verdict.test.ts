import { describe, expect, it } from '@jest/globals'
import type { CancelOutcome, BatchResult } from '../../src/engine/types.js'
import { judge, judgeWaits, LISTED } from '../../src/verdict/verdict.js'
import { result, T0 } from '../helpers/batch-result.js'
import type { FinalStatus } from '../../src/together/status.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])

describe('judge', () => {
  it('passes a completed batch and names the output file', () => {
    expect(judge(result(), FAIL_ON)).toEqual({ ok: true, message: 'Batch batch-1 completed; output file file-out.' })
  })

  it('fails a completed batch without output, naming the error file', () => {
    const verdict = judge(
      result({ outcome: 'no-output', batch: { status: 'COMPLETED', error_file_id: 'file-err' } }),
      FAIL_ON
    )
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain('every request failed')
    expect(verdict.message).toContain('Error file: file-err.')
  })

  it.each([
    ['FAILED', 'Batch batch-1 ended FAILED: quota. Error file: file-err. See the error file for the failed requests.'],
    ['EXPIRED', 'Batch batch-1 ended EXPIRED: quota. Error file: file-err. Its partial output is in output-file-id.'],
    [
      'CANCELLED',
      'Batch batch-1 ended CANCELLED: quota. Error file: file-err. Remove CANCELLED from fail-on to accept cancelled batches.'
    ]
  ] as [FinalStatus, string][])('fails on %s with the job error, error file and a hint', (status, message) => {
    const verdict = judge(
      result({
        outcome: 'ended-not-completed',
        status,
        finalStatus: status,
        batch: { status, error: 'quota', error_file_id: 'file-err', output_file_id: 'file-out' }
      }),
      FAIL_ON
    )
    expect(verdict).toEqual({ ok: false, message })
  })

  it('passes a final status that is not in fail-on', () => {
    const verdict = judge(
      result({ outcome: 'ended-not-completed', status: 'EXPIRED', finalStatus: 'EXPIRED' }),
      new Set(['FAILED'])
    )
    expect(verdict).toEqual({ ok: true, message: 'Batch batch-1 ended EXPIRED (not in fail-on, so the step passes).' })
  })

  it('explains a timeout with the wait, last status and what to do', () => {
    const verdict = judge(
      result({
        outcome: 'timed-out',
        status: 'IN_PROGRESS',
        finalStatus: undefined,
        batch: { status: 'IN_PROGRESS', progress: 42 },
        timeoutMs: 3_600_000,
        endedAt: T0 + 3_599_000
      }),
      FAIL_ON
    )
    expect(verdict.message).toBe(
      "Timed out after 1h 00m waiting for batch batch-1 (last status IN_PROGRESS at 42%). Raise the 'timeout' input (and the job's timeout-minutes), or use mode: track with a scheduled mode: report for batches that outlast a job."
    )
  })

  it('reports what the cancel returned on timeout and abort', () => {
    const timedOut = judge(
      result({ outcome: 'timed-out', cancel: { reason: 'timeout', state: 'answered', status: 'CANCELING' } }),
      FAIL_ON
    )
    expect(timedOut.message).toContain('Cancel requested: Together answered CANCELING.')
    const aborted = judge(result({ outcome: 'aborted', status: '', batch: undefined }), FAIL_ON)
    expect(aborted.message).toContain('no status was seen. The batch is left running; set cancel-on-abort: true')
  })

  it.each([
    [401, 'check the api-key input or the TOGETHER_API_KEY secret'],
    [403, 'check the api-key input'],
    [404, 'Batch batch-1 was not found for this API key (HTTP 404)'],
    [400, 'Could not check batch batch-1: HTTP 400 bad.']
  ])('turns HTTP %i into advice', (status, text) => {
    const verdict = judge(result({ outcome: 'error', error: { message: `HTTP ${status} bad`, status } }), FAIL_ON)
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain(text)
    expect(verdict.message).toContain('batch-1')
  })
})

describe('judge names the real cause', () => {
  const notFinished = { status: 'IN_PROGRESS', finalStatus: undefined, batch: { status: 'IN_PROGRESS', progress: 40 } }
  const unavailable = { message: 'GET /batches/batch-1 answered HTTP 503: unavailable', status: 503, kind: 'http' }
  const neverAnswered = { status: '', finalStatus: undefined, batch: undefined, timeline: [], lastError: unavailable }

  it('says EXPIRED once, in the server’s words when it gave any', () => {
    const expired = (batch: BatchResult['batch']) =>
      judge(result({ outcome: 'ended-not-completed', status: 'EXPIRED', finalStatus: 'EXPIRED', batch }), FAIL_ON)
        .message
    expect(
      expired({ status: 'EXPIRED', error: 'Batch did not complete before its deadline', output_file_id: 'f' })
    ).toBe(
      'Batch batch-1 ended EXPIRED: Batch did not complete before its deadline. Its partial output is in output-file-id.'
    )
    expect(expired({ status: 'EXPIRED' })).toBe(
      'Batch batch-1 ended EXPIRED (it did not finish before its deadline). It left no output file.'
    )
  })

  it('quotes the last error when no check succeeded before the timeout', () => {
    const verdict = judge(result({ outcome: 'timed-out', ...neverAnswered, timeoutMs: 600_000 }), FAIL_ON)
    expect(verdict.message).toBe(
      'Timed out after 10m 00s waiting for batch batch-1: no check succeeded; last error: GET /batches/batch-1 answered HTTP 503: unavailable.'
    )
  })

  it('quotes the last error when no check succeeded before the abort', () => {
    const verdict = judge(result({ outcome: 'aborted', ...neverAnswered, endedAt: T0 + 60_000 }), FAIL_ON)
    expect(verdict.message).toBe(
      'The wait for batch batch-1 was aborted (workflow cancelled or job timeout) after 1m 00s, no check succeeded; last error: GET /batches/batch-1 answered HTTP 503: unavailable. The batch is left running; set cancel-on-abort: true to cancel it.'
    )
  })

  it('adds the failed last check to the last status seen', () => {
    const verdict = judge(result({ outcome: 'timed-out', ...notFinished, lastError: unavailable }), FAIL_ON)
    expect(verdict.message).toContain(
      '(last status IN_PROGRESS at 40%; the last check failed: GET /batches/batch-1 answered HTTP 503: unavailable)'
    )
  })

  it('shows the engine’s progress over the raw answer’s', () => {
    const verdict = judge(
      result({ outcome: 'pending', ...notFinished, batch: { status: 'IN_PROGRESS' }, progress: 40 }),
      FAIL_ON
    )
    expect(verdict.message).toContain('(last status IN_PROGRESS at 40%)')
  })

  it.each([
    [false, 'something that is not a Together batch'],
    [true, 'an HTML page instead of a Together batch']
  ])('points at base-url after answers that are not a batch (HTML: %s)', (html, what) => {
    const error = { message: 'not a batch', kind: 'invalid-response', repeated: 3, ...(html && { html }) }
    expect(judge(result({ outcome: 'error', error }), FAIL_ON).message).toBe(
      `Could not check batch batch-1: the server answered with ${what} 3 times: check base-url (expected the API root such as https://api.together.ai/v1).`
    )
  })

  it('points an HTML 404 at base-url, not at the batch id and key', () => {
    const error = { message: 'GET /batches/batch-1 answered HTTP 404', status: 404, kind: 'http', html: true }
    const { message } = judge(result({ outcome: 'error', error }), FAIL_ON)
    expect(message).toBe(
      'Could not check batch batch-1: the server answered HTTP 404 with an HTML page, not the Together API: check base-url (expected the API root such as https://api.together.ai/v1).'
    )
    expect(message).not.toContain('batch-id')
  })

  it('points a 404 about the route (no route, a base-url without /v1) at base-url, not at the batch', () => {
    const error = {
      message: 'GET /batches/batch-1 answered HTTP 404: no route',
      status: 404,
      kind: 'http',
      serverMessage: 'no route',
      routeUnknown: true
    }
    const { message } = judge(result({ outcome: 'error', error }), FAIL_ON)
    expect(message).toBe(
      'Could not check batch batch-1: the server does not know the route (HTTP 404: no route), so the batch was never looked up: check base-url (expected the API root such as https://api.together.ai/v1).'
    )
    expect(message).not.toContain('was not found')
  })

  it('names the cause and base-url when the host does not resolve or its TLS handshake fails', () => {
    const error = {
      message:
        'GET /batches/batch-1 failed: the host nonexistent.invalid does not resolve (getaddrinfo ENOTFOUND nonexistent.invalid)',
      kind: 'unreachable'
    }
    expect(judge(result({ outcome: 'error', batch: undefined, error }), FAIL_ON).message).toBe(
      'Could not check batch batch-1: GET /batches/batch-1 failed: the host nonexistent.invalid does not resolve (getaddrinfo ENOTFOUND nonexistent.invalid): check base-url (expected the API root such as https://api.together.ai/v1).'
    )
  })

  it('reports a long retry-after as rate limiting, with the pause asked and the time waited', () => {
    const limited = result({
      outcome: 'timed-out',
      ...notFinished,
      rateLimited: { retryAfterMs: 2 * 3_600_000 },
      endedAt: T0 + 300_000
    })
    expect(judge(limited, FAIL_ON).message).toBe(
      'Together rate-limited the status checks of batch batch-1 (HTTP 429, asked to wait longer than the time left); the wait stopped after 5m 00s (last status IN_PROGRESS at 40%). Raise poll-interval or wait for fewer batches at once, or check it later.'
    )
  })

  it.each([
    [
      { state: 'no-answer', error: 'got no answer within 3s' },
      ' A cancel was sent but got no answer (got no answer within 3s); it may still be running.'
    ],
    [{ state: 'not-sent', error: 'no time was left' }, ' No cancel was sent: no time was left; it is still running.'],
    [{ state: 'failed', error: 'HTTP 500' }, ' Cancelling it failed: HTTP 500.']
  ] as [Omit<CancelOutcome, 'reason'>, string][])('tells what became of the cancel: %o', (cancel, note) => {
    const verdict = judge(
      result({ outcome: 'aborted', ...notFinished, cancel: { reason: 'abort', ...cancel } }),
      FAIL_ON
    )
    expect(verdict.message.endsWith(`40%.${note}`)).toBe(true)
  })
})

function several(batchId: string, outcome: BatchResult['outcome'], extra: Partial<BatchResult> = {}): BatchResult {
  const status = outcome === 'completed' ? 'COMPLETED' : 'IN_PROGRESS'
  return {
    batchId,
    outcome,
    status,
    ...(outcome === 'completed' ? { finalStatus: 'COMPLETED' as const } : {}),
    batch: {
      id: batchId,
      status,
      progress: 40,
      ...(outcome === 'completed' ? { output_file_id: `out-${batchId}` } : {})
    },
    progress: 40,
    startedAt: 0,
    endedAt: 120_000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 2,
    ...extra
  }
}

/** The step's wait verdict over `results`, each judged on its own first, as the step does. */
const waits = (results: BatchResult[], timing = { startedAt: 0, endedAt: 120_000, timeoutMs: 60_000 }) =>
  judgeWaits(
    { results, ...timing },
    results.map(r => judge(r, FAIL_ON))
  )

describe('judgeWaits over several batches', () => {
  it('fails when the wait was aborted, saying so, without the timeout hint', () => {
    const verdict = waits([several('b1', 'completed'), several('b2', 'aborted'), several('b3', 'aborted')])
    expect(verdict).toEqual({
      ok: false,
      message: 'The wait was aborted with 2 not finished: b2 IN_PROGRESS; b3 IN_PROGRESS.'
    })
  })

  it('fails on a timeout, over the longer of the timeout and the time waited, with the hint for batches still answering', () => {
    const verdict = waits([several('b1', 'timed-out')])
    expect(verdict).toEqual({
      ok: false,
      message: "Timed out after 2m 00s with 1 not finished: b1 IN_PROGRESS. Raise the 'timeout' input."
    })
    expect(waits([several('b1', 'timed-out')], { startedAt: 0, endedAt: 1_000, timeoutMs: 180_000 }).message).toMatch(
      /^Timed out after 3m 00s with/
    )
  })

  it('leaves the timeout hint out when no unfinished batch would gain from a longer timeout', () => {
    const limited = several('b1', 'timed-out', { rateLimited: { retryAfterMs: 600_000 } })
    const silent = several('b2', 'timed-out', {
      batch: undefined,
      status: '',
      lastError: { message: 'HTTP 503', status: 503 }
    })
    const verdict = waits([limited, silent])
    expect(verdict.ok).toBe(false)
    expect(verdict.message).not.toContain('Raise')
    expect(verdict.message).toBe(
      'Timed out after 2m 00s with 2 not finished: b1 IN_PROGRESS (rate-limited: Together asked to wait 10m 00s); b2 no check succeeded; last error: HTTP 503.'
    )
    // One batch that was answering is enough for the hint.
    expect(waits([limited, silent, several('b3', 'timed-out')]).message).toMatch(/ Raise the 'timeout' input\.$/)
  })

  it(`lists at most ${LISTED} unfinished batches and counts the rest`, () => {
    const many = Array.from({ length: LISTED + 2 }, (_, i) => several(`t${i}`, 'timed-out'))
    expect(waits(many).message).toBe(
      "Timed out after 2m 00s with 7 not finished: t0 IN_PROGRESS; t1 IN_PROGRESS; t2 IN_PROGRESS; t3 IN_PROGRESS; t4 IN_PROGRESS; and 2 more. Raise the 'timeout' input."
    )
    const exactly = Array.from({ length: LISTED }, (_, i) => several(`t${i}`, 'timed-out'))
    expect(waits(exactly).message).not.toContain('more')
  })

  it('fails a batch that failed even when the others passed, and passes only when every batch passed', () => {
    const failed = several('b2', 'ended-not-completed', {
      status: 'FAILED',
      finalStatus: 'FAILED',
      batch: { status: 'FAILED' }
    })
    expect(waits([several('b1', 'completed'), failed])).toEqual({
      ok: false,
      message: '1 of 2 batches failed: b2 FAILED.'
    })
    expect(waits([several('b1', 'completed'), several('b2', 'pending')])).toEqual({
      ok: true,
      message: '1 of 2 batches completed, 1 not finished yet (checked once).'
    })
  })

  it('describes each kind of failed batch in the list', () => {
    const verdict = waits([
      several('e1', 'error', { batch: undefined, status: '', error: { message: 'socket hang up' } }),
      several('n1', 'no-output', { status: 'COMPLETED', finalStatus: 'COMPLETED', batch: { status: 'COMPLETED' } }),
      several('f1', 'ended-not-completed', {
        status: 'FAILED',
        finalStatus: 'FAILED',
        batch: { status: 'FAILED', error: 'x'.repeat(100) }
      }),
      several('s1', 'ended-not-completed', { status: '', finalStatus: 'EXPIRED', batch: { status: '' } })
    ])
    expect(verdict).toEqual({
      ok: false,
      message: `4 of 4 batches failed: e1: socket hang up; n1 COMPLETED without output file; f1 FAILED (${'x'.repeat(80)}… (20 more characters)); s1 no status.`
    })
  })
})

describe('the wording of a batch that ended badly', () => {
  const ended = (status: FinalStatus, batch: Record<string, string> = {}) =>
    judge(result({ outcome: 'ended-not-completed', status, finalStatus: status, batch: { status, ...batch } }), FAIL_ON)

  it('says an EXPIRED batch ran out of time only when the server gave no reason, and a FAILED one nothing more', () => {
    expect(ended('EXPIRED').message).toBe(
      'Batch batch-1 ended EXPIRED (it did not finish before its deadline). It left no output file.'
    )
    expect(ended('EXPIRED', { error: 'quota' }).message).toBe(
      'Batch batch-1 ended EXPIRED: quota. It left no output file.'
    )
    expect(ended('FAILED').message).toBe('Batch batch-1 ended FAILED.')
  })

  it("quotes a batch without output file's own error, and says when it has no error file either", () => {
    const noOutput = (batch: Record<string, string>) =>
      judge(result({ outcome: 'no-output', batch: { status: 'COMPLETED', ...batch } }), FAIL_ON).message
    expect(noOutput({ error: 'bad model' })).toBe(
      'Batch batch-1 completed without an output file, so every request failed: bad model. It has no error file either. Fix the input file and create a new batch.'
    )
    expect(noOutput({})).toBe(
      'Batch batch-1 completed without an output file, so every request failed. It has no error file either. Fix the input file and create a new batch.'
    )
  })
})
