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
