import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildFailureSummary, buildSummary } from '../../src/report/summary.js'
import { progressBar } from '../../src/report/format.js'
import { judge } from '../../src/verdict/verdict.js'
import type { FinalStatus } from '../../src/together/status.js'
import { result, T0 } from '../helpers/batch-result.js'

const FAIL_ON = new Set<FinalStatus>(['FAILED', 'EXPIRED', 'CANCELLED'])

function one(r: BatchResult): WaitReport {
  return {
    results: [r],
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    timeoutMs: r.timeoutMs,
    done: r.finalStatus !== undefined
  }
}

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
      outcome: 'ended-not-completed',
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
    expect(buildOutputs(one(result({ outcome: 'ended-not-completed', status: 'EXPIRED' })))['output-file-id']).toBe(
      'file-out'
    )
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
