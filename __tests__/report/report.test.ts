import { describe, expect, it } from '@jest/globals'
import type { CancelOutcome, WaitAllResult, WaitResult } from '../../src/engine/types.js'
import * as lines from '../../src/engine/messages.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildFailureSummary, buildSummary } from '../../src/report/summary.js'
import { progressBar } from '../../src/report/format.js'
import { judge } from '../../src/verdict/verdict.js'
import type { FinalStatus } from '../../src/together/status.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])
const T0 = Date.UTC(2026, 0, 1)

function one(r: WaitResult): WaitAllResult {
  return {
    results: [r],
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    timeoutMs: r.timeoutMs,
    done: r.finalStatus !== undefined
  }
}

function result(overrides: Partial<WaitResult> = {}): WaitResult {
  const made: WaitResult = {
    batchId: 'batch-1',
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: {
      id: 'batch-1',
      status: 'COMPLETED',
      progress: 100,
      model_id: 'Qwen/Qwen3.5-9B',
      endpoint: '/v1/chat/completions',
      output_file_id: 'file-out',
      error_file_id: 'file-err',
      created_at: '2026-01-01T00:00:00Z',
      completed_at: '2026-01-01T00:20:00Z'
    },
    startedAt: T0,
    endedAt: T0 + 185_000,
    timeoutMs: 6 * 3_600_000,
    timeline: [
      { atMs: 0, status: 'IN_PROGRESS', progress: 40 },
      { atMs: 185_000, status: 'COMPLETED', progress: 100 }
    ],
    requests: 8,
    ...overrides
  }
  // As the engine keeps it: the last progress Together sent, unless a test sets its own.
  const progress = made.batch?.progress
  return 'progress' in overrides || typeof progress !== 'number' ? made : { ...made, progress }
}

describe('log lines', () => {
  it('start line names batch, model, endpoint, timeout and interval', () => {
    expect(
      lines.startLine('b1', { model_id: 'm', endpoint: '/v1/x' }, { timeoutMs: 7_200_000, pollIntervalMs: 30_000 })
    ).toBe('Waiting for Together batch b1 (model m, endpoint /v1/x) for up to 2h 00m, checking at least every 30s.')
  })

  it('progress line shows elapsed time, status, progress and ETA', () => {
    expect(lines.progressLine(185_000, 'IN_PROGRESS', 42.25, 240_000)).toBe('[3m 05s] IN_PROGRESS 42.3% · ETA ~4m 00s')
    expect(lines.progressLine(0, 'VALIDATING')).toBe('[0s] VALIDATING')
  })

  it('keeps server text on one line so it cannot start a workflow command', () => {
    const line = lines.startLine(
      'b1',
      { model_id: 'x\n::set-env name=A::1', endpoint: null },
      { timeoutMs: 1000, pollIntervalMs: 1000 }
    )
    expect(line).not.toContain('\n')
    expect(line).toContain('model x ::set-env')
    expect(line).toContain('endpoint unknown')
  })

  it('bounds the debug payload line', () => {
    const line = lines.payloadLine('b1', { status: 'FAILED', error: 'x'.repeat(10_000) })
    expect(line.startsWith('Batch b1: {"status":"FAILED","error":"xxx')).toBe(true)
    expect(line.length).toBeLessThan(2100)
  })

  it('retry, cancel, heartbeat and left-running lines say what happens next', () => {
    expect(lines.retryLine('b1', 'HTTP 503\n', 'Retrying in 4s.', 2)).toBe(
      'Checking batch b1 failed (attempt 2): HTTP 503. Retrying in 4s.'
    )
    expect(lines.heartbeatLine(600_000, 'IN_PROGRESS', 20)).toBe(
      '[10m 00s] still IN_PROGRESS at 20%, no change since the last line.'
    )
    expect(lines.cancelLine('b1', { reason: 'abort', state: 'answered', status: 'CANCELING' })).toBe(
      'Cancelled batch b1 after the wait was aborted: Together answered CANCELING.'
    )
    expect(lines.cancelLine('b1', { reason: 'timeout', state: 'failed', error: 'HTTP 500' })).toContain(
      'Could not cancel batch b1 after the timeout was reached'
    )
    expect(lines.leftRunningLine(['b1'])).toContain('batch b1 is left running')
  })
})

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
        outcome: 'final',
        status,
        finalStatus: status,
        batch: { status, error: 'quota', error_file_id: 'file-err', output_file_id: 'file-out' }
      }),
      FAIL_ON
    )
    expect(verdict).toEqual({ ok: false, message })
  })

  it('passes a final status that is not in fail-on', () => {
    const verdict = judge(result({ outcome: 'final', status: 'EXPIRED', finalStatus: 'EXPIRED' }), new Set(['FAILED']))
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
    const expired = (batch: WaitResult['batch']) =>
      judge(result({ outcome: 'final', status: 'EXPIRED', finalStatus: 'EXPIRED', batch }), FAIL_ON).message
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

describe('buildSummary', () => {
  it('shows heading, table and timeline of a completed batch', () => {
    const summary = buildSummary(one(result()), judge(result(), FAIL_ON))
    expect(summary.startsWith('## ✅ Together batch batch-1: COMPLETED\n')).toBe(true)
    expect(summary).toContain(`<tr><th align="left">Progress</th><td><code>${'█'.repeat(20)}</code> 100%</td></tr>`)
    expect(summary).toContain('<tr><th align="left">Waited</th><td>3m 05s (8 status checks)</td></tr>')
    expect(summary).toContain('<code>file-out</code>')
    expect(summary).toContain('### Timeline')
    expect(summary).toContain('<tr><td>3m 05s</td><td>COMPLETED</td><td>100%</td></tr>')
  })

  it('escapes server text and stays small for a 1 MB error message', () => {
    const huge = `<script>alert(1)</script>${'x'.repeat(1_000_000)}`
    const failed = result({
      outcome: 'final',
      status: 'FAILED',
      finalStatus: 'FAILED',
      batch: { status: 'FAILED', error: huge, model_id: '![img](http://e.test/x.png)' }
    })
    const summary = buildSummary(one(failed), judge(failed, FAIL_ON))
    expect(summary).not.toContain('<script>')
    expect(summary).not.toContain('![img]')
    expect(Buffer.byteLength(summary)).toBeLessThan(50_000)
  })

  it('headlines timeouts and aborts and shows a pending prediction', () => {
    const timedOut = result({
      outcome: 'timed-out',
      status: 'IN_PROGRESS',
      finalStatus: undefined,
      etaAt: T0 + 185_000 + 240_000
    })
    const summary = buildSummary(one(timedOut), judge(timedOut, FAIL_ON))
    expect(summary).toContain('## ⏱️ Together batch batch-1: timed out (IN_PROGRESS)')
    expect(summary).toContain('in ~4m 00s')
    const aborted = result({ outcome: 'aborted', cancel: { reason: 'abort', state: 'failed', error: 'HTTP 500' } })
    expect(buildSummary(one(aborted), judge(aborted, FAIL_ON))).toContain('⛔')
    expect(buildSummary(one(aborted), judge(aborted, FAIL_ON))).toContain('<td>failed: HTTP 500</td>')
  })

  it('draws a proportional progress bar', () => {
    expect(progressBar(40)).toBe('█'.repeat(8) + '░'.repeat(12))
    expect(progressBar(140)).toBe('█'.repeat(20))
  })

  it('summarises a failure before any wait', () => {
    expect(buildFailureSummary("Invalid timeout 'x'")).toBe(
      '## ❌ Wait for Together batch failed\n\nInvalid timeout &#39;x&#39;\n'
    )
  })
})

describe('buildOutputs', () => {
  it('sets every output, with the batch as JSON', () => {
    const outputs = buildOutputs(one(result()))
    expect(outputs).toMatchObject({
      status: 'COMPLETED',
      'output-file-id': 'file-out',
      'error-file-id': 'file-err',
      progress: '100',
      error: '',
      'timed-out': 'false'
    })
    expect(JSON.parse(outputs.batch!).model_id).toBe('Qwen/Qwen3.5-9B')
  })

  it('keeps partial output of an expired batch and flags timeouts', () => {
    expect(buildOutputs(one(result({ outcome: 'final', status: 'EXPIRED' })))['output-file-id']).toBe('file-out')
    expect(
      buildOutputs(one(result({ outcome: 'timed-out', batch: undefined, status: '', finalStatus: undefined })))
    ).toEqual({
      status: '',
      'output-file-id': '',
      'error-file-id': '',
      progress: '',
      error: '',
      batch: '',
      'timed-out': 'true',
      'output-path': '',
      'error-path': '',
      'succeeded-requests': '',
      'failed-requests': '',
      'prompt-tokens': '',
      'completion-tokens': '',
      'total-tokens': '',
      'estimated-cost': '',
      batches:
        '[{"id":"batch-1","status":"","progress":null,"output_file_id":null,"error_file_id":null,"error":null,"timed_out":true}]',
      done: 'false'
    })
  })

  it('bounds huge fields', () => {
    const outputs = buildOutputs(one(result({ batch: { status: 'FAILED', error: 'e'.repeat(100_000) } })))
    expect(outputs.error!.length).toBeLessThanOrEqual(4096)
    expect(outputs.batch!.length).toBeLessThan(5000)
  })
})
