import { isPlainId } from '../together/ids.js'
import { errorMessage, oneLine } from '../util/text.js'
import { entryPath, parseEntry, type LedgerEntry } from './ledger-entry.js'
import { httpStatus, isSha, type GitHubClient } from './octokit.js'

/** A ledger entry as read back, with the blob SHA its removal must name. */
export interface StoredEntry {
  entry: LedgerEntry
  /** The ledger file's blob SHA (what a removal must match), not a commit: that is `entry.sha`. */
  blobSha: string
}

/** What the ledger holds: the valid entries, and the files that are not (left alone, named in a warning). */
interface LedgerContents {
  entries: StoredEntry[]
  invalid: { name: string; reason: string }[]
}

/** How a removal ended: `changed` means the entry was tracked again since it was read, so it stays. */
export type Removal = 'removed' | 'gone' | 'changed'

export interface Ledger {
  list(): Promise<LedgerContents>
  /** Records (or replaces) the entry of `batchId`. */
  put(batchId: string, content: string): Promise<void>
  remove(batchId: string, sha: string): Promise<Removal>
}

/** A write that lost a race is retried on the new state this many times in all. */
const ATTEMPTS = 4
const FOLDER = 'batches'

/** One request for the whole folder, contents included: a report costs one read however many batches. */
const LIST_QUERY = `query($owner: String!, $repo: String!, $expression: String!) {
  repository(owner: $owner, name: $repo) {
    object(expression: $expression) {
      ... on Tree { entries { name type oid object { ... on Blob { text isTruncated } } } }
    }
  }
}`

interface TreeEntry {
  name?: unknown
  type?: unknown
  oid?: unknown
  object?: { text?: unknown; isTruncated?: unknown } | null
}

function readEntries(data: unknown): LedgerContents {
  const repository = (data as { repository?: { object?: { entries?: unknown } | null } | null } | null)?.repository
  if (!repository) throw new Error('the repository is not visible to the token')
  const entries = repository.object?.entries
  const contents: LedgerContents = { entries: [], invalid: [] }
  if (entries === undefined) return contents
  if (!Array.isArray(entries)) throw new Error('GitHub answered a folder that is not a list')
  for (const raw of entries as TreeEntry[]) {
    const name = typeof raw.name === 'string' ? raw.name : ''
    const batchId = name.endsWith('.json') ? name.slice(0, -5) : ''
    const text = raw.object?.text
    let problem: string | undefined
    if (raw.type !== 'blob' || !isPlainId(batchId)) problem = 'not a <batch-id>.json file'
    else if (!isSha(raw.oid)) problem = 'GitHub gave no blob SHA'
    else if (typeof text !== 'string' || raw.object?.isTruncated === true) problem = 'not a small text file'
    const entry = problem ? problem : parseEntry(batchId, text as string)
    if (typeof entry === 'string') contents.invalid.push({ name: oneLine(name, 120), reason: entry })
    else contents.entries.push({ entry, blobSha: raw.oid as string })
  }
  // Reported in a stable order, whatever order the server lists them in.
  contents.entries.sort((a, b) => (a.entry.batchId < b.entry.batchId ? -1 : 1))
  return contents
}

/** A new branch with nothing of the repository's code: one README commit, no parent. */
async function createBranch(github: GitHubClient, branch: string): Promise<void> {
  const readme =
    '# Together batches\n\nBatches tracked by wait-for-together-batch (mode: track), one file per batch in batches/.\nMode: report removes them once reported. Do not edit by hand.\n'
  const tree = (await github.request('POST /repos/{owner}/{repo}/git/trees', {
    tree: [{ path: 'README.md', mode: '100644', type: 'blob', content: readme }]
  })) as { sha?: unknown }
  const commit = (await github.request('POST /repos/{owner}/{repo}/git/commits', {
    message: 'Start the ledger of tracked Together batches',
    tree: tree.sha,
    parents: []
  })) as { sha?: unknown }
  try {
    await github.request('POST /repos/{owner}/{repo}/git/refs', { ref: `refs/heads/${branch}`, sha: commit.sha })
  } catch (error) {
    // Another run created it first: that branch serves as well.
    if (httpStatus(error) !== 422) throw error
  }
}

/** The blob SHA of the entry on the branch now; undefined when there is none. */
async function currentSha(github: GitHubClient, branch: string, batchId: string): Promise<string | undefined> {
  try {
    const data = (await github.request(`GET /repos/{owner}/{repo}/contents/${entryPath(batchId)}`, {
      ref: branch
    })) as { sha?: unknown }
    return isSha(data.sha) ? data.sha : undefined
  } catch (error) {
    if (httpStatus(error) === 404) return undefined
    throw error
  }
}

/**
 * What `call` returns; any failure of it retold in the one line the step fails with, naming the branch
 * (and the permission).
 */
async function ledgerCall<T>(what: 'read' | 'write', branch: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const status = httpStatus(error)
    const hint = status === 403 || status === 404 ? ' Give the job contents: write (and check github-token).' : ''
    const why = oneLine(errorMessage(error), 300)
    throw new Error(`Could not ${what} the ledger on branch ${branch}: ${why}.${hint}`, { cause: error })
  }
}

/**
 * Writes one entry with the file's SHA, so a write that lost a race is retried on the new state, and
 * creates the branch when the first write finds none.
 */
async function putEntry(github: GitHubClient, branch: string, batchId: string, content: string): Promise<void> {
  const path = entryPath(batchId)
  let sha: string | undefined
  let branchMade = false
  for (let attempt = 1; ; attempt++) {
    try {
      const body = {
        message: `Track Together batch ${batchId}`,
        content: Buffer.from(content).toString('base64'),
        branch,
        sha
      }
      await github.request(`PUT /repos/{owner}/{repo}/contents/${path}`, body)
      return
    } catch (error) {
      const status = httpStatus(error)
      if (status === 404 && !branchMade) {
        branchMade = true
        await createBranch(github, branch)
      } else if ((status === 409 || status === 422) && attempt < ATTEMPTS) {
        sha = await currentSha(github, branch, batchId)
      } else throw error
    }
  }
}

/**
 * The ledger of tracked batches: one JSON file per batch in `batches/` on `branch`, written through
 * the contents API with the file's SHA, so that two runs writing at once never silently overwrite
 * each other (a lost race is retried on the new state).
 */
export function createLedger(github: GitHubClient, branch: string): Ledger {
  return {
    list: () =>
      ledgerCall('read', branch, async () =>
        readEntries(
          await github.graphql(LIST_QUERY, {
            owner: github.owner,
            repo: github.repo,
            expression: `${branch}:${FOLDER}`
          })
        )
      ),
    put: (batchId, content) => ledgerCall('write', branch, () => putEntry(github, branch, batchId, content)),
    remove: (batchId, sha) =>
      ledgerCall('write', branch, async () => {
        try {
          await github.request(`DELETE /repos/{owner}/{repo}/contents/${entryPath(batchId)}`, {
            message: `Reported Together batch ${batchId}`,
            sha,
            branch
          })
          return 'removed'
        } catch (error) {
          const status = httpStatus(error)
          if (status === 404) return 'gone'
          if (status !== 409 && status !== 422) throw error
          // Removed by an overlapping report, or tracked again since: only the first may be forgotten.
          return (await currentSha(github, branch, batchId)) === undefined ? 'gone' : 'changed'
        }
      })
  }
}
