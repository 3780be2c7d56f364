import type { Logger } from '../engine/types.js'
import type { BatchApi, FilesApi, ModelsApi } from '../together/types.js'
import type { SubmitApi } from '../together/types.js'

/**
 * What a run takes from the outside world, made once by main.ts; the engine, result files and prices
 * each take the part they use (their deps are picks of this). GitHub comes apart, as the GitHub service.
 */
export interface RunContext {
  api: BatchApi & FilesApi & ModelsApi
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** In [0, 1); used for retry jitter. */
  random(): number
  log: Logger
  /** Aborted when the workflow is cancelled (SIGINT / SIGTERM from the runner). */
  signal: AbortSignal
  /** Removes the secrets from text read from result files, before it is cut or escaped anywhere. */
  redact(text: string): string
  /** Applied at once: the outputs are set before any optional work that could fail or be killed. */
  setOutputs(outputs: Record<string, string>): void
  /** A signal that aborts after `ms` (AbortSignal.timeout in main.ts; tests control it). */
  timeoutSignal(ms: number): AbortSignal
}

/** A run of mode `wait` or `track`, which may submit `input-file`: its client also uploads and creates batches. */
export interface SubmitRunContext extends RunContext {
  api: RunContext['api'] & SubmitApi
}
