import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { buildOutputs } from '../../src/report/outputs.js'
import type { BatchJob } from '../../src/together/types.js'

const T0 = Date.UTC(2026, 0, 1)

function result(batchId: string, batch: BatchJob): BatchResult {
  return {
    batchId,
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch,
    progress: 100,
    startedAt: T0,
    endedAt: T0 + 1000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 1
  }
}

const all = (...results: BatchResult[]): WaitReport => ({
  results,
  startedAt: T0,
  endedAt: T0 + 1000,
  timeoutMs: 60_000,
  done: true
})

describe('buildOutputs', () => {
  it('gives the input file one batch names as input-file-id', () => {
    const outputs = buildOutputs(all(result('b1', { status: 'COMPLETED', input_file_id: 'file-in' })))
    expect(outputs['input-file-id']).toBe('file-in')
  })

  it('leaves input-file-id to the submit step when the batch names none, or with several batches', () => {
    expect(buildOutputs(all(result('b1', { status: 'COMPLETED' })))).not.toHaveProperty('input-file-id')
    const several = all(
      result('b1', { status: 'COMPLETED', input_file_id: 'file-1' }),
      result('b2', { status: 'COMPLETED', input_file_id: 'file-2' })
    )
    expect(buildOutputs(several)).not.toHaveProperty('input-file-id')
  })
})
