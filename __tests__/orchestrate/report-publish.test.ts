import { describe, expect, it } from '@jest/globals'
import type { StatusState } from '../../src/github/commit-status.js'
import type { LedgerEntry } from '../../src/github/ledger-entry.js'
import {
  isReported,
  publishReport,
  type LedgerFate,
  type Reported,
  type Tracked
} from '../../src/orchestrate/report-publish.js'
import { result } from '../helpers/batch-result.js'
import { HEAD, ledgerHarness, storedEntry } from '../helpers/ledger-run.js'

const OTHER = 'b'.repeat(40)

/** A batch judged in this run that passed; `patch` changes its ledger entry. */
function passed(batchId: string, patch: Partial<LedgerEntry> = {}, fate: LedgerFate = 'final'): Reported {
  const verdict = { ok: true, message: `Batch ${batchId} passed.` }
  return {
    stored: storedEntry(batchId, patch),
    result: result({ batchId }),
    fate,
    verdict: { batchId, ...verdict, running: false, reason: '', wait: verdict },
    row: { batchId, icon: '✅', status: 'COMPLETED', reason: '' }
  }
}

/** A batch judged in this run that failed on fail-on (it ended FAILED). */
function failed(batchId: string, patch: Partial<LedgerEntry> = {}): Reported {
  const verdict = { ok: false, message: `Batch ${batchId} ended FAILED.` }
  return {
    stored: storedEntry(batchId, patch),
    result: result({ batchId, outcome: 'ended-not-completed', status: 'FAILED', finalStatus: 'FAILED' }),
    fate: 'final',
    verdict: { batchId, ...verdict, running: false, failedOn: 'fail-on', reason: 'ended FAILED', wait: verdict },
    row: { batchId, icon: '❌', status: 'FAILED', failedOn: 'fail-on', reason: 'ended FAILED' }
  }
}

/** A batch that stays in the ledger: still running, or not checked. */
function staying(batchId: string, fate: 'pending' | 'unchecked', patch: Partial<LedgerEntry> = {}): Tracked {
  return {
    stored: storedEntry(batchId, patch),
    result: result({ batchId, outcome: 'pending', status: 'IN_PROGRESS', finalStatus: undefined }),
    fate
  }
}

/** A report run whose ledger removals answer `removals`; `latest` is the current state of every status. */
function harness(latest?: StatusState | Error, removals: Parameters<typeof ledgerHarness>[2] = {}) {
  const h = ledgerHarness({}, [], removals)
  const reads: string[] = []
  h.github.statuses.latest = async (sha, context) => {
    reads.push(`${sha.slice(0, 4)} ${context}`)
    if (latest instanceof Error) throw latest
    return latest
  }
  return { ...h, reads, publish: (tracked: Tracked[]) => publishReport(h.deps, h.github, tracked) }
}

describe('publishReport: commit statuses', () => {
  it('sets success with the headline of the one batch a step tracked, on its commit, linked to this run', async () => {
    const h = harness()
    const calls: unknown[][] = []
    h.github.statuses.set = async (...args) => void calls.push(args)
    expect(await h.publish([passed('a')])).toEqual([])
    expect(calls).toEqual([[HEAD, 'ctx', 'success', 'Passed · COMPLETED', h.github.runUrl]])
    expect(h.reads).toEqual([])
  })

  it('sets failure with the failing batch’s headline as soon as one batch of the step fails, while others still run', async () => {
    const group = ['a', 'b', 'c', 'd']
    const h = harness('success')
    await h.publish([passed('a', { group }), failed('b', { group }), staying('c', 'pending', { group })])
    expect(h.events).toEqual(['status ctx failure: Failed on fail-on status: ended FAILED', 'remove a', 'remove b'])
    // A failure of its own needs no look at what the earlier batches set.
    expect(h.reads).toEqual([])
  })

  it('turns the status green when every batch of the step is reported in this run, without reading it', async () => {
    const group = ['a', 'b']
    const h = harness('failure')
    await h.publish([passed('a', { group }), passed('b', { group })])
    expect(h.events).toEqual(['status ctx success: 2 Together batches reported, all passed', 'remove a', 'remove b'])
    expect(h.reads).toEqual([])
  })

  it.each(['failure', 'error'] as const)(
    'leaves the status alone when an earlier batch of the step set %s, and still removes the batch',
    async state => {
      const group = ['first', 'last', 'running']
      const h = harness(state)
      await h.publish([passed('last', { group }), staying('running', 'pending', { group })])
      expect(h.events).toEqual(['remove last'])
      expect(h.reads).toEqual(['aaaa ctx'])
    }
  )

  it.each([
    ['pending', 'pending'],
    ['success', 'success'],
    ['unset', undefined]
  ] as const)('turns the status green when the earlier batches of the step left it %s', async (_name, state) => {
    const h = harness(state)
    await h.publish([passed('last', { group: ['first', 'last'] })])
    expect(h.events).toEqual(['status ctx success: 2 Together batches reported, all passed', 'remove last'])
    expect(h.reads).toEqual(['aaaa ctx'])
  })

  it('sets error, not success or pending, when the earlier statuses of the commit cannot be read', async () => {
    const group = ['first', 'last', 'running']
    const h = harness(new Error('the list is not a list'))
    const errors = await h.publish([passed('last', { group }), staying('running', 'pending', { group })])
    expect(h.events).toEqual([
      'status ctx error: Could not read the earlier statuses of this commit: the list is not a list',
      'remove last'
    ])
    expect(errors).toEqual([])
  })

  it('keeps the status pending while batches of the step stay, counting earlier batches as reported', async () => {
    const group = ['earlier', 'now', 'running', 'unread']
    const h = harness('pending')
    await h.publish([
      passed('now', { group }),
      staying('running', 'pending', { group }),
      staying('unread', 'unchecked', { group })
    ])
    expect(h.events).toEqual(['status ctx pending: 2 of 4 Together batches reported; 2 still running', 'remove now'])
  })

  it('counts the batches of every step that tracked on the same commit and context, as a re-run does', async () => {
    const h = harness('pending')
    await h.publish([passed('old', { group: ['old'] }), staying('rerun', 'pending', { group: ['rerun'] })])
    expect(h.events).toEqual(['status ctx pending: 1 of 2 Together batches reported; 1 still running', 'remove old'])
    const both = harness('pending')
    await both.publish([passed('old', { group: ['old'] }), passed('rerun', { group: ['rerun'] })])
    expect(both.events[0]).toBe('status ctx success: 2 Together batches reported, all passed')
  })

  it('counts a batch whose entry lists no step batches as one of its own step', async () => {
    const h = harness('pending')
    await h.publish([passed('a', { group: [] }), staying('b', 'pending', { group: [] })])
    expect(h.events).toEqual(['status ctx pending: 1 of 2 Together batches reported; 1 still running', 'remove a'])
  })

  it('sets one status per commit and context, each from its own batches only', async () => {
    const h = harness()
    const calls: string[] = []
    h.github.statuses.set = async (sha, context, state, description) =>
      void calls.push(`${sha.slice(0, 4)} ${context} ${state}: ${description}`)
    await h.publish([
      passed('a', { group: ['a', 'd'] }),
      passed('b', { commitStatus: 'other' }),
      failed('c', { sha: OTHER }),
      passed('d', { group: ['a', 'd'] }),
      // Still running, but on another commit and under another context: neither status waits for them.
      staying('e', 'pending', { sha: OTHER, commitStatus: 'other', group: ['b', 'e'] }),
      staying('f', 'pending', { commitStatus: 'third', group: ['a', 'f'] })
    ])
    expect(calls).toEqual([
      'aaaa ctx success: 2 Together batches reported, all passed',
      'aaaa other success: Passed · COMPLETED',
      'bbbb ctx failure: Failed on fail-on status: ended FAILED'
    ])
  })

  it('sets no status for batches tracked without commit-status, and still removes them', async () => {
    const h = harness()
    await h.publish([passed('a', { commitStatus: '' }), failed('b', { commitStatus: '' })])
    expect(h.events).toEqual(['remove a', 'remove b'])
  })

  it('warns when a status cannot be set, naming its context on one line and the commit, and goes on', async () => {
    const h = harness()
    h.github.statuses.set = async (_sha, context, state) => {
      if (context !== 'ok') throw new Error('HTTP 403')
      h.events.push(`status ${context} ${state}`)
    }
    const errors = await h.publish([passed('a', { commitStatus: 'bad\ncontext' }), passed('b', { commitStatus: 'ok' })])
    expect(h.log.lines).toEqual([
      { level: 'warning', message: 'Could not set the commit status bad context on aaaaaaaaaaaa: HTTP 403' }
    ])
    expect(h.events).toEqual(['status ok success', 'remove a', 'remove b'])
    expect(errors).toEqual([])
  })
})

describe('publishReport: pull request comments', () => {
  /** The comments updated, as `#<pr> <context>: <icon> <batch>, …`. */
  function recordComments(h: ReturnType<typeof harness>, fail?: number) {
    h.github.comments = async (pr, context, rows) => {
      if (pr === fail) throw new Error('HTTP 403')
      h.events.push(`comment #${pr} ${context}: ${rows.map(r => `${r.icon} ${r.batchId}`).join(', ')}`)
    }
  }

  it('updates one comment per pull request and context, with the rows of its reported batches', async () => {
    const h = harness()
    recordComments(h)
    await h.publish([
      passed('a', { prComment: true, pullRequests: [4] }),
      failed('b', { prComment: true, pullRequests: [4] }),
      passed('c', { prComment: true, pullRequests: [4, 5], commitStatus: 'other' }),
      passed('d', { prComment: true, pullRequests: [4], commitStatus: '' }),
      passed('e', { prComment: false, pullRequests: [4] }),
      staying('f', 'pending', { prComment: true, pullRequests: [4] })
    ])
    expect(h.events.filter(e => e.startsWith('comment'))).toEqual([
      'comment #4 ctx: ✅ a, ❌ b',
      'comment #4 other: ✅ c',
      'comment #5 other: ✅ c',
      'comment #4 batches: ✅ d'
    ])
  })

  it('finds the pull requests of a batch tracked before its pull request was opened, once per commit', async () => {
    const h = harness()
    recordComments(h)
    const lookups: string[] = []
    h.github.pullRequestsOf = async sha => {
      lookups.push(sha)
      return sha === HEAD ? [7] : []
    }
    await h.publish([
      passed('a', { prComment: true }),
      passed('b', { prComment: true }),
      passed('c', { prComment: true, sha: OTHER }),
      passed('d', { prComment: true, sha: OTHER, pullRequests: [8] })
    ])
    expect(lookups).toEqual([HEAD, OTHER])
    expect(h.events.filter(e => e.startsWith('comment'))).toEqual([
      'comment #7 ctx: ✅ a, ✅ b',
      'comment #8 ctx: ✅ d'
    ])
  })

  it('warns once when the pull requests of a commit cannot be found, comments on none, and removes the batches', async () => {
    const h = harness()
    recordComments(h)
    h.github.pullRequestsOf = () => Promise.reject(new Error('HTTP 502'))
    const group = ['a', 'b']
    const errors = await h.publish([passed('a', { group, prComment: true }), passed('b', { group, prComment: true })])
    expect(h.log.lines).toEqual([
      { level: 'warning', message: 'Could not find the pull requests of commit aaaaaaaaaaaa: HTTP 502' }
    ])
    expect(h.events).toEqual(['status ctx success: 2 Together batches reported, all passed', 'remove a', 'remove b'])
    expect(errors).toEqual([])
  })

  it('warns when a comment cannot be updated, and updates the others', async () => {
    const h = harness()
    recordComments(h, 4)
    const errors = await h.publish([passed('a', { prComment: true, pullRequests: [4, 5] })])
    expect(h.log.lines).toEqual([{ level: 'warning', message: 'Could not comment on pull request #4: HTTP 403' }])
    expect(h.events).toEqual(['status ctx success: Passed · COMPLETED', 'comment #5 ctx: ✅ a', 'remove a'])
    expect(errors).toEqual([])
  })
})

describe('publishReport: the ledger', () => {
  it('publishes the statuses, then the comments, and only then removes the batches', async () => {
    const h = harness()
    h.github.comments = async pr => void h.events.push(`comment #${pr}`)
    await h.publish([
      passed('a', { prComment: true, pullRequests: [4] }),
      passed('b', { prComment: true, pullRequests: [5], commitStatus: 'other' })
    ])
    expect(h.events).toEqual([
      'status ctx success: Passed · COMPLETED',
      'status other success: Passed · COMPLETED',
      'comment #4',
      'comment #5',
      'remove a',
      'remove b'
    ])
  })

  it('removes the final, unknown and forgotten batches by their stored version, and keeps the pending and unchecked', async () => {
    const h = harness()
    const removed: string[] = []
    h.github.ledger.remove = async (id, blobSha) => {
      removed.push(`${id} ${blobSha}`)
      return 'removed'
    }
    const tracked = [
      passed('final'),
      staying('pending', 'pending'),
      passed('unknown', {}, 'unknown'),
      staying('unchecked', 'unchecked'),
      passed('forgotten', {}, 'forgotten')
    ]
    expect(tracked.map(isReported)).toEqual([true, false, true, false, true])
    expect(await h.publish(tracked)).toEqual([])
    expect(removed).toEqual(
      ['final', 'unknown', 'forgotten'].map(id => `${id} ${tracked.find(t => t.result.batchId === id)!.stored.blobSha}`)
    )
  })

  it('publishes nothing and removes nothing when no batch is reported', async () => {
    const h = harness()
    h.github.comments = async pr => void h.events.push(`comment #${pr}`)
    const group = ['a', 'b']
    const errors = await h.publish([
      staying('a', 'pending', { group, prComment: true, pullRequests: [4] }),
      staying('b', 'unchecked', { group, prComment: true, pullRequests: [4] })
    ])
    expect(errors).toEqual([])
    expect(h.events).toEqual([])
    expect(h.reads).toEqual([])
  })

  it('leaves a batch tracked again meanwhile in the ledger, with an info line and no failure', async () => {
    const h = harness(undefined, { a: 'changed', b: 'gone' })
    expect(await h.publish([passed('a'), passed('b', { commitStatus: '' })])).toEqual([])
    expect(h.log.lines).toEqual([
      { level: 'info', message: 'Batch a was tracked again meanwhile: it stays in the ledger.' }
    ])
  })

  it('returns why removals failed, after trying every one', async () => {
    const h = harness(undefined, { a: new Error('Could not write the ledger'), c: new Error('HTTP 409') })
    const errors = await h.publish([passed('a'), passed('b'), passed('c')])
    expect(errors).toEqual(['Could not write the ledger', 'HTTP 409'])
    expect(h.events.filter(e => e.startsWith('remove'))).toEqual(['remove a', 'remove b', 'remove c'])
  })

  it('once the step is cancelled and GitHub skips every call, warns for each status and comment and returns each removal as failed', async () => {
    // The GitHub client skips every call made after the cancel (see breaker in src/github/octokit.ts).
    const skipped = () => Promise.reject(new Error('skipped, the step was cancelled'))
    const h = harness()
    h.github.statuses = { set: skipped, latest: skipped }
    h.github.comments = skipped
    h.github.pullRequestsOf = skipped
    h.github.ledger.remove = skipped
    const group = ['a', 'b']
    const errors = await h.publish([
      passed('a', { group, prComment: true, pullRequests: [4] }),
      passed('c', { prComment: true, commitStatus: '' })
    ])
    expect(errors).toEqual(['skipped, the step was cancelled', 'skipped, the step was cancelled'])
    expect(h.log.lines).toEqual(
      [
        'Could not set the commit status ctx on aaaaaaaaaaaa: skipped, the step was cancelled',
        'Could not find the pull requests of commit aaaaaaaaaaaa: skipped, the step was cancelled',
        'Could not comment on pull request #4: skipped, the step was cancelled'
      ].map(message => ({ level: 'warning', message }))
    )
  })
})
