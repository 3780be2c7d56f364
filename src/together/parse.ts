import { isRecord } from '../util/json.js'
import type { BatchJob, FileInfo } from './types.js'

const STRING_FIELDS = [
  'id',
  'user_id',
  'input_file_id',
  'status',
  'job_deadline',
  'created_at',
  'endpoint',
  'model_id',
  'output_file_id',
  'error_file_id',
  'error',
  'completed_at'
] as const

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
  for (const key of STRING_FIELDS) {
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

/** The fields of a file object the action uses; undefined when the value is not an object. */
export function parseFileInfo(value: unknown): FileInfo | undefined {
  if (!isRecord(value)) return undefined
  const info: FileInfo = {}
  if (typeof value.id === 'string') info.id = value.id
  if (typeof value.filename === 'string') info.filename = value.filename
  const bytes = toNumber(value.bytes)
  if (bytes !== undefined && bytes >= 0) info.bytes = bytes
  return info
}
