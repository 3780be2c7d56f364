import { isRecord } from '../util/json.js'
import { invalidAnswer } from './errors.js'
import { checkBatchIds, isPlainId } from './ids.js'
import { BATCH_TEXT_FIELDS } from './types.js'
import type { BatchJob, CreatedBatch, FileInfo, ListedFile, ModelInfo } from './types.js'

function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}

/**
 * Turns one decoded JSON value into a `BatchJob`, or `undefined` when it is not a batch object at all
 * (null, an array, a string, an object with none of the batch's fields).
 * Fields of the wrong type are dropped; `status` is upper-cased; `progress` is clamped to 0–100.
 */
export function parseBatchJob(value: unknown): BatchJob | undefined {
  if (!isRecord(value)) return undefined
  const job: BatchJob = {}
  let known = 0
  for (const key of BATCH_TEXT_FIELDS) {
    const field = value[key]
    if (field === null) job[key] = null
    else if (typeof field === 'string') job[key] = field
    if (key in value) known++
  }
  if (typeof job.status === 'string') job.status = job.status.trim().toUpperCase()
  const progress = toNumber(value.progress)
  if (progress !== undefined) job.progress = Math.min(100, Math.max(0, progress))
  else if (value.progress === null) job.progress = null
  const size = toNumber(value.file_size_bytes)
  if (size !== undefined) job.file_size_bytes = size
  if ('progress' in value || 'file_size_bytes' in value) known++
  return known > 0 ? job : undefined
}

/** The server's message from `{"error": "msg"}`, `{"error": {"message": "msg"}}` or `{"message": "msg"}`. */
export function errorMessageOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined
  const { error, message } = body
  if (typeof error === 'string') return error
  if (isRecord(error) && typeof error.message === 'string') return error.message
  if (typeof message === 'string') return message
  return undefined
}

/** Longer warnings are cut: the text is the server's, and it only goes to the log. */
const MAX_WARNING = 1000

/** A bare array, `null` (the live API's empty list), or the array in an OpenAI-style `{"data": [...]}`. */
export function listOf(value: unknown): unknown[] | undefined {
  const list: unknown = isRecord(value) ? value.data : value
  return list === null ? [] : Array.isArray(list) ? (list as unknown[]) : undefined
}

/**
 * The fields of a file object (OpenAPI `FileResponse`) the action uses, those of the wrong type dropped;
 * undefined when the value is not an object.
 */
export function parseFileInfo(value: unknown): FileInfo | undefined {
  if (!isRecord(value)) return undefined
  const file: FileInfo = {}
  if (typeof value.id === 'string') file.id = value.id
  if (typeof value.filename === 'string') file.filename = value.filename
  if (typeof value.purpose === 'string') file.purpose = value.purpose
  if (typeof value.bytes === 'number' && Number.isSafeInteger(value.bytes) && value.bytes >= 0) file.bytes = value.bytes
  if (typeof value.created_at === 'number' && Number.isFinite(value.created_at)) file.createdAt = value.created_at
  return file
}

/** A file object (a `GET /v1/files` entry, an upload's answer), or undefined without a plain `id`. */
export function parseListedFile(value: unknown): ListedFile | undefined {
  const file = parseFileInfo(value)
  return typeof file?.id === 'string' && isPlainId(file.id) ? { ...file, id: file.id } : undefined
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
  if (typeof job?.id !== 'string' || job.id === '') throw invalidAnswer(what, 'with no batch ID')
  checkBatchIds(job, what)
  if (typeof job.input_file_id === 'string' && job.input_file_id !== '' && job.input_file_id !== inputFileId) {
    throw invalidAnswer(what, `with a batch of another input file (${job.input_file_id}, not ${inputFileId})`)
  }
  const warning = wrapped && typeof value.warning === 'string' ? value.warning.trim().slice(0, MAX_WARNING) : ''
  return warning ? { job: { ...job, id: job.id }, warning } : { job: { ...job, id: job.id } }
}

/** Longer IDs are not model IDs; they are dropped rather than carried into maps and messages. */
const MAX_MODEL_ID = 256
/**
 * Dearer than any model has ever been listed at (US dollars per million tokens). A price above it is
 * treated as malformed, so a hostile answer cannot push an estimate to Infinity.
 */
const MAX_PRICE = 100_000

const price = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PRICE ? value : undefined

/** One model object, or undefined when it has no usable `id`. Prices of the wrong type are dropped. */
function parseModelInfo(value: unknown): ModelInfo | undefined {
  if (!isRecord(value) || typeof value.id !== 'string') return undefined
  const id = value.id.trim()
  if (id === '' || id.length > MAX_MODEL_ID) return undefined
  const pricing = isRecord(value.pricing) ? value.pricing : undefined
  const input = price(pricing?.input)
  const output = price(pricing?.output)
  return input !== undefined && output !== undefined ? { id, pricing: { input, output } } : { id }
}

/**
 * `GET /v1/models` answers a bare array of model objects (`null` for none); an OpenAI-style
 * `{"data": [...]}` is read too. Malformed entries are skipped. Undefined when the body is neither.
 */
export function parseModelList(value: unknown): ModelInfo[] | undefined {
  return listOf(value)
    ?.map(parseModelInfo)
    .filter(model => model !== undefined)
}
