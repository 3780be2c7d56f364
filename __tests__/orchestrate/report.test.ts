import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import type { StatusClient } from '../../src/github/commit-status.js'
import type { Ledger, Removal, StoredEntry } from '../../src/github/ledger.js'
import type { LedgerEntry } from '../../src/github/ledger-entry.js'
import { runReport } from '../../src/orchestrate/report.js'
import type { SubmitRunContext } from '../../src/orchestrate/run-context.js'
import { runMode } from '../../src/orchestrate/run-mode.js'
import { runTrack } from '../../src/orchestrate/track.js'
import { parseSettings } from '../../src/settings.js'
import { TogetherError } from '../../src/together/errors.js'
import type { BatchJob } from '../../src/together/types.js'
import { fakeGitHub } from '../helpers/github.js'
import { actionInputs } from '../helpers/inputs.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const HEAD = 'a'.repeat(40)
const DAY = 86_400_000
const settingsFor = (inputs: Record<string, string>) =>
  parseSettings(name => actionInputs({ 'api-key': 'tk', 'github-token': 'ghs', ...inputs })[name] ?? '', {
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '9',
    GITHUB_SHA: HEAD
  })

function entry(batchId: string, patch: Partial<LedgerEntry> = {}): StoredEntry {
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

function harness(
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

const notFound = new TogetherError('HTTP 404', { kind: 'http', status: 404 })
const refused = new TogetherError('HTTP 401', { kind: 'http', status: 401 })

describe('runReport', () => {
  it('passes quietly on an empty ledger', async () => {
    const h = harness({}, [])
    const outcome = await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(outcome.verdict).toEqual({ ok: true, message: 'No tracked batches to report.' })
    expect(h.outputs).toEqual({ reported: '[]', pending: '0', passed: 'true' })
    expect(outcome.summary).toBe(
      '## ✅ Together batches: nothing to report, no batch is tracked on branch together-batches\n'
    )
  })

  it('keeps a batch whose 404 is about the route (a wrong base-url) in the ledger, and fails', async () => {
    const noRoute = new TogetherError('GET /batches/x answered HTTP 404: no route', {
      kind: 'http',
      status: 404,
      routeUnknown: true
    })
    const h = harness({ x: noRoute }, [entry('x')])
    const outcome = await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(outcome.verdict.ok).toBe(false)
    expect(outcome.verdict.message).toContain('Could not check tracked batch x, left in the ledger')
    expect(outcome.verdict.message).toContain('check base-url')
    expect(h.events.filter(e => e.startsWith('remove'))).toEqual([])
    expect(h.outputs).toMatchObject({ reported: '[]', passed: 'false' })
  })

  it('reports every final, unknown and forgotten batch, keeps the rest, and fails for any that failed', async () => {
    const jobs = {
      done: { id: 'done', status: 'COMPLETED', output_file_id: 'f-out' },
      cancelled: { id: 'cancelled', status: 'CANCELLED' },
      gone: notFound,
      stuck: { id: 'stuck', status: 'IN_PROGRESS', progress: 5 },
      running: { id: 'running', status: 'IN_PROGRESS', progress: 50 },
      locked: refused
    }
    const stored = [
      entry('done', { group: ['done', 'running'] }),
      entry('cancelled', { sha: 'b'.repeat(40) }),
      entry('gone', { commitStatus: '' }),
      entry('stuck', { trackedAt: -8 * DAY, commitStatus: '' }),
      entry('running', { group: ['done', 'running'] }),
      entry('locked', { commitStatus: '' })
    ]
    const h = harness(jobs, stored, { cancelled: 'changed' })
    const outcome = await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    const reported = JSON.parse(h.outputs.reported!) as { id: string; passed: boolean }[]
    expect(reported.map(r => [r.id, r.passed])).toEqual([
      ['done', true],
      ['cancelled', true],
      ['gone', false],
      ['stuck', false]
    ])
    expect(h.outputs.pending).toBe('1')
    expect(h.outputs.passed).toBe('false')
    expect(h.events).toEqual([
      'status ctx pending: 1 of 2 Together batches reported; 1 still running',
      'status ctx success: Passed · CANCELLED',
      'remove done',
      'remove cancelled',
      'remove gone',
      'remove stuck'
    ])
    expect(outcome.verdict.ok).toBe(false)
    expect(outcome.verdict.message).toContain('is not known to Together')
    expect(outcome.verdict.message).toContain('Batch stuck')
    expect(outcome.verdict.message).toContain('Could not check tracked batch locked, left in the ledger')
    expect(h.log.lines).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('Ledger file x.json on together-batches is not used: bad.')
      })
    )
    expect(h.log.lines).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('Batch cancelled was tracked again meanwhile') })
    )
    expect(outcome.summary).toContain('4 batches reported, 2 failed, 1 still running')
  })

  it('keeps a failure an earlier batch of the step set, while others still run', async () => {
    const stored = [entry('a', { group: ['a', 'b', 'c'] }), entry('b', { group: ['a', 'b', 'c'] })]
    const h = harness(
      { a: { id: 'a', status: 'COMPLETED', output_file_id: 'f' }, b: { id: 'b', status: 'IN_PROGRESS' } },
      stored
    )
    h.setLatest('failure')
    await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(h.events).toEqual(['remove a'])
  })

  it('leaves a status an earlier batch of its step failed, and turns it green only when none did', async () => {
    const stored = [entry('last', { group: ['first', 'last'] })]
    const h = harness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    h.setLatest('failure')
    expect((await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)).verdict).toEqual({
      ok: true,
      message: 'Reported 1 tracked batch, all passed; 0 still running.'
    })
    expect(h.outputs.passed).toBe('true')
    expect(h.events).toEqual(['remove last'])
    const again = harness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    again.setLatest('pending')
    await runReport(settingsFor({ mode: 'report' }), again.deps, again.github)
    expect(again.events).toEqual(['status ctx success: 2 Together batches reported, all passed', 'remove last'])
  })

  it('sets error, not success, when the earlier statuses of the commit cannot be read', async () => {
    const stored = [entry('last', { group: ['first', 'last'] })]
    const h = harness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    h.github.statuses = { ...h.github.statuses, latest: () => Promise.reject(new Error('the list is not a list')) }
    await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(h.events).toEqual([
      'status ctx error: Could not read the earlier statuses of this commit: the list is not a list',
      'remove last'
    ])
  })

  it('judges by the gate recorded with the batch, fails when a removal fails, and warns on a status that fails', async () => {
    const stored = [entry('b1', { policy: { failOn: new Set(['FAILED']), requestGate: { count: 0 } } })]
    const h = harness({ b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } }, stored, {
      b1: new Error('Could not write the ledger')
    })
    h.github.statuses = { ...h.github.statuses, set: () => Promise.reject(new Error('HTTP 403')) }
    const outcome = await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(outcome.verdict.message).toContain('Could not fetch the results of batch b1: disk on fire')
    expect(outcome.verdict.message).toContain('Could not write the ledger')
    expect(h.log.lines).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('Could not set the commit status ctx on aaaaaaaaaaaa: HTTP 403')
      })
    )
  })

  it('updates the pull request comment of batches tracked with pr-comment, before removing them', async () => {
    const stored = [
      entry('b1', { prComment: true, pullRequests: [4] }),
      entry('b2', { prComment: true, pullRequests: [4], commitStatus: '' }),
      entry('b3', { prComment: true })
    ]
    const jobs = {
      b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' },
      b2: { id: 'b2', status: 'FAILED' },
      b3: { id: 'b3', status: 'COMPLETED', output_file_id: 'f' }
    }
    const h = harness(jobs, stored)
    h.github.comments = async (pr, context, rows) =>
      void h.events.push(`comment #${pr} ${context}: ${rows.map(r => `${r.icon} ${r.batchId}`).join(', ')}`)
    await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    expect(h.events.filter(e => !e.startsWith('status'))).toEqual([
      'comment #4 ctx: ✅ b1',
      'comment #4 batches: ❌ b2',
      'remove b1',
      'remove b2',
      'remove b3'
    ])
    const failing = harness(jobs, stored.slice(0, 1))
    failing.github.comments = () => Promise.reject(new Error('HTTP 403'))
    await runReport(settingsFor({ mode: 'report' }), failing.deps, failing.github)
    expect(failing.log.lines).toContainEqual(
      expect.objectContaining({ message: 'Could not comment on pull request #4: HTTP 403' })
    )
    expect(failing.events).toContain('remove b1')
  })

  it('sets no status and removes nothing once aborted', async () => {
    const h = harness({ b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } }, [entry('b1')])
    const abort = new AbortController()
    abort.abort()
    const outcome = await runReport(settingsFor({ mode: 'report' }), { ...h.deps, signal: abort.signal }, h.github)
    expect(h.events).toEqual([])
    expect(outcome.verdict.ok).toBe(false)
  })
})

describe('runTrack', () => {
  it('records only the batches not final yet, and leaves the commit status pending', async () => {
    const h = harness(
      { run: { id: 'run', status: 'IN_PROGRESS' }, fin: { id: 'fin', status: 'COMPLETED', output_file_id: 'f' } },
      []
    )
    const statuses: string[] = []
    const settings = settingsFor({ mode: 'track', 'batch-id': 'run fin', 'commit-status': 'ctx' })
    const outcome = await runMode(settings, h.deps, {
      ...h.github,
      status: async (s, d) => void statuses.push(`${s}: ${d}`),
      headCommit: async () => ({ sha: HEAD, pullRequests: [4] })
    })
    expect(outcome.verdict.ok).toBe(true)
    expect(h.events).toEqual(['put run'])
    expect(h.outputs.tracked).toBe('["run"]')
    expect(statuses.at(-1)).toBe('pending: 1 Together batch tracked; reported when they finish')
    expect(h.log.text('info')).toContain(
      'Tracked 1 batch in the ledger on branch together-batches; a step with mode: report reports them when they finish.'
    )
  })

  it('never blames a timeout of 0 the user did not set for checking once', async () => {
    const h = harness({ run: { id: 'run', status: 'IN_PROGRESS', progress: 10 } }, [])
    const settings = settingsFor({ mode: 'track', 'batch-id': 'run' })
    const outcome = await runTrack(settings, h.deps, { ...h.github, headCommit: async () => ({ sha: HEAD }) })
    expect(outcome.verdict.message).toBe(
      'Batch run is not finished yet (last status IN_PROGRESS at 10%); checked once, as this step asks (timeout 0 or mode: track).'
    )
    expect(outcome.verdict.message).not.toContain('because timeout is 0')
  })

  it('fails when the ledger cannot be written', async () => {
    const h = harness({ run: { id: 'run', status: 'IN_PROGRESS' } }, [])
    const ledger = { ...h.github.ledger, put: () => Promise.reject(new Error('Could not write the ledger')) }
    const settings = settingsFor({ mode: 'track', 'batch-id': 'run' })
    await expect(runTrack(settings, h.deps, { ...h.github, ledger })).rejects.toThrow('Could not write')
    await expect(runMode(settings, h.deps, undefined)).rejects.toThrow('needs the ledger')
  })

  it('gates each batch by its own recorded max-cost, with one GET /v1/models per recorded discount', async () => {
    const policy = (maxCost?: number) => ({
      failOn: new Set(['FAILED' as const]),
      ...(maxCost === undefined ? {} : { maxCost })
    })
    const stored = [
      entry('cheap', { policy: policy(1) }),
      entry('dear', { policy: policy(1), commitStatus: 'other' }),
      entry('free', { policy: policy() })
    ]
    const done = (id: string) => ({ id, status: 'COMPLETED', output_file_id: `out-${id}` })
    const h = harness({ cheap: done('cheap'), dear: done('dear'), free: done('free') }, stored)
    const tokens: Record<string, number> = { 'out-cheap': 500_000, 'out-dear': 3_000_000, 'out-free': 9_000_000 }
    let modelCalls = 0
    h.deps.api = {
      ...h.deps.api,
      getFile: async () => ({}),
      downloadFile: async (id: string, path: string) => {
        const line = JSON.stringify({
          custom_id: 'r',
          response: {
            status_code: 200,
            body: { model: 'm', usage: { prompt_tokens: tokens[id], completion_tokens: 0 } }
          }
        })
        writeFileSync(path, line)
        return line.length
      },
      listModels: async () => {
        modelCalls++
        return [{ id: 'm', pricing: { input: 1, output: 1 } }]
      }
    }
    const outcome = await runReport(settingsFor({ mode: 'report' }), h.deps, h.github)
    const reported = JSON.parse(h.outputs.reported!) as { id: string; passed: boolean; verdict: string }[]
    expect(reported.map(r => [r.id, r.passed])).toEqual([
      ['cheap', true],
      ['dear', false],
      ['free', true]
    ])
    expect(reported[1]!.verdict).toBe('Estimated cost $3.0000 is more than max-cost $1.00 (list prices).')
    expect(outcome.verdict.ok).toBe(false)
    expect(modelCalls).toBe(1)
    expect(h.events).toContain(
      'status other failure: Failed on max-cost: Estimated cost $3.0000 is more than max-cost $1.00 (list prices).'
    )
  })
})
