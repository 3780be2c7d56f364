import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withBackoff } from '../util/backoff.js'
import { formatDuration } from '../util/duration.js'
import type { Effects } from '../util/effects.js'
import { errorMessage } from '../util/text.js'
import type { BatchResult } from '../engine/types.js'
import { isTransient } from '../together/errors.js'
import type { FilesApi } from '../together/types.js'
import type { FailureIndex } from './failures.js'
import { jsonLines } from './jsonl.js'
import { countErrorLine, countLongLine, countOutputLine, emptyTally, type CountedLine, type Tally } from './tally.js'
import { addUsage, emptyUsage, type Usage } from './usage.js'

/** What was fetched and counted for one batch. */
export interface BatchFiles {
  outputPath?: string
  errorPath?: string
  tally?: Tally
  /** Requests and tokens per model, counted with `tally`. */
  usage?: Usage
  /** Why a file could not be fetched, when it could not. */
  error?: string
}

export type CollectDeps = Pick<Effects, 'sleep' | 'random' | 'log' | 'redact' | 'signal'> & {
  api: FilesApi
  /** The time allowed for all result files, and the signal that fires when it has run out. */
  budget?: { ms: number; signal: AbortSignal }
  /** When given, every failed request is recorded here by `custom_id` (for `input-file`). */
  failures?: FailureIndex
}

const DOWNLOAD_ATTEMPTS = 5
const MAX_RETRY_MS = 30_000

/** Downloads one file with retries on transient failures; returns its path. */
async function fetchFile(deps: CollectDeps, fileId: string, path: string): Promise<string> {
  const backoff = {
    what: `Downloading ${fileId}`,
    attempts: DOWNLOAD_ATTEMPTS,
    capMs: MAX_RETRY_MS,
    transient: isTransient
  }
  return withBackoff(deps, backoff, async () => {
    const info = await deps.api.getFile(fileId, { signal: deps.signal })
    const bytes = await deps.api.downloadFile(fileId, path, { expectedBytes: info.bytes, signal: deps.signal })
    deps.log.info(`Downloaded ${fileId} to ${path} (${bytes} bytes).`)
    return path
  })
}

type Count = (tally: Tally, line: string) => CountedLine | undefined

/** Counts a downloaded file line by line, in constant memory; `observe` sees each decoded line. */
async function countFile(
  deps: Pick<CollectDeps, 'signal' | 'redact'>,
  path: string,
  tally: Tally,
  count: Count,
  observe: (line: CountedLine) => void
): Promise<void> {
  // Abortable like the download: a huge file must not outlast a cancel or the time for result files.
  for await (const line of jsonLines(path, { signal: deps.signal })) {
    // Whole lines are redacted before anything can cut them: a key cut in half is no longer found.
    const counted = typeof line === 'string' ? count(tally, deps.redact(line)) : countLongLine(tally, line.bytes)
    if (counted) observe(counted)
  }
}

/** Where the files go, and how to name that place in a message. */
export interface ResultsDir {
  path: string
  /** `download-dir 'out'`, or `the runner's temp directory`. */
  label: string
}

/**
 * After the wait: downloads the output and error files of every batch that reached a final status and
 * has them, into the directory as `<batch-id>-output.jsonl` and `<batch-id>-errors.jsonl`, and counts
 * their requests and tokens. Anything that goes wrong (the directory, a download, a count) is reported on its
 * batch, with the path, never thrown: the batch's own outcome is already decided and must stay visible.
 */
export async function collectResults(
  deps: CollectDeps,
  results: readonly BatchResult[],
  dir: ResultsDir
): Promise<Map<string, BatchFiles>> {
  const collected = new Map<string, BatchFiles>()
  const wanted = results.filter(r => r.finalStatus !== undefined && r.batch !== undefined)
  if (wanted.length === 0) return collected
  let dirError: string | undefined
  try {
    await mkdir(dir.path, { recursive: true })
  } catch (error) {
    dirError = `could not create ${dir.label} (${dir.path}): ${errorMessage(error)}`
  }
  for (const result of wanted) {
    const job = result.batch!
    const entry: BatchFiles = {}
    collected.set(result.batchId, entry)
    try {
      if (dirError) throw new Error(dirError)
      const tally = emptyTally()
      const usage = emptyUsage()
      const observe = ({ record, failedCode }: CountedLine): void => {
        addUsage(usage, record, job.model_id ?? '')
        if (failedCode !== undefined) deps.failures?.add(result.batchId, record, failedCode)
      }
      if (job.output_file_id) {
        entry.outputPath = await fetchFile(deps, job.output_file_id, join(dir.path, `${result.batchId}-output.jsonl`))
        await countFile(deps, entry.outputPath, tally, countOutputLine, observe)
      }
      if (job.error_file_id) {
        entry.errorPath = await fetchFile(deps, job.error_file_id, join(dir.path, `${result.batchId}-errors.jsonl`))
        await countFile(deps, entry.errorPath, tally, countErrorLine, observe)
      }
      entry.tally = tally
      entry.usage = usage
    } catch (error) {
      entry.error = deps.budget?.signal.aborted
        ? `the ${formatDuration(deps.budget.ms)} allowed for result files ran out (the time left of 'timeout', at least 10 minutes or 'timeout' if shorter)`
        : errorMessage(error)
      deps.log.warning(`Could not fetch the results of batch ${result.batchId} into ${dir.label}: ${entry.error}`)
    }
  }
  return collected
}
