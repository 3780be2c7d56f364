import { isTransient } from '../together/errors.js'
import { normalizeStatus, statusToken } from '../together/status.js'
import type { BatchJob, SubmitApi } from '../together/types.js'
import { retryDelay, withBackoff, type BackoffDeps } from '../util/backoff.js'
import type { Effects } from '../util/effects.js'
import { formatDuration } from '../util/duration.js'
import { errorMessage, oneLine } from '../util/text.js'
import type { ReuseMode } from './reuse.js'
import type { PreflightReport } from './preflight.js'
import { contentFileName, identicalFiles, lostBatch, reusableBatch } from './reuse.js'
import { isRefusal, submitFailure, type SubmitProgress } from './submit-error.js'

/** Tries of one request; with the backoff below, about a minute of trouble is ridden out. */
const ATTEMPTS = 5
const MAX_RETRY_MS = 30_000

/** The clock says how old a reused batch is. */
export type SubmitDeps = BackoffDeps & Pick<Effects, 'log' | 'now'> & { api: SubmitApi }

/** Which batch the step goes on with, and how it came to be. */
export interface Submitted {
  batchId: string
  inputFileId: string
  /** This submit created the batch (also when its answer was lost and the batch found by listing). */
  created: boolean
  /** This submit uploaded the file; false when an identical upload was found (or a batch reused). */
  uploaded: boolean
  /** The earlier batch of identical input that `reuse` picked instead of creating one. */
  reused?: { createdAt?: string; status: string }
}

/** `call` (a request that creates nothing: never a create), tried again on transient failures. */
function retried<T>(deps: SubmitDeps, what: string, call: () => Promise<T>): Promise<T> {
  return withBackoff(deps, { what, attempts: ATTEMPTS, capMs: MAX_RETRY_MS, transient: isTransient }, call)
}

function reusedBatch(job: BatchJob, reuse: ReuseMode, deps: SubmitDeps): Submitted {
  const status = statusToken(normalizeStatus(job.status))
  const createdAt = job.created_at ? oneLine(job.created_at, 40) : undefined
  const age = Date.parse(job.created_at ?? '')
  const when = createdAt
    ? `, created ${createdAt}${Number.isNaN(age) ? '' : ` (${formatDuration(deps.now() - age)} ago)`}`
    : ''
  deps.log.info(
    `Reusing batch ${job.id ?? ''} (${status}${when}): it runs identical input (${job.input_file_id ?? ''}); reuse: ${reuse}.`
  )
  const reused = createdAt === undefined ? { status } : { createdAt, status }
  return { batchId: job.id ?? '', inputFileId: job.input_file_id ?? '', created: false, uploaded: false, reused }
}

/** Uploads the file under its content-addressed `name`, each step retried; returns the new file's ID. */
async function upload(
  report: PreflightReport,
  name: string,
  deps: SubmitDeps,
  progress: SubmitProgress
): Promise<string> {
  progress.stage = 'uploading'
  progress.inputFileId = undefined
  const attempt = <T>(what: string, step: () => Promise<T>): Promise<T> => retried(deps, what, step)
  const onStarted = (fileId: string): void => {
    progress.started = fileId
  }
  const file = await deps.api.uploadFile(report.path, name, { signal: deps.signal, attempt, onStarted })
  deps.log.info(`Uploaded input-file ${report.file} as ${file.id} (${name}).`)
  progress.inputFileId = file.id
  return file.id
}

/**
 * `POST /v1/batches`, at most one batch: after a failure that may have created it (timeout, reset, 5xx,
 * an answer that is not a batch), batches are listed and one of this file not in `before` is taken as
 * the one created; only when there is none is the create sent again.
 */
async function createOnce(
  inputFileId: string,
  endpoint: string,
  before: ReadonlySet<string>,
  deps: SubmitDeps
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { job, warning } = await deps.api.createBatch(inputFileId, endpoint, { signal: deps.signal })
      if (warning) deps.log.warning(`Together's warning about batch ${job.id}: ${oneLine(warning)}`)
      deps.log.info(`Created batch ${job.id} from ${inputFileId} for ${endpoint}.`)
      return job.id
    } catch (error) {
      if (!isTransient(error) || deps.signal?.aborted) throw error
      const pause = retryDelay(attempt, () => deps.random(), error.retryAfterMs, MAX_RETRY_MS)
      const next = attempt < ATTEMPTS ? 'listing batches before creating again' : 'listing batches to find it'
      deps.log.warning(
        `POST /batches failed (attempt ${attempt}): ${errorMessage(error)}. The batch may exist: ${next}.`
      )
      await deps.sleep(pause, deps.signal)
      const batches = await retried(deps, 'GET /batches', () => deps.api.listBatches({ signal: deps.signal }))
      const lost = lostBatch(batches, inputFileId, endpoint, before)
      if (lost?.id) {
        deps.log.info(`Batch ${lost.id} was created from ${inputFileId}; its answer was lost. Going on with it.`)
        return lost.id
      }
      if (attempt >= ATTEMPTS) throw error
    }
  }
}

/**
 * Submits a file preflight found sound: finds an upload of identical bytes (`GET /v1/files`, by the
 * content-addressed name) or uploads it; finds an earlier batch of that input `reuse` allows
 * (`GET /v1/batches`) or creates one, never two (see `createOnce`). Every request is bounded,
 * abortable and retried on transient failures. Throws a `SubmitError` saying what was left behind.
 */
export async function submitBatch(
  input: { report: PreflightReport; reuse: ReuseMode },
  deps: SubmitDeps
): Promise<Submitted> {
  const { report, reuse } = input
  const request = { signal: deps.signal }
  const name = contentFileName(report.file, report.sha256)
  const progress: SubmitProgress = { stage: 'listing files and batches' }
  try {
    const files = identicalFiles(
      await retried(deps, 'GET /files', () => deps.api.listFiles(request)),
      name,
      report.bytes
    )
    const batches = await retried(deps, 'GET /batches', () => deps.api.listBatches(request))
    const earlier = reusableBatch(batches, new Set(files.map(file => file.id)), report.endpoint, reuse)
    if (earlier) return reusedBatch(earlier, reuse, deps)
    const before = new Set(batches.map(batch => batch.id ?? ''))
    const earlierUpload = files[0]?.id
    if (earlierUpload !== undefined) {
      deps.log.info(`Input file ${earlierUpload} (${name}) holds these exact bytes already: not uploading again.`)
      progress.stage = 'create'
      progress.inputFileId = earlierUpload
      try {
        const batchId = await createOnce(earlierUpload, report.endpoint, before, deps)
        return { batchId, inputFileId: earlierUpload, created: true, uploaded: false }
      } catch (error) {
        // An earlier upload that Together will not take (never preprocessed, say) must not block every re-run.
        if (!isRefusal(error)) throw error
        deps.log.warning(
          `Together refused a batch of the earlier upload ${earlierUpload}: ${errorMessage(error)}. Uploading input-file ${report.file} again.`
        )
      }
    }
    const inputFileId = await upload(report, name, deps, progress)
    progress.stage = 'create'
    const batchId = await createOnce(inputFileId, report.endpoint, before, deps)
    return { batchId, inputFileId, created: true, uploaded: true }
  } catch (error) {
    throw submitFailure(error, report.file, progress)
  }
}
