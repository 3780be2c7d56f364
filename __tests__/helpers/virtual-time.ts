import type { Logger } from '../../src/util/effects.js'
import type { BatchApi, BatchJob, RequestOptions } from '../../src/together/types.js'

/** A clock that only moves when the code under test sleeps (or a fake API takes time). */
export function virtualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start
  const sleeps: number[] = []
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal): Promise<void> => {
      sleeps.push(ms)
      if (!signal?.aborted) now += ms
    }
  }
}

export function recordingLogger(): Logger & {
  lines: { level: string; message: string }[]
  text(level?: string): string
} {
  const lines: { level: string; message: string }[] = []
  return {
    lines,
    info: message => void lines.push({ level: 'info', message }),
    warning: message => void lines.push({ level: 'warning', message }),
    debug: message => void lines.push({ level: 'debug', message }),
    text: level =>
      lines
        .filter(l => !level || l.level === level)
        .map(l => l.message)
        .join('\n')
  }
}

export type Step = BatchJob | Error | ((options?: RequestOptions) => BatchJob | Promise<BatchJob>)

/**
 * A BatchApi that answers `getBatch` from a script, one step per call (the last step repeats), and
 * records every call with the virtual time it was made at.
 */
export function scriptedApi(steps: Step[], clock: { now(): number }, cancelAnswer: Step = { status: 'CANCELING' }) {
  const calls: { method: string; at: number; options?: RequestOptions }[] = []
  const answer = async (step: Step, options?: RequestOptions): Promise<BatchJob> => {
    if (step instanceof Error) throw step
    return typeof step === 'function' ? step(options) : { ...step }
  }
  const api: BatchApi = {
    getBatch: async (_id, options) => {
      calls.push({ method: 'get', at: clock.now(), options })
      return answer(steps[Math.min(calls.filter(c => c.method === 'get').length - 1, steps.length - 1)]!, options)
    },
    cancelBatch: async (_id, options) => {
      calls.push({ method: 'cancel', at: clock.now(), options })
      return answer(cancelAnswer, options)
    }
  }
  return { api, calls }
}
