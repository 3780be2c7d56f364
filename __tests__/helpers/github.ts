import type { LedgerEntry } from '../../src/github/ledger-entry.js'
import type { GitHub } from '../../src/github/service.js'

/**
 * A GitHub service that records in `events` what a mode does through it (`status <state>: <text>`
 * for the step's own status, `status <context> <state>: <text>` on any commit, `put`/`remove <id>`
 * on the ledger); `patch` replaces any part.
 */
export function fakeGitHub(events: string[], patch: Partial<GitHub> = {}): GitHub {
  return {
    status: async (state, description) => void events.push(`status ${state}: ${description}`),
    comment: async () => undefined,
    statuses: {
      set: async (_sha, context, state, description) => void events.push(`status ${context} ${state}: ${description}`),
      latest: async () => undefined
    },
    comments: async () => undefined,
    ledger: {
      list: async () => ({ entries: [], invalid: [] }),
      put: async id => void events.push(`put ${id}`),
      remove: async id => {
        events.push(`remove ${id}`)
        return 'removed'
      }
    },
    headCommit: async () => ({ sha: 'a'.repeat(40) }),
    pullRequests: async () => [],
    pullRequestsOf: async () => [],
    runUrl: 'https://github.example/o/r/actions/runs/1',
    ...patch
  }
}

/** A commit SHA, and a ledger entry tracked on it with every field set. */
export const SHA = 'a'.repeat(40)
export const ENTRY: LedgerEntry = {
  batchId: 'b-1',
  repository: 'octo/repo',
  sha: SHA,
  ref: 'refs/heads/main',
  pullRequests: [3],
  runUrl: 'https://github.example/octo/repo/actions/runs/1',
  trackedAt: Date.parse('2026-01-02T03:04:05Z'),
  group: ['b-1', 'b-2'],
  policy: { failOn: new Set(['FAILED']), requestGate: { percent: 2 } },
  commitStatus: 'together/evals',
  prComment: true
}
