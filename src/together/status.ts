/** Statuses after which a batch never changes again. CANCELED (one L) is read as CANCELLED. */
export const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'] as const
export type FinalStatus = (typeof FINAL_STATUSES)[number]

/** Statuses that mean "keep waiting" and need no warning. */
const WAITING_STATUSES = new Set(['VALIDATING', 'IN_PROGRESS', 'CANCELING', 'CANCELLING', 'QUEUED', 'PENDING'])

export type StatusClass =
  { kind: 'final'; status: FinalStatus } | { kind: 'waiting'; status: string } | { kind: 'unknown'; status: string }

/** Normalises a status for comparison: trimmed, upper-case, CANCELED spelled CANCELLED. */
export function normalizeStatus(status: string | null | undefined): string {
  const upper = (status ?? '').trim().toUpperCase()
  return upper === 'CANCELED' ? 'CANCELLED' : upper
}

function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status)
}

/** Final, known-in-progress, or unknown (missing or never documented): the last two mean keep waiting. */
export function classifyStatus(status: string | null | undefined): StatusClass {
  const normal = normalizeStatus(status)
  if (isFinalStatus(normal)) return { kind: 'final', status: normal }
  if (WAITING_STATUSES.has(normal)) return { kind: 'waiting', status: normal }
  return { kind: 'unknown', status: normal }
}

/**
 * A status fit to leave the process as an output or a commit status description: a plain upper-case
 * word, else UNKNOWN. A status the API never documented is server text, and outputs end up in scripts.
 */
export function statusToken(status: string): string {
  return status === '' || /^[A-Z][A-Z_]{0,39}$/.test(status) ? status : 'UNKNOWN'
}
