import { describe, expect, it } from '@jest/globals'
import * as lines from '../../src/engine/messages.js'

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

  it('progress line leaves out an ETA that is due or past', () => {
    expect(lines.progressLine(60_000, 'IN_PROGRESS', 90, 0)).toBe('[1m 00s] IN_PROGRESS 90%')
    expect(lines.progressLine(60_000, 'IN_PROGRESS', 90, -30_000)).toBe('[1m 00s] IN_PROGRESS 90%')
  })

  it('says when the batch answered without a model or a status', () => {
    expect(lines.startLine('b1', { endpoint: '/v1/x' }, { timeoutMs: 0, pollIntervalMs: 30_000 })).toBe(
      'Checking Together batch b1 once (model unknown, endpoint /v1/x).'
    )
    expect(lines.progressLine(0, '', 5)).toBe('[0s] status unknown 5%')
    expect(lines.heartbeatLine(300_000, '')).toBe('[5m 00s] still waiting, no change since the last line.')
    expect(lines.cancelLine('b1', { reason: 'timeout', state: 'answered' })).toBe(
      'Cancelled batch b1 after the timeout was reached: Together answered without a status.'
    )
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
