import { formatDuration } from '../util/duration.js'
import { retryDelay } from '../util/backoff.js'
import * as lines from './messages.js'

export interface RetryInput {
  batchId: string
  /** The failure as the log shows it. */
  message: string
  /** Transient failures in a row, this one included. */
  attempt: number
  now: number
  /** No check starts after this (epoch ms). */
  lastCheckAt: number
  pollIntervalMs: number
  /** Check once and stop (timeout 0). */
  checkOnce: boolean
  status?: number
  retryAfterMs?: number
  random: () => number
}

/**
 * What follows a transient failure, and the warning that says so: `stop` (checking once: the batch is
 * pending), `hold` (a 429 asks for a pause past the last check: one last check at the end) or `retry`
 * with backoff. Pure: the tracker applies it.
 */
export type RetryPlan =
  | { kind: 'stop'; line: string }
  | { kind: 'hold'; dueAt: number; line: string; retryAfterMs: number }
  | { kind: 'retry'; dueAt: number; line: string }

export function planRetry(input: RetryInput): RetryPlan {
  const { batchId, message, attempt, now, lastCheckAt, pollIntervalMs, retryAfterMs } = input
  if (input.checkOnce) {
    const line = lines.retryLine(batchId, message, 'Not retried: this step checks once; a later run checks again.')
    return { kind: 'stop', line }
  }
  const left = lastCheckAt - now
  if (input.status === 429 && retryAfterMs !== undefined && retryAfterMs > left) {
    const line = lines.retryLine(batchId, message, lines.rateLimitedNext(left), attempt)
    return { kind: 'hold', dueAt: lastCheckAt, line, retryAfterMs }
  }
  const delay = retryDelay(attempt, input.random, retryAfterMs, pollIntervalMs)
  const next = now + delay > lastCheckAt ? 'No time left to retry.' : `Retrying in ${formatDuration(delay)}.`
  return { kind: 'retry', dueAt: now + delay, line: lines.retryLine(batchId, message, next, attempt) }
}
