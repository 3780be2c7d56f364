import { waitForBatches } from '../../src/engine/wait.js'
import type { BatchApi, BatchJob } from '../../src/together/types.js'
import type { Profile } from './profiles.js'

export interface Figures {
  requests: number
  /** ms between the batch reaching its final status and the poller noticing. */
  delayMs: number
}

function jobAt(profile: Profile, durationMs: number, t: number): BatchJob {
  if (t >= durationMs) return { status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }
  return profile.at(t / durationMs)
}

/** The action's engine, in virtual time, against one batch that finishes `durationMs` after it starts. */
export async function adaptive(profile: Profile, durationMs: number, pollIntervalMs: number): Promise<Figures> {
  let now = 0
  let requests = 0
  const api: BatchApi = {
    getBatch: () => {
      requests++
      return Promise.resolve(jobAt(profile, durationMs, now))
    },
    cancelBatch: () => Promise.resolve({})
  }
  const sleep = (ms: number): Promise<void> => {
    now += ms
    return Promise.resolve()
  }
  const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined }
  const all = await waitForBatches(
    { api, now: () => now, sleep, random: () => 0.5, log: quiet },
    { batchIds: ['b'], timeoutMs: 48 * 3_600_000, pollIntervalMs, cancelOnTimeout: false, cancelOnAbort: false }
  )
  const result = all.results[0]!
  if (result.outcome !== 'completed') throw new Error(`engine ended ${result.outcome} on ${profile.name}`)
  return { requests, delayMs: result.endedAt - durationMs }
}

/** What people write by hand: check, sleep `pollIntervalMs`, repeat. */
export function fixedInterval(durationMs: number, pollIntervalMs: number): Figures {
  const checks = Math.ceil(durationMs / pollIntervalMs) + 1
  return { requests: checks, delayMs: (checks - 1) * pollIntervalMs - durationMs }
}
