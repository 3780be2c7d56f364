import { isRecord } from '../util/json.js'
import { TogetherError } from './errors.js'
import { checkBatchIds, isPlainId } from './ids.js'
import { parseBatchJob } from './parse.js'
import type { CreatedBatch, ListedFile } from './types.js'

/** Longer warnings are cut: the text is the server's, and it only goes to the log. */
const MAX_WARNING = 1000

/** A bare array, `null` (the live API's empty list), or the array in an OpenAI-style `{"data": [...]}`. */
export function listOf(value: unknown): unknown[] | undefined {
  const list: unknown = isRecord(value) ? value.data : value
  return list === null ? [] : Array.isArray(list) ? (list as unknown[]) : undefined
}

/** A file object (a `GET /v1/files` entry, an upload's answer), or undefined without a plain `id`. */
export function parseListedFile(value: unknown): ListedFile | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || !isPlainId(value.id)) return undefined
  const file: ListedFile = { id: value.id }
  if (typeof value.filename === 'string') file.filename = value.filename
  if (typeof value.purpose === 'string') file.purpose = value.purpose
  if (typeof value.bytes === 'number' && Number.isSafeInteger(value.bytes) && value.bytes >= 0) file.bytes = value.bytes
  if (typeof value.created_at === 'number' && Number.isFinite(value.created_at)) file.createdAt = value.created_at
  return file
}

/**
 * `GET /v1/files` (OpenAPI `FileList`, `{"data": [FileResponse]}`): the files with a plain ID, fields
 * of the wrong type dropped. Undefined when the body is no list at all.
 */
export function parseFileList(value: unknown): ListedFile[] | undefined {
  return listOf(value)
    ?.map(parseListedFile)
    .filter(file => file !== undefined)
}

/**
 * `POST /v1/batches` answers `{"job": BatchJob, "warning": "..."}` (OpenAPI `BatchJobWithWarning`); a
 * bare batch object is read too. The job must carry a plain `id`, and its input file, when named, must
 * be the one sent: anything else is an `invalid-response` (the caller then lists batches before it
 * creates again, since the batch may exist).
 */
export function parseCreatedBatch(value: unknown, what: string, inputFileId: string): CreatedBatch {
  const wrapped = isRecord(value) && isRecord(value.job)
  const job = parseBatchJob(wrapped ? value.job : value)
  const invalid = (why: string): TogetherError =>
    new TogetherError(`Together answered ${what} with ${why}`, { kind: 'invalid-response' })
  if (typeof job?.id !== 'string' || job.id === '') throw invalid('no batch ID')
  checkBatchIds(job, what)
  if (typeof job.input_file_id === 'string' && job.input_file_id !== '' && job.input_file_id !== inputFileId) {
    throw invalid(`a batch of another input file (${job.input_file_id}, not ${inputFileId})`)
  }
  const warning = wrapped && typeof value.warning === 'string' ? value.warning.trim().slice(0, MAX_WARNING) : ''
  return warning ? { job: { ...job, id: job.id }, warning } : { job: { ...job, id: job.id } }
}
