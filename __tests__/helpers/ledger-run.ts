import type { StatusClient } from '../../src/github/commit-status.js'
import type { Ledger, Removal, StoredEntry } from '../../src/github/ledger.js'
import type { LedgerEntry } from '../../src/github/ledger-entry.js'
import type { SubmitRunContext } from '../../src/orchestrate/run-context.js'
import { parseSettings } from '../../src/settings.js'
import type { BatchJob } from '../../src/together/types.js'
import { fakeGitHub } from './github.js'
import { actionInputs } from './inputs.js'
import { recordingLogger, virtualClock } from './virtual-time.js'

/** The commit the runs are on. */
export const HEAD = 'a'.repeat(40)

/** Settings of a run on commit `HEAD` of o/r, with an API key and a GitHub token. */
export const ledgerSettings = (inputs: Record<string, string>) =>
  parseSettings(name => actionInputs({ 'api-key': 'tk', 'github-token': 'ghs', ...inputs })[name] ?? '', {
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '9',
    GITHUB_SHA: HEAD
  })

/** A ledger entry as stored, tracked on `HEAD` with commit status `ctx`; `patch` changes any part. */
export function storedEntry(batchId: string, patch: Partial<LedgerEntry> = {}): StoredEntry {
  return {
    blobSha: batchId.padEnd(40, '0').replace(/[^0-9a-f]/g, 'f'),
    entry: {
      batchId,
      repository: 'o/r',
      sha: HEAD,
      ref: '',
      runUrl: '',
      trackedAt: 0,
      group: [batchId],
      policy: { failOn: new Set(['FAILED']) },
      commitStatus: 'ctx',
      prComment: false,
      pullRequests: [],
      ...patch
    }
  }
}

/**
 * A run of mode track or report over a ledger of `stored` entries: Together answers `jobs` by batch ID,
 * removals answer `removals`; `events` records statuses and ledger writes, `outputs` the outputs set.
 */
export function ledgerHarness(
  jobs: Record<string, BatchJob | Error>,
  stored: StoredEntry[],
  removals: Record<string, Removal | Error> = {}
) {
  const clock = virtualClock()
  // trackedAt counts from the clock's start: 0 is now, -8 * DAY a week and a day ago.
  for (const s of stored) s.entry.trackedAt += clock.now()
  const events: string[] = []
  const outputs: Record<string, string> = {}
  const ledger: Ledger = {
    list: async () => ({ entries: stored, invalid: [{ name: 'x.json', reason: 'bad' }] }),
    put: async id => void events.push(`put ${id}`),
    remove: async id => {
      events.push(`remove ${id}`)
      const removal = removals[id] ?? 'removed'
      if (removal instanceof Error) throw removal
      return removal
    }
  }
  let latest: string | undefined
  const statuses: StatusClient = {
    set: async (_sha, context, state, description) => void events.push(`status ${context} ${state}: ${description}`),
    latest: async () => latest as never
  }
  const log = recordingLogger()
  const deps: SubmitRunContext = {
    api: {
      getBatch: async id => {
        const job = jobs[id]!
        if (job instanceof Error) throw job
        return job
      },
      cancelBatch: async () => ({ id: 'x', status: 'CANCELING' }),
      getFile: async () => ({ id: 'f' }),
      downloadFile: async () => {
        throw new Error('disk on fire')
      },
      listModels: async () => [],
      // The batches are given: nothing is submitted.
      listFiles: () => Promise.reject(new Error('no file list expected')),
      uploadFile: () => Promise.reject(new Error('no upload expected')),
      listBatches: () => Promise.reject(new Error('no batch list expected')),
      createBatch: () => Promise.reject(new Error('no create expected'))
    },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log,
    signal: new AbortController().signal,
    setOutputs: o => Object.assign(outputs, o),
    timeoutSignal: () => new AbortController().signal,
    redact: (text: string) => text
  }
  const github = fakeGitHub(events, { ledger, statuses })
  return { deps, github, events, outputs, log, setLatest: (s: string) => (latest = s), clock }
}
