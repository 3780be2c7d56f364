import { printable } from '../util/text.js'
import { TogetherError } from './errors.js'
import type { BatchJob } from './types.js'

const PLAIN = /^[A-Za-z0-9._-]{1,200}$/

/** One path segment: '/', '?', '#' and '%' encoded, and dots too, so '..' cannot climb to another endpoint. */
export function encodeId(id: string): string {
  return encodeURIComponent(id).replace(/\./g, '%2E')
}

/**
 * True for the IDs Together hands out (UUIDs, `file-…`): letters, digits, `-`, `_` and `.`, at least
 * one letter or digit, no `..`, at most 200 characters. Anything else is refused rather than put in a
 * URL, a file name or a log line.
 */
export function isPlainId(id: string): boolean {
  return PLAIN.test(id) && /[A-Za-z0-9]/.test(id) && !id.includes('..')
}

/** A short, quoted rendering of an ID that is not plain, safe to put in a message. */
export function describeBadId(id: string): string {
  return `"${printable(id, 60)}"`
}

/** An ID as it appears in a message: as is when plain, quoted and escaped otherwise. */
export function idLabel(id: string): string {
  return isPlainId(id) ? id : describeBadId(id)
}

/** Refuses to send a request about a file whose ID is not plain (kind `invalid-id`, never retried). */
export function requirePlainFileId(id: string): void {
  if (isPlainId(id)) return
  throw new TogetherError(`Not requesting file ${describeBadId(id)}: an invalid file ID (not a plain ID)`, {
    kind: 'invalid-id'
  })
}

const ID_FIELDS = ['id', 'input_file_id', 'output_file_id', 'error_file_id'] as const

/** The first of a batch's IDs that is not plain; an empty string reads as "no file" everywhere, as null does. */
export function badIdField(job: BatchJob): (typeof ID_FIELDS)[number] | undefined {
  return ID_FIELDS.find(field => {
    const value = job[field]
    return typeof value === 'string' && value !== '' && !isPlainId(value)
  })
}

/** Rejects a batch whose IDs are not plain: they end up in URLs, file names and log lines. */
export function checkBatchIds(job: BatchJob, what: string): BatchJob {
  const field = badIdField(job)
  if (field === undefined) return job
  throw new TogetherError(
    `Together answered ${what} with an invalid ${field} (${describeBadId(job[field] ?? '')}, not a plain ID); it is not used`,
    { kind: 'invalid-id' }
  )
}

/** Rejects an answer about another batch than `askedId` (a proxy or cache mixing up answers). */
export function checkSameBatch(job: BatchJob, what: string, askedId: string): BatchJob {
  if (typeof job.id === 'string' && job.id !== '' && job.id !== askedId) {
    throw new TogetherError(
      `Together answered ${what} with batch ${idLabel(job.id)} instead of ${idLabel(askedId)}; the answer is not used`,
      { kind: 'wrong-batch' }
    )
  }
  return job
}
