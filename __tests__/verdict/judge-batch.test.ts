import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { commentRows, statusHeadline } from '../../src/report/headline.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import { foldCosts, type CostReport } from '../../src/result-files/cost.js'
import { emptyTally, type Tally } from '../../src/result-files/tally.js'
import type { FinalStatus } from '../../src/together/status.js'
import { combine, judgeBatch, judgeStep } from '../../src/verdict/judge-batch.js'
import type { Policy } from '../../src/verdict/policy.js'
import { judgeAll, judgeResults } from '../helpers/verdicts.js'

const completed = (batchId: string): BatchResult => ({
  batchId,
  outcome: 'completed',
  status: 'COMPLETED',
  finalStatus: 'COMPLETED',
  batch: { id: batchId, status: 'COMPLETED', output_file_id: `out-${batchId}` },
  startedAt: 0,
  endedAt: 1000,
  timeoutMs: 60_000,
  timeline: [],
  requests: 1
})
const running = (batchId: string): BatchResult => ({
  ...completed(batchId),
  outcome: 'pending',
  status: 'IN_PROGRESS',
  finalStatus: undefined,
  batch: { id: batchId, status: 'IN_PROGRESS' }
})
const all = (results: BatchResult[]): WaitReport => ({
  results,
  startedAt: 0,
  endedAt: 1000,
  timeoutMs: 60_000,
  done: true
})

const tokens = (n: number) =>
  new Map([['m', { requests: 1, promptTokens: n, completionTokens: 0, totalTokens: n, uncounted: 0 }]])
const files = (n: number): BatchFiles => ({ tally: { ...emptyTally(), succeeded: 1 }, usage: tokens(n) })
const prices = { prices: new Map([['m', { input: 1, output: 1 }]]) }
const costs = (byId: Record<string, number>): CostReport =>
  foldCosts(prices, new Map(Object.entries(byId).map(([id, n]) => [id, { usage: tokens(n) }])))
const policy: Policy = { failOn: new Set(['FAILED']), maxCost: 1 }

describe('one verdict per batch', () => {
  it('fails a COMPLETED batch over max-cost, and every view shows that one verdict', () => {
    const result = completed('b1')
    const cost = costs({ b1: 3_000_000 })
    const verdict = judgeBatch(result, files(3_000_000), cost, policy)
    expect(verdict).toMatchObject({ ok: false, running: false })
    expect(verdict.message).toBe('Estimated cost $3.0000 is more than max-cost $1.00 (list prices).')
    const step = judgeStep(all([result]), [verdict], cost, policy.maxCost)
    expect(step).toEqual({ ok: false, message: verdict.message })
    // The comment row and the commit status text are derived from it, never judged again without cost.
    expect(commentRows([result], [verdict])[0]!.icon).toBe('❌')
    expect(statusHeadline(commentRows([result], [verdict]))).toBe(`Failed on max-cost: ${verdict.message}`)
  })

  it('passes within the limit, and shows a batch not finished yet as running', () => {
    const verdict = judgeBatch(completed('b1'), files(500_000), costs({ b1: 500_000 }), policy)
    expect(verdict).toMatchObject({ ok: true, running: false })
    const pending = judgeBatch(running('b2'), undefined, undefined, policy)
    expect(pending).toMatchObject({ ok: true, running: true })
    expect(commentRows([completed('b1'), running('b2')], [verdict, pending]).map(r => r.icon)).toEqual(['✅', '🔄'])
  })

  it('judges each batch by its own cost, and several together by their total', () => {
    const cost = costs({ a: 600_000, b: 600_000 })
    const results = [completed('a'), completed('b')]
    const verdicts = results.map(r => judgeBatch(r, files(600_000), cost, policy))
    expect(verdicts.map(v => v.ok)).toEqual([true, true])
    expect(judgeStep(all(results), verdicts, cost, policy.maxCost)).toEqual({
      ok: false,
      message: 'Estimated cost of 2 batches $1.2000 is more than max-cost $1.00 (list prices).'
    })
  })

  it('never passes a step with a failing batch, whatever the step-level wording says', () => {
    const results = [completed('a'), completed('b')]
    const verdicts = [
      judgeBatch(results[0]!, files(1), costs({ a: 1 }), policy),
      judgeBatch(results[1]!, { error: 'HTTP 500' }, undefined, policy)
    ]
    const step = judgeStep(all(results), verdicts)
    expect(step.ok).toBe(false)
    expect(step.message).toBe('Could not fetch the results of batch b: HTTP 500.')
  })
})

describe('the step over several batches', () => {
  it('fails with the first failing batch when the step-level checks alone would pass', () => {
    const results = [completed('a'), completed('b')]
    const cheap = judgeBatch(results[0]!, files(1), costs({ a: 1 }), policy)
    const dear = judgeBatch(results[1]!, files(3_000_000), costs({ b: 3_000_000 }), policy)
    // Without the step's own cost report the waits and files pass; the batch over max-cost still fails the step.
    expect(judgeStep(all(results), [cheap, dear])).toEqual({ ok: false, message: dear.message })
    expect(judgeStep(all(results), [cheap, cheap])).toMatchObject({ ok: true })
  })
})

describe('what failed a batch', () => {
  const failOn: Policy = { failOn: new Set(['FAILED', 'CANCELLED']), requestGate: { percent: 10 }, maxCost: 1 }
  const waited = (outcome: BatchResult['outcome'], extra: Partial<BatchResult> = {}): BatchResult => ({
    ...completed('b1'),
    outcome,
    ...extra
  })

  it.each([
    [
      'a status in fail-on, with the server error',
      waited('ended-not-completed', {
        status: 'FAILED',
        finalStatus: 'FAILED',
        batch: { status: 'FAILED', error: 'quota\nexceeded' }
      }),
      'fail-on',
      'quota exceeded'
    ],
    [
      'a status in fail-on, without an error',
      waited('ended-not-completed', { status: 'CANCELLED', finalStatus: 'CANCELLED', batch: { status: 'CANCELLED' } }),
      'fail-on',
      'CANCELLED is in fail-on'
    ],
    [
      'a final batch with no status seen',
      waited('ended-not-completed', { status: '', finalStatus: 'FAILED', batch: { status: '' } }),
      'fail-on',
      'its status is in fail-on'
    ],
    [
      'no output file',
      waited('no-output', { batch: { status: 'COMPLETED' } }),
      'no-output',
      'completed without an output file: every request failed'
    ],
    [
      'no output file, with the server error',
      waited('no-output', { batch: { status: 'COMPLETED', error: 'bad input' } }),
      'no-output',
      'bad input'
    ],
    [
      'a timeout',
      waited('timed-out', {
        status: 'IN_PROGRESS',
        finalStatus: undefined,
        progress: 40,
        batch: { status: 'IN_PROGRESS' }
      }),
      'timeout',
      'not finished when the wait timed out (last status IN_PROGRESS at 40%)'
    ],
    ['an aborted wait', waited('aborted', { finalStatus: undefined }), 'aborted', 'the wait was aborted'],
    [
      'a batch that could not be checked',
      waited('error', { batch: undefined, error: { message: 'HTTP 500 from GET /batches/b1' } }),
      'not-checked',
      'HTTP 500 from GET /batches/b1'
    ]
  ])('names %s', (_what, result, failedOn, reason) => {
    const verdict = judgeBatch(result, undefined, undefined, failOn)
    expect({ ok: verdict.ok, failedOn: verdict.failedOn, reason: verdict.reason }).toEqual({
      ok: false,
      failedOn,
      reason
    })
  })

  it('names result files that could not be read, and a share of failed requests over the gate', () => {
    const unread = judgeBatch(completed('b1'), { error: 'HTTP 500\nbody' }, undefined, failOn)
    expect(unread).toMatchObject({ ok: false, failedOn: 'results', reason: 'HTTP 500 body' })
    const tally = { succeeded: 7, failed: 2, codes: new Map() }
    const over = judgeBatch(completed('b1'), { tally }, undefined, failOn)
    expect(over).toMatchObject({
      ok: false,
      failedOn: 'max-failed-requests',
      reason: '2 of 9 requests failed (22.2%), over 10%'
    })
    expect(
      judgeBatch(completed('b1'), { tally }, undefined, { failOn: new Set(), requestGate: { count: 2 } })
    ).toMatchObject({
      ok: true,
      reason: ''
    })
  })

  it('names max-cost last, and the first failure when there are several', () => {
    const cost = costs({ b1: 3_000_000 })
    const dear = judgeBatch(completed('b1'), files(3_000_000), cost, failOn)
    expect(dear).toMatchObject({ ok: false, failedOn: 'max-cost', reason: dear.message })
    const failed = waited('ended-not-completed', {
      status: 'FAILED',
      finalStatus: 'FAILED',
      batch: { status: 'FAILED' }
    })
    const both = judgeBatch(failed, { error: 'HTTP 500' }, cost, failOn)
    expect(both).toMatchObject({ ok: false, failedOn: 'fail-on' })
    const passed = judgeBatch(completed('b1'), files(1), costs({ b1: 1 }), failOn)
    expect(passed).toMatchObject({ ok: true, reason: '' })
    expect(passed.failedOn).toBeUndefined()
  })
})

describe('the request gate in the step verdict', () => {
  const FAIL_ON = new Set<FinalStatus>(['FAILED'])
  const one = all([completed('b1')])
  const tally = (succeeded: number, failed: number, codes: [string, number, string][] = []): Tally => ({
    succeeded,
    failed,
    codes: new Map(codes.map(([code, count, example]) => [code, { count, example }]))
  })
  const counted = new Map([['b1', { tally: tally(998, 2, [['rate_limit', 2, '<b>slow</b> down']]) }]])

  it('passes under the gate and fails over it, naming counts and codes', () => {
    expect(judgeResults(one, counted, { count: 2 })).toBeUndefined()
    expect(judgeResults(one, counted, undefined)).toBeUndefined()
    const over = judgeResults(one, counted, { percent: 0.1 })!
    expect(over).toEqual({
      ok: false,
      message:
        'Batch b1 completed, but 2 of its 1000 requests failed (0.2%), more than max-failed-requests allows (0.1%); most common: rate_limit ×2.'
    })
    expect(combine(judgeAll(one, FAIL_ON), over)).toBe(over)
  })

  it('says the batch itself ended well and shows the limit, with counts in the singular where one', () => {
    const single = new Map([['b1', { tally: tally(0, 1) }]])
    expect(judgeResults(one, single, { count: 0 })?.message).toBe(
      'Batch b1 completed, but 1 of its 1 request failed (100%), more than max-failed-requests allows (0).'
    )
    const failed = all([
      { ...completed('b1'), outcome: 'ended-not-completed', status: 'FAILED', finalStatus: 'FAILED' }
    ])
    expect(judgeResults(failed, counted, { count: 1 })?.message).toMatch(
      /^Batch b1 ended FAILED, and 2 of its 1000 requests failed \(0\.2%\), more than max-failed-requests allows \(1\);/
    )
  })

  it('lists the most common codes, and calls a status it never saw unknown', () => {
    const mixed = new Map([
      [
        'b1',
        {
          tally: tally(0, 3, [
            ['rate_limit', 2, 'slow'],
            ['server_error', 1, 'oops']
          ])
        }
      ]
    ])
    expect(judgeResults(one, mixed, { count: 0 })?.message).toBe(
      'Batch b1 completed, but 3 of its 3 requests failed (100%), more than max-failed-requests allows (0); most common: rate_limit ×2, server_error ×1.'
    )
    const unseen = all([{ ...completed('b1'), outcome: 'ended-not-completed', status: '', finalStatus: undefined }])
    expect(judgeResults(unseen, mixed, { count: 0 })?.message).toMatch(
      /^Batch b1 ended unknown, and 3 of its 3 requests/
    )
  })

  it('fails a step of several batches when one is over the gate, and lists every such batch', () => {
    const two = all([completed('b1'), completed('b2')])
    const b2over = new Map([
      ['b1', { tally: tally(10, 0) }],
      ['b2', { tally: tally(8, 2, [['x', 2, 'e']]) }]
    ])
    expect(judgeResults(two, b2over, { count: 1 })).toEqual({
      ok: false,
      message:
        'Batch b2 completed, but 2 of its 10 requests failed (20%), more than max-failed-requests allows (1); most common: x ×2.'
    })
    expect(judgeResults(two, b2over, { count: 2 })).toBeUndefined()
    const bothOver = new Map([
      ['b1', { error: 'HTTP 404' }],
      ['b2', { tally: tally(8, 2) }]
    ])
    expect(judgeResults(two, bothOver, { count: 1 })?.message).toBe(
      'Could not fetch the results of batch b1: HTTP 404. Batch b2 completed, but 2 of its 10 requests failed (20%), more than max-failed-requests allows (1).'
    )
  })

  it("keeps the result files' and the cost's own verdicts on the batch verdict", () => {
    const verdict = judgeBatch(completed('b1'), { tally: tally(0, 1) }, costs({ b1: 2_000_000 }), {
      failOn: FAIL_ON,
      requestGate: { count: 0 },
      maxCost: 1
    })
    expect(verdict.ok).toBe(false)
    expect(verdict.files?.ok).toBe(false)
    expect(verdict.cost?.ok).toBe(false)
    const clean = judgeBatch(completed('b1'), { tally: tally(1, 0) }, undefined, { failOn: FAIL_ON })
    expect(clean.files).toBeUndefined()
    expect(clean.cost).toBeUndefined()
  })

  it('fails when a file could not be fetched', () => {
    const verdict = judgeResults(one, new Map([['b1', { error: 'HTTP 404' }]]), undefined)
    expect(verdict?.message).toBe('Could not fetch the results of batch b1: HTTP 404.')
  })

  it('keeps the wait failure first and adds the result-file problem after it', () => {
    const waitFailure = { ok: false, message: 'wait failed.' }
    expect(combine(waitFailure, { ok: false, message: 'gate.' })).toEqual({ ok: false, message: 'wait failed. gate.' })
    expect(combine(waitFailure, undefined)).toBe(waitFailure)
  })
})
