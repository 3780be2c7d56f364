import { normalizeStatus } from '../together/status.js'
import type { BatchJob, ListedFile } from '../together/types.js'

/**
 * `reuse`: which earlier batch of identical input (same bytes, same endpoint) is used instead of
 * creating one. `running` (default): one not final yet; `completed`: also a COMPLETED one; `never`:
 * always a new batch. FAILED, EXPIRED and CANCELLED batches are never reused; an identical uploaded
 * file is reused in every mode.
 */
export const REUSE_MODES = ['running', 'completed', 'never'] as const
export type ReuseMode = (typeof REUSE_MODES)[number]

/** Hex digits of the content's SHA-256 in the uploaded name: 64 bits, no accidental collision. */
const HASH_DIGITS = 16
/** Statuses of a batch that is still going to run: CANCELING is not one, it ends CANCELLED. */
const RUNNING = new Set(['VALIDATING', 'QUEUED', 'PENDING', 'IN_PROGRESS'])

/**
 * The name an input file is uploaded under: its own name and a prefix of its content's SHA-256
 * (`evals-0123456789abcdef.jsonl`), so identical bytes are found again through `GET /v1/files`.
 * Only letters, digits, `.`, `_` and `-` are kept of the name (it is a plain name).
 */
export function contentFileName(file: string, sha256: string): string {
  const base = file.split('/').at(-1) ?? ''
  const stem = base
    .replace(/\.jsonl$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
  return `${stem || 'input'}-${sha256.slice(0, HASH_DIGITS)}.jsonl`
}

const newestFirst = (a: number, b: number): number => (Number.isNaN(b) ? -1 : Number.isNaN(a) ? 1 : b - a)
const createdMs = (job: BatchJob): number => Date.parse(job.created_at ?? '')

/** Uploaded files of the same name and size, for batches (purpose `batch-api`), newest first. */
export function identicalFiles(files: readonly ListedFile[], name: string, bytes: number): ListedFile[] {
  return files
    .filter(f => f.filename === name && f.bytes === bytes && (f.purpose ?? 'batch-api') === 'batch-api')
    .sort((a, b) => newestFirst(a.createdAt ?? NaN, b.createdAt ?? NaN))
}

/**
 * An earlier batch of one of `fileIds` for `endpoint` that `reuse` allows: with `completed`, the newest
 * COMPLETED one (its verdict is at hand), else the newest still running. FAILED, EXPIRED, CANCELLED,
 * CANCELING and statuses never documented are never reused, nor a batch that does not name its endpoint.
 */
export function reusableBatch(
  batches: readonly BatchJob[],
  fileIds: ReadonlySet<string>,
  endpoint: string,
  reuse: ReuseMode
): BatchJob | undefined {
  if (reuse === 'never') return undefined
  const same = batches.filter(b => fileIds.has(b.input_file_id ?? '') && b.endpoint === endpoint)
  const newest = (status: (s: string) => boolean): BatchJob | undefined =>
    same.filter(b => status(normalizeStatus(b.status))).sort((a, b) => newestFirst(createdMs(a), createdMs(b)))[0]
  return (reuse === 'completed' ? newest(s => s === 'COMPLETED') : undefined) ?? newest(s => RUNNING.has(s))
}

/**
 * The batch a create whose answer was lost made: one of `inputFileId` for `endpoint` (or naming none)
 * that was not in the list taken before creating (`before`, IDs).
 */
export function lostBatch(
  batches: readonly BatchJob[],
  inputFileId: string,
  endpoint: string,
  before: ReadonlySet<string>
): BatchJob | undefined {
  return batches.find(
    b => b.input_file_id === inputFileId && (!b.endpoint || b.endpoint === endpoint) && !before.has(b.id ?? '')
  )
}
