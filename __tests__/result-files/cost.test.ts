import { describe, expect, it } from '@jest/globals'
import { judgeCost } from '../../src/verdict/cost.js'
import {
  foldCosts,
  formatCost,
  knownTotal,
  modelCost,
  priceOf,
  priceUsage,
  whyNoEstimate,
  type BatchUsage,
  type CostReport,
  type PriceList
} from '../../src/result-files/cost.js'
import { zeroUsage, type ModelUsage, type Usage } from '../../src/result-files/usage.js'

const used = (promptTokens: number, completionTokens: number, requests = 1): ModelUsage => ({
  requests,
  promptTokens,
  completionTokens,
  totalTokens: promptTokens + completionTokens,
  uncounted: 0
})
const prices = new Map([
  ['meta-llama/Llama-3.3-70B-Instruct-Turbo', { input: 0.88, output: 0.88 }],
  ['Qwen/Qwen3.5-9B', { input: 0.1, output: 0.3 }]
])

describe('cost arithmetic', () => {
  it('prices prompt and completion tokens per million, less the batch discount', () => {
    expect(modelCost(used(1_000_000, 500_000), { input: 0.1, output: 0.3 })).toBeCloseTo(0.25, 10)
    expect(modelCost(used(1_000_000, 500_000), { input: 0.1, output: 0.3 }, 50)).toBeCloseTo(0.125, 10)
    expect(modelCost(used(3, 0), { input: 2, output: 2 }, 100)).toBe(0)
    expect(modelCost(used(0, 2_000_000), { input: 5, output: 0.5 })).toBeCloseTo(1, 10)
  })

  it('needs no price for a model without tokens, and has no cost without one otherwise', () => {
    expect(modelCost(zeroUsage(), undefined)).toBe(0)
    expect(modelCost(used(1, 0), undefined)).toBeUndefined()
  })

  it('finds a price by exact ID, else in another case', () => {
    expect(priceOf(prices, 'qwen/qwen3.5-9b')).toEqual({ input: 0.1, output: 0.3 })
    expect(priceOf(prices, 'unknown')).toBeUndefined()
    expect(priceOf(undefined, 'Qwen/Qwen3.5-9B')).toBeUndefined()
  })

  it('prefers the price of the exact ID to one that differs only in case', () => {
    const cased = new Map([
      ['Model-A', { input: 1, output: 1 }],
      ['model-a', { input: 2, output: 2 }]
    ])
    expect(priceOf(cased, 'model-a')).toEqual({ input: 2, output: 2 })
    expect(priceOf(cased, 'MODEL-A')).toEqual({ input: 1, output: 1 })
  })

  it('orders models of the same cost by tokens, most first, then by name', () => {
    const flat = new Map([
      ['a', { input: 1, output: 0 }],
      ['b', { input: 0.5, output: 0 }],
      ['c', { input: 1, output: 0 }],
      ['d', { input: 2, output: 0 }]
    ])
    // a: 1M tokens at $1, b: 2M at $0.5, c: 1M at $1, d: 1M at $2; e and f have no price.
    const usage: Usage = new Map([
      ['a', used(1_000_000, 0)],
      ['b', used(2_000_000, 0)],
      ['c', used(1_000_000, 0)],
      ['d', used(1_000_000, 0)],
      ['e', used(10, 0)],
      ['f', used(20, 0)]
    ])
    expect(priceUsage(usage, { prices: flat }).models.map(m => m.model)).toEqual(['f', 'e', 'd', 'b', 'a', 'c'])
  })

  it('estimates two models, most expensive first, with a total', () => {
    const usage: Usage = new Map([
      ['Qwen/Qwen3.5-9B', used(2_000_000, 1_000_000, 10)],
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', used(3_000_000, 883_000, 20)]
    ])
    const estimate = priceUsage(usage, { prices })
    expect(estimate.models.map(m => [m.model, formatCost(m.cost!)])).toEqual([
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', '3.4170'],
      ['Qwen/Qwen3.5-9B', '0.5000']
    ])
    expect(formatCost(estimate.cost!)).toBe('3.9170')
    expect(estimate.usage).toEqual({
      requests: 30,
      promptTokens: 5_000_000,
      completionTokens: 1_883_000,
      totalTokens: 6_883_000,
      uncounted: 0
    })
    expect(formatCost(priceUsage(usage, { prices, discountPercent: 50 }).cost!)).toBe('1.9585')
  })

  it('leaves the total empty and names the models without a price', () => {
    const usage: Usage = new Map([
      ['Qwen/Qwen3.5-9B', used(10, 10)],
      ['acme/secret-model', used(10, 10)],
      ['acme/idle-model', zeroUsage()]
    ])
    const list: PriceList = { prices }
    const estimate = priceUsage(usage, list)
    expect(estimate.cost).toBeUndefined()
    expect(estimate.unpriced).toEqual(['acme/secret-model'])
    expect(estimate.models[0]!.model).toBe('acme/secret-model')
    expect(whyNoEstimate(estimate, list)).toBe('GET /v1/models lists no price for acme/secret-model')
    const one: Usage = new Map([['m', { ...used(1, 1), uncounted: 1 }]])
    expect(whyNoEstimate(priceUsage(one, list), list)).toBe('1 result line gives token counts that cannot be read')
    const failed: PriceList = { error: 'GET /models answered HTTP 503' }
    expect(whyNoEstimate(priceUsage(usage, failed), failed)).toBe(
      'the prices could not be fetched (GET /models answered HTTP 503)'
    )
  })
})

function report(
  usage: Usage,
  list: PriceList,
  unread: string[] = [],
  unreadLines = new Map<string, number>()
): CostReport {
  const batches = new Map<string, BatchUsage>([['b1', { usage }]])
  for (const id of unread) batches.set(id, { usage: new Map(), incomplete: 'unread' })
  for (const [id, lines] of unreadLines)
    batches.set(id, { usage: batches.get(id)?.usage ?? new Map(), incomplete: { unreadLines: lines } })
  return foldCosts(list, batches)
}

describe('the cost gate', () => {
  const usage: Usage = new Map([['Qwen/Qwen3.5-9B', used(10_000_000, 10_000_000)]])

  it('passes within the limit, at the amount shown, and without a limit', () => {
    expect(judgeCost(report(usage, { prices }), 4)).toBeUndefined()
    // 4.00004 dollars, shown as 4.0000: not more than 4.
    const justOver: Usage = new Map([['Qwen/Qwen3.5-9B', used(10_000_400, 10_000_000)]])
    expect(judgeCost(report(justOver, { prices }), 4)).toBeUndefined()
    expect(judgeCost(report(usage, { prices }), undefined)).toBeUndefined()
  })

  it('fails over the limit, saying the amount and the pricing basis', () => {
    expect(judgeCost(report(usage, { prices, discountPercent: 50 }), 1)).toEqual({
      ok: false,
      message: 'Estimated cost $2.0000 is more than max-cost $1.00 (list prices less a 50% batch discount).'
    })
  })

  it('fails closed when the cost cannot be estimated', () => {
    expect(judgeCost(report(usage, { error: 'GET /models was aborted' }), 100)?.message).toBe(
      'Cannot check max-cost $100.00: the prices could not be fetched (GET /models was aborted). A cost gate that cannot be checked fails.'
    )
    expect(judgeCost(report(usage, { prices: new Map() }), 100)?.message).toMatch(
      /^Cannot check max-cost \$100\.00: GET \/v1\/models lists no price for Qwen\/Qwen3\.5-9B\./
    )
    expect(judgeCost(report(usage, { prices }, ['b2']), 100)?.message).toBe(
      'Cannot check max-cost $100.00: the results of batch b2 could not be read.'
    )
  })

  it('fails closed when result lines give token counts that cannot be read, whatever the prices', () => {
    const odd: Usage = new Map([['Qwen/Qwen3.5-9B', { ...used(10, 10), uncounted: 2 }]])
    expect(priceUsage(odd, { prices }).cost).toBeUndefined()
    expect(priceUsage(odd, { prices }).unpriced).toEqual([])
    expect(judgeCost(report(odd, { prices }), 100)?.message).toBe(
      'Cannot check max-cost $100.00: 2 result lines give token counts that cannot be read. A cost gate that cannot be checked fails.'
    )
  })

  it('fails closed when lines of the results could not be read: what they cost is unknown', () => {
    const one = report(usage, { prices }, [], new Map([['b1', 3]]))
    expect(judgeCost(one, 100)?.message).toBe(
      'Cannot check max-cost $100.00: 3 lines of the results of batch b1 could not be read, so what they cost is unknown.'
    )
    const three = report(
      usage,
      { prices },
      [],
      new Map([
        ['b1', 1],
        ['b2', 2],
        ['b3', 1]
      ])
    )
    expect(judgeCost(three, 100)?.message).toBe(
      'Cannot check max-cost $100.00: 1 line of the results of batch b1 (and in 2 more batches) could not be read, so what they cost is unknown.'
    )
    expect(knownTotal(one)).toBeUndefined()
    expect(knownTotal(report(usage, { prices }))).toBe(4)
  })
})
