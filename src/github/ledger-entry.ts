import { isPlainId } from '../together/ids.js'
import { isRecord, parseJson } from '../util/json.js'
import { errorMessage, oneLine } from '../util/text.js'
import { parsePolicy, policyText, type Policy } from '../verdict/policy.js'
import { isPullRequest, isSha } from './octokit.js'
import { MAX_PULLS } from './pr-comment.js'

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
  /** The pull requests the batch's comment goes to: the event's, or those whose head is `sha`. */
  pullRequests: number[]
  runUrl: string
  /** Epoch ms. */
  trackedAt: number
  /** The batches tracked by the same step: they share one commit status. */
  group: string[]
  /** How the step that tracked the batch wants it judged. */
  policy: Policy
  /** Commit status context; '' for none. */
  commitStatus: string
  /** Whether the batch's pull request comment is kept up to date. */
  prComment: boolean
}

/** A ledger file larger than this is not a ledger entry. */
const MAX_ENTRY_BYTES = 64 * 1024
const MAX_GROUP = 1000

export const entryPath = (batchId: string): string => `batches/${batchId}.json`

export function serializeEntry(entry: LedgerEntry): string {
  const text = policyText(entry.policy)
  return `${JSON.stringify(
    {
      version: 1,
      batch_id: entry.batchId,
      repository: entry.repository,
      sha: entry.sha,
      ref: entry.ref,
      pull_request: entry.pullRequests[0] ?? null,
      pull_requests: entry.pullRequests,
      run_url: entry.runUrl,
      tracked_at: new Date(entry.trackedAt).toISOString(),
      group: entry.group,
      settings: {
        fail_on: [...entry.policy.failOn],
        max_failed_requests: text.maxFailedRequests,
        commit_status: entry.commitStatus,
        pr_comment: entry.prComment,
        max_cost: entry.policy.maxCost ?? null,
        batch_discount: entry.policy.batchDiscount ?? null
      }
    },
    null,
    2
  )}\n`
}

const str = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined

/** A recorded amount as the policy parser reads it: '' for none (null), else plain decimals. */
function amountText(value: unknown): string | undefined {
  if (value === undefined || value === null) return ''
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? policyText({ failOn: new Set(), maxCost: value }).maxCost
    : undefined
}

/**
 * Settings as recorded. The policy goes through the same parser as the inputs: an entry whose gate,
 * limit or discount the inputs could not have produced is invalid, never read as "no gate".
 */
function settingsOf(raw: unknown): Pick<LedgerEntry, 'policy' | 'commitStatus' | 'prComment'> | string {
  const settings = (raw ?? {}) as Record<string, unknown>
  const failOn = settings.fail_on
  if (!Array.isArray(failOn) || !failOn.every(s => typeof s === 'string' && s !== 'COMPLETED'))
    return 'settings.fail_on is not a list of FAILED, EXPIRED, CANCELLED'
  const gate = str(settings.max_failed_requests, 20)
  const maxCost = amountText(settings.max_cost)
  const discount = amountText(settings.batch_discount)
  let policy: Policy
  try {
    if (gate === undefined || maxCost === undefined || discount === undefined) throw new Error('not text or numbers')
    policy = parsePolicy({ failOn: failOn.join(','), maxFailedRequests: gate, maxCost, batchDiscount: discount })
  } catch (error) {
    return `settings do not parse: ${oneLine(errorMessage(error), 200)}`
  }
  const context = str(settings.commit_status, 200)
  if (context === undefined || /[\p{Cc}]/u.test(context)) return 'settings.commit_status is not a context name'
  const comment = settings.pr_comment ?? false
  if (typeof comment !== 'boolean') return 'settings.pr_comment is not true or false'
  return { policy, commitStatus: context, prComment: comment }
}

/** The entry in `text`, read from the file of `batchId`; a string says what is wrong with it. */
export function parseEntry(batchId: string, text: string): LedgerEntry | string {
  if (text.length > MAX_ENTRY_BYTES) return 'the file is too large'
  const raw = parseJson(text)
  if (raw === undefined) return 'the file is not JSON'
  if (!isRecord(raw)) return 'the file is not a JSON object'
  if (raw.version !== 1) return 'unknown version'
  if (raw.batch_id !== batchId) return 'batch_id does not match the file name'
  const sha = raw.sha
  if (!isSha(sha)) return 'sha is not a commit SHA'
  const trackedAt = Date.parse(str(raw.tracked_at, 40) ?? '')
  if (!Number.isFinite(trackedAt)) return 'tracked_at is not a time'
  const pr = raw.pull_request
  if (pr !== null && !isPullRequest(pr)) return 'pull_request is not a number'
  // Entries written before pull_requests was recorded name one pull request at most.
  const prs = raw.pull_requests ?? (pr === null ? [] : [pr])
  if (!Array.isArray(prs) || prs.length > MAX_PULLS || !prs.every(isPullRequest))
    return 'pull_requests is not a list of numbers'
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
    pullRequests: prs,
    runUrl: /^https?:\/\/[^\s"'<>()[\]]+$/.test(str(raw.run_url, 500) ?? '') ? (raw.run_url as string) : '',
    trackedAt,
    group: group as string[],
    ...settings
  }
}
