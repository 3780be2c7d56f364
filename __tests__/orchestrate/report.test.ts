import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { runReport } from '../../src/orchestrate/report.js'
import { TogetherError } from '../../src/together/errors.js'
import { ledgerHarness, ledgerSettings, storedEntry } from '../helpers/ledger-run.js'

const DAY = 86_400_000

const notFound = new TogetherError('HTTP 404', { kind: 'http', status: 404 })
const refused = new TogetherError('HTTP 401', { kind: 'http', status: 401 })

describe('runReport', () => {
  it('passes quietly on an empty ledger', async () => {
    const h = ledgerHarness({}, [])
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
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
    const h = ledgerHarness({ x: noRoute }, [storedEntry('x')])
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
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
      storedEntry('done', { group: ['done', 'running'] }),
      storedEntry('cancelled', { sha: 'b'.repeat(40) }),
      storedEntry('gone', { commitStatus: '' }),
      storedEntry('stuck', { trackedAt: -8 * DAY, commitStatus: '' }),
      storedEntry('running', { group: ['done', 'running'] }),
      storedEntry('locked', { commitStatus: '' })
    ]
    const h = ledgerHarness(jobs, stored, { cancelled: 'changed' })
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
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
    const stored = [storedEntry('a', { group: ['a', 'b', 'c'] }), storedEntry('b', { group: ['a', 'b', 'c'] })]
    const h = ledgerHarness(
      { a: { id: 'a', status: 'COMPLETED', output_file_id: 'f' }, b: { id: 'b', status: 'IN_PROGRESS' } },
      stored
    )
    h.setLatest('failure')
    await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
    expect(h.events).toEqual(['remove a'])
  })

  it('leaves a status an earlier batch of its step failed, and turns it green only when none did', async () => {
    const stored = [storedEntry('last', { group: ['first', 'last'] })]
    const h = ledgerHarness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    h.setLatest('failure')
    expect((await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)).verdict).toEqual({
      ok: true,
      message: 'Reported 1 tracked batch, all passed; 0 still running.'
    })
    expect(h.outputs.passed).toBe('true')
    expect(h.events).toEqual(['remove last'])
    const again = ledgerHarness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    again.setLatest('pending')
    await runReport(ledgerSettings({ mode: 'report' }), again.deps, again.github)
    expect(again.events).toEqual(['status ctx success: 2 Together batches reported, all passed', 'remove last'])
  })

  it('sets error, not success, when the earlier statuses of the commit cannot be read', async () => {
    const stored = [storedEntry('last', { group: ['first', 'last'] })]
    const h = ledgerHarness({ last: { id: 'last', status: 'COMPLETED', output_file_id: 'f' } }, stored)
    h.github.statuses = { ...h.github.statuses, latest: () => Promise.reject(new Error('the list is not a list')) }
    await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
    expect(h.events).toEqual([
      'status ctx error: Could not read the earlier statuses of this commit: the list is not a list',
      'remove last'
    ])
  })

  it('judges by the gate recorded with the batch, fails when a removal fails, and warns on a status that fails', async () => {
    const stored = [storedEntry('b1', { policy: { failOn: new Set(['FAILED']), requestGate: { count: 0 } } })]
    const h = ledgerHarness({ b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } }, stored, {
      b1: new Error('Could not write the ledger')
    })
    h.github.statuses = { ...h.github.statuses, set: () => Promise.reject(new Error('HTTP 403')) }
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
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
      storedEntry('b1', { prComment: true, pullRequests: [4] }),
      storedEntry('b2', { prComment: true, pullRequests: [4], commitStatus: '' }),
      storedEntry('b3', { prComment: true })
    ]
    const jobs = {
      b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' },
      b2: { id: 'b2', status: 'FAILED' },
      b3: { id: 'b3', status: 'COMPLETED', output_file_id: 'f' }
    }
    const h = ledgerHarness(jobs, stored)
    h.github.comments = async (pr, context, rows) =>
      void h.events.push(`comment #${pr} ${context}: ${rows.map(r => `${r.icon} ${r.batchId}`).join(', ')}`)
    await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
    expect(h.events.filter(e => !e.startsWith('status'))).toEqual([
      'comment #4 ctx: ✅ b1',
      'comment #4 batches: ❌ b2',
      'remove b1',
      'remove b2',
      'remove b3'
    ])
    const failing = ledgerHarness(jobs, stored.slice(0, 1))
    failing.github.comments = () => Promise.reject(new Error('HTTP 403'))
    await runReport(ledgerSettings({ mode: 'report' }), failing.deps, failing.github)
    expect(failing.log.lines).toContainEqual(
      expect.objectContaining({ message: 'Could not comment on pull request #4: HTTP 403' })
    )
    expect(failing.events).toContain('remove b1')
  })

  it('sets no status and removes nothing once aborted', async () => {
    const h = ledgerHarness({ b1: { id: 'b1', status: 'COMPLETED', output_file_id: 'f' } }, [storedEntry('b1')])
    const abort = new AbortController()
    abort.abort()
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), { ...h.deps, signal: abort.signal }, h.github)
    expect(h.events).toEqual([])
    expect(outcome.verdict.ok).toBe(false)
  })

  it('gates each batch by its own recorded max-cost, with one GET /v1/models per recorded discount', async () => {
    const policy = (maxCost?: number) => ({
      failOn: new Set(['FAILED' as const]),
      ...(maxCost === undefined ? {} : { maxCost })
    })
    const stored = [
      storedEntry('cheap', { policy: policy(1) }),
      storedEntry('dear', { policy: policy(1), commitStatus: 'other' }),
      storedEntry('free', { policy: policy() })
    ]
    const done = (id: string) => ({ id, status: 'COMPLETED', output_file_id: `out-${id}` })
    const h = ledgerHarness({ cheap: done('cheap'), dear: done('dear'), free: done('free') }, stored)
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
    const outcome = await runReport(ledgerSettings({ mode: 'report' }), h.deps, h.github)
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
