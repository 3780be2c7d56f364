import { describe, expect, it } from '@jest/globals'
import { foldCosts, type BatchUsage, type PriceList } from '../../src/result-files/cost.js'
import type { Usage } from '../../src/result-files/usage.js'
import { judgeCost } from '../../src/verdict/cost.js'

/** `n` prompt tokens of model m, at $1 per million: n / 1e6 dollars. */
const tokens = (n: number): Usage =>
  new Map([['m', { requests: 1, promptTokens: n, completionTokens: 0, totalTokens: n, uncounted: 0 }]])
const priced: PriceList = { prices: new Map([['m', { input: 1, output: 1 }]]) }
const reportOf = (batches: Record<string, BatchUsage>, list = priced) =>
  foldCosts(list, new Map(Object.entries(batches)))

describe('judgeCost', () => {
  it('fails, never passes, when the results of a batch could not be read', () => {
    const report = reportOf({ b1: { usage: tokens(1) }, b2: { usage: new Map(), incomplete: 'unread' } })
    expect(judgeCost(report, 100)).toEqual({
      ok: false,
      message: 'Cannot check max-cost $100.00: the results of batch b2 could not be read.'
    })
  })

  it('names at most five batches whose results could not be read', () => {
    const unread = Object.fromEntries(
      ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'].map(id => [id, { usage: new Map(), incomplete: 'unread' as const }])
    )
    expect(judgeCost(reportOf(unread), 1)).toEqual({
      ok: false,
      message: 'Cannot check max-cost $1.00: the results of batch b1, b2, b3, b4, b5 and 2 more could not be read.'
    })
  })

  it('fails, never passes, when lines of the results could not be read, however cheap the rest', () => {
    const report = reportOf({ b1: { usage: tokens(1), incomplete: { unreadLines: 1 } } })
    expect(judgeCost(report, 100)).toEqual({
      ok: false,
      message:
        'Cannot check max-cost $100.00: 1 line of the results of batch b1 could not be read, so what they cost is unknown.'
    })
    const two = reportOf({
      b1: { usage: tokens(1), incomplete: { unreadLines: 2 } },
      b2: { usage: tokens(1), incomplete: { unreadLines: 5 } }
    })
    expect(judgeCost(two, 100)).toEqual({
      ok: false,
      message:
        'Cannot check max-cost $100.00: 2 lines of the results of batch b1 (and in 1 more batch) could not be read, so what they cost is unknown.'
    })
  })

  it('fails when the estimate has no total, saying why', () => {
    expect(judgeCost(reportOf({ b1: { usage: tokens(1) } }, { error: 'HTTP 503' }), 100)).toEqual({
      ok: false,
      message:
        'Cannot check max-cost $100.00: the prices could not be fetched (HTTP 503). A cost gate that cannot be checked fails.'
    })
  })

  it('passes at or under the limit, fails over it, and counts the batches in the message', () => {
    const one = reportOf({ b1: { usage: tokens(2_000_000) } })
    expect(judgeCost(one, 2)).toBeUndefined()
    expect(judgeCost(one, 1.99)).toEqual({
      ok: false,
      message: 'Estimated cost $2.0000 is more than max-cost $1.99 (list prices).'
    })
    const two = reportOf({ b1: { usage: tokens(1_000_000) }, b2: { usage: tokens(1_500_000) } })
    expect(judgeCost(two, 2.5)).toBeUndefined()
    expect(judgeCost(two, 2)).toEqual({
      ok: false,
      message: 'Estimated cost of 2 batches $2.5000 is more than max-cost $2.00 (list prices).'
    })
  })

  it('writes the limit as the user would: cents when it has no more, else as given', () => {
    const report = reportOf({ b1: { usage: tokens(10_000) } })
    expect(judgeCost(report, 0.005)?.message).toBe('Estimated cost $0.0100 is more than max-cost $0.005 (list prices).')
    expect(judgeCost(report, 0)?.message).toBe('Estimated cost $0.0100 is more than max-cost $0.00 (list prices).')
  })

  it('has nothing to say without a limit or without a report', () => {
    expect(judgeCost(reportOf({ b1: { usage: new Map(), incomplete: 'unread' } }), undefined)).toBeUndefined()
    expect(judgeCost(undefined, 5)).toBeUndefined()
  })
})
