import { waitForBatches } from '../../src/engine/wait.js'
import type { EngineDeps, WaitAllOptions, BatchResult } from '../../src/engine/types.js'
import { recordingLogger, scriptedApi, virtualClock, type Step } from './virtual-time.js'

type WaitOptions = Omit<WaitAllOptions, 'batchIds'> & { batchId: string }

export const OPTIONS: WaitOptions = {
  batchId: 'batch-1',
  timeoutMs: 10 * 60_000,
  pollIntervalMs: 30_000,
  cancelOnTimeout: false,
  cancelOnAbort: false
}

/** The engine on one batch: the action's common case. */
export async function waitForBatch(deps: EngineDeps, { batchId, ...options }: WaitOptions): Promise<BatchResult> {
  return (await waitForBatches(deps, { ...options, batchIds: [batchId] })).results[0]!
}

/** The engine on one batch answering `steps` in virtual time: `run` waits, `calls` records the requests. */
export function oneBatchWait(
  steps: Step[],
  options: Partial<WaitOptions> = {},
  signal?: AbortSignal,
  cancelAnswer?: Step
) {
  const clock = virtualClock()
  const log = recordingLogger()
  const { api, calls } = scriptedApi(steps, clock, cancelAnswer)
  const start = clock.now()
  const run = () =>
    waitForBatch(
      { api, now: clock.now, sleep: clock.sleep, random: () => 0.5, log, signal },
      { ...OPTIONS, ...options }
    )
  return { clock, log, calls, run, start }
}

export const running = (progress?: number): Step => ({ id: 'batch-1', status: 'IN_PROGRESS', progress })
export const completed: Step = { id: 'batch-1', status: 'COMPLETED', progress: 100, output_file_id: 'file-out' }
