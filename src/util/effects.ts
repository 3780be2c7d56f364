/** Where the action reports what a person watching the job log wants to see. */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/**
 * The side effects a run is given, so that its code runs in virtual time in the tests and stops when the
 * workflow is cancelled. main.ts makes them once, as part of the run context
 * (`src/orchestrate/run-context.ts`); the engine, retries, downloads, prices and submit each take a
 * `Pick` of them and the client they use.
 */
export interface Effects {
  /** Milliseconds since the epoch. */
  now(): number
  /**
   * Resolves after `ms`, or early (without throwing) when `signal` aborts. May also return early or
   * late on its own: callers read the clock again after every sleep.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** In [0, 1); used for retry jitter. */
  random(): number
  log: Logger
  /** Aborted when the workflow is cancelled (SIGINT / SIGTERM from the runner); a unit test may leave it out. */
  signal?: AbortSignal
  /** Removes the secrets from text read from result files, before it is cut or escaped anywhere. */
  redact(text: string): string
}
