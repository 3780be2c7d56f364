import type { BatchApi, FilesApi, ModelsApi } from '../together/types.js'
import type { SubmitApi } from '../together/types.js'
import type { Effects } from '../util/effects.js'

/**
 * What a run takes from the outside world, made once by main.ts; the engine, result files and prices
 * each take the part they use (a `Pick` of its `Effects` and the client they call). GitHub comes apart, as
 * the GitHub service.
 */
export interface RunContext extends Effects {
  api: BatchApi & FilesApi & ModelsApi
  signal: AbortSignal
  /** Applied at once: the outputs are set before any optional work that could fail or be killed. */
  setOutputs(outputs: Record<string, string>): void
  /** A signal that aborts after `ms` (AbortSignal.timeout in main.ts; tests control it). */
  timeoutSignal(ms: number): AbortSignal
}

/** A run of mode `wait` or `track`, which may submit `input-file`: its client also uploads and creates batches. */
export interface SubmitRunContext extends RunContext {
  api: RunContext['api'] & SubmitApi
}
