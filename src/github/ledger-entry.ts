import { isPlainId } from '../together/ids.js'
import { FINAL_STATUSES, type FinalStatus } from '../together/status.js'
import { SHA } from './commit-status.js'

/**
 * One tracked batch, as mode `track` records it: where it came from, and how the step that tracked
 * it wanted it judged and reported. Mode `report` acts on this alone, so it is validated field by
 * field when read back: a ledger file is as hostile as any server answer.
 */
export interface LedgerEntry {
  batchId: string
  repository: string
  /** The commit whose status reports the batch (a pull request's head commit). */
  sha: string
  ref: string
  pullRequest?: number
  runUrl: string
  /** Epoch ms. */
  trackedAt: number
  /** The batches tracked by the same step: they share one commit status. */
  group: string[]
  failOn: FinalStatus[]
  /** `max-failed-requests` as written; '' for none. */
  maxFailedRequests: string
  /** Commit status context; '' for none. */
  commitStatus: string
  /** Whether the batch's pull request comment is kept up to date. */
  prComment: boolean
  /** `max-cost` in US dollars, when set: the batch's own estimated cost is gated when it is reported. */
  maxCost?: number
  /** `batch-discount` in percent, when set. */
  batchDiscount?: number
}

/** A ledger file larger than this is not a ledger entry. */
const MAX_ENTRY_BYTES = 64 * 1024
const MAX_GROUP = 1000

export const entryPath = (batchId: string): string => `batches/${batchId}.json`

export function serializeEntry(entry: LedgerEntry): string {
  return `${JSON.stringify(
    {
      version: 1,
      batch_id: entry.batchId,
      repository: entry.repository,
      sha: entry.sha,
      ref: entry.ref,
      pull_request: entry.pullRequest ?? null,
      run_url: entry.runUrl,
      tracked_at: new Date(entry.trackedAt).toISOString(),
      group: entry.group,
      settings: {
        fail_on: entry.failOn,
        max_failed_requests: entry.maxFailedRequests,
        commit_status: entry.commitStatus,
        pr_comment: entry.prComment,
        max_cost: entry.maxCost ?? null,
        batch_discount: entry.batchDiscount ?? null
      }
    },
    null,
    2
  )}\n`
}

const str = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined

/** A recorded number from 0 to `max`; undefined when absent (or null), null when it is not one. */
function amount(value: unknown, max: number): number | undefined | null {
  if (value === undefined || value === null) return undefined
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max ? value : null
}

/** Settings as recorded; every value must be one the inputs could have produced. */
function settingsOf(
  raw: unknown
):
  | Pick<LedgerEntry, 'failOn' | 'maxFailedRequests' | 'commitStatus' | 'prComment' | 'maxCost' | 'batchDiscount'>
  | string {
  const settings = (raw ?? {}) as Record<string, unknown>
  const failOn = settings.fail_on
  if (
    !Array.isArray(failOn) ||
    !failOn.every(s => (FINAL_STATUSES as readonly unknown[]).includes(s) && s !== 'COMPLETED')
  )
    return 'settings.fail_on is not a list of FAILED, EXPIRED, CANCELLED'
  const gate = str(settings.max_failed_requests, 20)
  if (gate === undefined || !/^(\d+(\.\d+)?\s*%|\d+|)$/.test(gate)) return 'settings.max_failed_requests is not a gate'
  const context = str(settings.commit_status, 200)
  if (context === undefined || /[\p{Cc}]/u.test(context)) return 'settings.commit_status is not a context name'
  const comment = settings.pr_comment ?? false
  if (typeof comment !== 'boolean') return 'settings.pr_comment is not true or false'
  const maxCost = amount(settings.max_cost, Number.MAX_SAFE_INTEGER)
  if (maxCost === null) return 'settings.max_cost is not an amount'
  const batchDiscount = amount(settings.batch_discount, 100)
  if (batchDiscount === null) return 'settings.batch_discount is not a percentage'
  return {
    failOn: failOn as FinalStatus[],
    maxFailedRequests: gate,
    commitStatus: context,
    prComment: comment,
    ...(maxCost === undefined ? {} : { maxCost }),
    ...(batchDiscount === undefined ? {} : { batchDiscount })
  }
}

/** The entry in `text`, read from the file of `batchId`; a string says what is wrong with it. */
export function parseEntry(batchId: string, text: string): LedgerEntry | string {
  if (text.length > MAX_ENTRY_BYTES) return 'the file is too large'
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return 'the file is not JSON'
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the file is not a JSON object'
  const raw = parsed as Record<string, unknown>
  if (raw.version !== 1) return 'unknown version'
  if (raw.batch_id !== batchId) return 'batch_id does not match the file name'
  const sha = str(raw.sha, 40)
  if (!sha || !SHA.test(sha)) return 'sha is not a commit SHA'
  const trackedAt = Date.parse(str(raw.tracked_at, 40) ?? '')
  if (!Number.isFinite(trackedAt)) return 'tracked_at is not a time'
  const pr = raw.pull_request
  if (pr !== null && !(Number.isSafeInteger(pr) && (pr as number) > 0)) return 'pull_request is not a number'
  const group = raw.group
  if (!Array.isArray(group) || group.length > MAX_GROUP || !group.every(id => typeof id === 'string' && isPlainId(id)))
    return 'group is not a list of batch IDs'
  const settings = settingsOf(raw.settings)
  if (typeof settings === 'string') return settings
  return {
    batchId,
    repository: str(raw.repository, 200) ?? '',
    sha: sha.toLowerCase(),
    ref: str(raw.ref, 300) ?? '',
    pullRequest: pr === null ? undefined : (pr as number),
    runUrl: /^https?:\/\/[^\s"'<>()[\]]+$/.test(str(raw.run_url, 500) ?? '') ? (raw.run_url as string) : '',
    trackedAt,
    group: group as string[],
    ...settings
  }
}
