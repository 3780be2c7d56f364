import { createReadStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { retryDelay } from '../util/backoff.js'
import type { Logger, WaitResult } from '../engine/types.js'
import { TogetherError, type FilesApi } from '../together/index.js'
import { countErrorLine, countOutputLine, emptyTally, type Tally } from './tally.js'

/** What was fetched and counted for one batch. */
export interface BatchFiles {
  outputPath?: string
  errorPath?: string
  tally?: Tally
  /** Why a file could not be fetched, when it could not. */
  error?: string
}

export interface CollectDeps {
  files: FilesApi
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  log: Logger
  /** Aborted when the workflow is cancelled: downloads stop at once. */
  signal?: AbortSignal
}

const ATTEMPTS = 5
const MAX_RETRY_MS = 30_000

/** Downloads one file with retries on transient failures; returns its path. */
async function fetchFile(deps: CollectDeps, fileId: string, path: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const info = await deps.files.getFile(fileId, { signal: deps.signal })
      const bytes = await deps.files.downloadFile(fileId, path, { expectedBytes: info.bytes, signal: deps.signal })
      deps.log.info(`Downloaded ${fileId} to ${path} (${bytes} bytes).`)
      return path
    } catch (error) {
      const transient = error instanceof TogetherError && error.transient
      if (!transient || attempt >= ATTEMPTS) throw error
      const delay = retryDelay(attempt, deps.random, (error as TogetherError).retryAfterMs, MAX_RETRY_MS)
      deps.log.warning(
        `Downloading ${fileId} failed (attempt ${attempt}): ${(error as Error).message}. Retrying in ${Math.round(delay / 1000)}s.`
      )
      await deps.sleep(delay, deps.signal)
    }
  }
}

/** Counts a downloaded file line by line, in constant memory. */
async function countFile(path: string, tally: Tally, count: (tally: Tally, line: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) count(tally, line)
}

/**
 * After the wait: downloads the output and error files of every batch that reached a final status and
 * has them, into `dir` as `<batch-id>-output.jsonl` and `<batch-id>-errors.jsonl`, and counts their
 * requests. A file that cannot be fetched is reported on its batch, not thrown.
 */
export async function collectResults(
  deps: CollectDeps,
  results: readonly WaitResult[],
  dir: string
): Promise<Map<string, BatchFiles>> {
  await mkdir(dir, { recursive: true })
  const collected = new Map<string, BatchFiles>()
  for (const result of results) {
    const job = result.batch
    if (!result.finalStatus || !job) continue
    const entry: BatchFiles = {}
    collected.set(result.batchId, entry)
    try {
      const tally = emptyTally()
      if (job.output_file_id) {
        entry.outputPath = await fetchFile(deps, job.output_file_id, join(dir, `${result.batchId}-output.jsonl`))
        await countFile(entry.outputPath, tally, countOutputLine)
      }
      if (job.error_file_id) {
        entry.errorPath = await fetchFile(deps, job.error_file_id, join(dir, `${result.batchId}-errors.jsonl`))
        await countFile(entry.errorPath, tally, countErrorLine)
      }
      entry.tally = tally
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error)
      deps.log.warning(`Could not fetch the results of batch ${result.batchId}: ${entry.error}`)
    }
  }
  return collected
}
