import { describe, expect, it } from '@jest/globals'
import { planRetry, type RetryInput } from '../../src/engine/retry-plan.js'

const NOW = 1_000_000
const input = (over: Partial<RetryInput> = {}): RetryInput => ({
  batchId: 'batch-1',
  message: 'HTTP 503 Service Unavailable',
  attempt: 1,
  now: NOW,
  lastCheckAt: NOW + 600_000,
  pollIntervalMs: 30_000,
  checkOnce: false,
  random: () => 0,
  ...over
})

describe('planRetry', () => {
  it('retries with backoff and says when', () => {
    const plan = planRetry(input({ attempt: 3 }))
    expect(plan).toEqual({
      kind: 'retry',
      dueAt: NOW + 2000,
      line: 'Checking batch batch-1 failed (attempt 3): HTTP 503 Service Unavailable. Retrying in 2s.'
    })
  })

  it('waits as long as a retry-after asks when time is left', () => {
    const plan = planRetry(input({ status: 429, retryAfterMs: 45_000 }))
    expect(plan.kind).toBe('retry')
    expect(plan).toHaveProperty('dueAt', NOW + 45_000)
  })

  it('retries, not holds, when a 429 asks for a pause that ends exactly at the last check', () => {
    const plan = planRetry(input({ status: 429, retryAfterMs: 30_000, lastCheckAt: NOW + 30_000 }))
    expect(plan).toEqual({
      kind: 'retry',
      dueAt: NOW + 30_000,
      line: expect.stringContaining('Retrying in 30s.')
    })
  })

  it('holds a batch for one last check when a 429 asks for a pause past the end', () => {
    const plan = planRetry(input({ status: 429, retryAfterMs: 3_600_000, lastCheckAt: NOW + 120_000 }))
    expect(plan).toEqual({
      kind: 'hold',
      dueAt: NOW + 120_000,
      retryAfterMs: 3_600_000,
      line: expect.stringContaining('longer than the 2m 00s left: one last check at the end.')
    })
  })

  it('a long retry-after without a 429 is capped at a minute, not held', () => {
    const plan = planRetry(input({ status: 503, retryAfterMs: 3_600_000, lastCheckAt: NOW + 30_000 }))
    expect(plan).toHaveProperty('dueAt', NOW + 60_000)
    expect(plan.line).toContain('No time left to retry.')
  })

  it('checking once stops instead of retrying', () => {
    const plan = planRetry(input({ checkOnce: true }))
    expect(plan).toEqual({
      kind: 'stop',
      line: 'Checking batch batch-1 failed: HTTP 503 Service Unavailable. Not retried: this step checks once; a later run checks again.'
    })
  })
})
