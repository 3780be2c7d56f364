import type { BatchResult, WaitReport } from '../../src/engine/types.js'

/** The start of every fixture's wait. */
export const T0 = Date.UTC(2026, 0, 1)

/** A batch that completed after about three minutes, as the engine reports it; `overrides` change any part. */
export function result(overrides: Partial<BatchResult> = {}): BatchResult {
  const made: BatchResult = {
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

/** The wait of one batch `b1` that completed in five seconds after one check; `overrides` change its result. */
export function oneWait(overrides: Partial<BatchResult> = {}): WaitReport {
  const r: BatchResult = {
    batchId: 'b1',
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: { id: 'b1', status: 'COMPLETED', output_file_id: 'file-out' },
    startedAt: T0,
    endedAt: T0 + 5000,
    timeoutMs: 60_000,
    timeline: [],
    requests: 1,
    ...overrides
  }
  return { results: [r], startedAt: T0, endedAt: r.endedAt, timeoutMs: r.timeoutMs, done: true }
}

/** One batch's wait, as the engine reports it. */
export function one(r: BatchResult): WaitReport {
  return {
    results: [r],
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    timeoutMs: r.timeoutMs,
    done: r.finalStatus !== undefined
  }
}
