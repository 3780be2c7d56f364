import { describe, expect, it } from '@jest/globals'
import type { WaitReport, BatchResult } from '../../src/engine/types.js'
import { costSection, groupDigits } from '../../src/report/cost-summary.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { buildSummary } from '../../src/report/summary.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import { foldCosts, type BatchUsage, type CostReport, type PriceList } from '../../src/result-files/cost.js'
import { emptyTally } from '../../src/result-files/tally.js'
import type { ModelUsage, Usage } from '../../src/result-files/usage.js'

const T0 = Date.UTC(2026, 0, 1)
const used = (requests: number, promptTokens: number, completionTokens: number): ModelUsage => ({
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

function costReport(
  usages: Record<string, Usage>,
  list: PriceList,
  unread: string[] = [],
  unreadLines = new Map<string, number>()
): CostReport {
  const batches = new Map<string, BatchUsage>(Object.entries(usages).map(([id, usage]) => [id, { usage }]))
  for (const id of unread) batches.set(id, { usage: new Map(), incomplete: 'unread' })
  for (const [id, lines] of unreadLines) batches.set(id, { ...batches.get(id)!, incomplete: { unreadLines: lines } })
  return foldCosts(list, batches)
}

function result(batchId: string): BatchResult {
  return {
    batchId,
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: { id: batchId, status: 'COMPLETED', progress: 100, output_file_id: `out-${batchId}` },
    startedAt: T0,
    endedAt: T0 + 60_000,
    timeoutMs: 3_600_000,
    timeline: [],
    requests: 2
  }
}

const all = (...ids: string[]): WaitReport => ({
  results: ids.map(result),
  startedAt: T0,
  endedAt: T0 + 60_000,
  timeoutMs: 3_600_000,
  done: true
})

const twoModels: Usage = new Map([
  ['meta-llama/Llama-3.3-70B-Instruct-Turbo', used(20, 3_000_000, 883_000)],
  ['Qwen/Qwen3.5-9B', used(10, 2_000_000, 1_000_000)]
])

describe('cost summary', () => {
  it('groups digits', () => {
    expect([0, 999, 1000, 1234567].map(groupDigits)).toEqual(['0', '999', '1,000', '1,234,567'])
  })

  it('has a row per model, a total and the list-price basis', () => {
    expect(costSection(costReport({ b1: twoModels }, { prices }))).toBe(
      [
        '',
        '### Tokens and estimated cost',
        '',
        '<table>',
        '<tr><th>model</th><th>requests</th><th>prompt tokens</th><th>completion tokens</th><th>estimated cost</th></tr>',
        '<tr><td><code>meta-llama/Llama-3.3-70B-Instruct-Turbo</code></td><td>20</td><td>3,000,000</td><td>883,000</td><td>&#36;3.4170</td></tr>',
        '<tr><td><code>Qwen/Qwen3.5-9B</code></td><td>10</td><td>2,000,000</td><td>1,000,000</td><td>&#36;0.5000</td></tr>',
        '<tr><th align="left">total</th><td>30</td><td>5,000,000</td><td>1,883,000</td><td><b>&#36;3.9170</b></td></tr>',
        '</table>',
        '',
        "Estimated from Together's list prices (<code>GET /v1/models</code>, US dollars per million tokens), with no batch discount: set <code>batch-discount</code> if your models are billed at one.",
        ''
      ].join('\n')
    )
  })

  it('says when a batch discount was applied', () => {
    const text = costSection(costReport({ b1: twoModels }, { prices, discountPercent: 50 }))
    expect(text).toContain('<b>&#36;1.9585</b>')
    expect(text).toContain('less a 50% batch discount (<code>batch-discount</code>).')
  })

  it('escapes hostile model names and says why there is no estimate', () => {
    const hostile = '<img src=x onerror=alert(1)>[link](https://evil.example)'
    const text = costSection(costReport({ b1: new Map([[hostile, used(1, 10, 10)]]) }, { prices }))
    expect(text).not.toContain('<img')
    expect(text).not.toContain('](')
    expect(text).toContain('<td>no price</td>')
    expect(text).toContain('<td>unknown</td>')
    expect(text).toContain('⚠️ No cost estimate: GET /v1/models lists no price for &#60;img')
    const failed = costSection(costReport({ b1: twoModels }, { error: 'GET /models answered HTTP 503' }))
    expect(failed).toContain(
      '⚠️ No cost estimate: the prices could not be fetched &#40;GET /models answered HTTP 503&#41;.'
    )
  })

  it('is empty when no results were read, and names batches that could not be', () => {
    expect(costSection(undefined)).toBe('')
    expect(costSection(costReport({}, { prices }))).toBe('')
    expect(buildOutputs(all('b1'), new Map(), costReport({}, { prices }))['estimated-cost']).toBe('')
    expect(costSection(costReport({ b1: twoModels }, { prices }, ['b2']))).toContain(
      '⚠️ Not included: the results of <code>b2</code> could not be read.'
    )
  })

  it('says how many lines of a batch could not be read, and leaves the estimated-cost output empty', () => {
    const partly = costReport({ b1: twoModels }, { prices }, [], new Map([['b1', 2]]))
    expect(costSection(partly)).toContain(
      '⚠️ Not included: 2 lines of the results of <code>b1</code> could not be read.'
    )
    expect(buildOutputs(all('b1'), new Map(), partly)['estimated-cost']).toBe('')
  })
})

describe('cost outputs and the several-batches table', () => {
  const files = (usage: Usage): BatchFiles => ({ outputPath: 'o', tally: emptyTally(), usage })

  it('sets tokens and the estimated cost for one batch', () => {
    const cost = costReport({ b1: twoModels }, { prices })
    const outputs = buildOutputs(all('b1'), new Map([['b1', files(twoModels)]]), cost)
    expect(outputs).toMatchObject({
      'prompt-tokens': '5000000',
      'completion-tokens': '1883000',
      'total-tokens': '6883000',
      'estimated-cost': '3.9170'
    })
    expect(JSON.parse(outputs.batches!)[0]).toMatchObject({
      prompt_tokens: 5_000_000,
      completion_tokens: 1_883_000,
      total_tokens: 6_883_000,
      estimated_cost: 3.917
    })
  })

  it('sets the total cost and per-batch fields for several batches, with a cost column', () => {
    const qwen: Usage = new Map([['Qwen/Qwen3.5-9B', used(1, 1_000_000, 0)]])
    const secret: Usage = new Map([['acme/secret', used(1, 5, 5)]])
    const collected = new Map([
      ['b1', files(twoModels)],
      ['b2', files(qwen)]
    ])
    const cost = costReport({ b1: twoModels, b2: qwen }, { prices })
    const outputs = buildOutputs(all('b1', 'b2'), collected, cost)
    expect(outputs).toMatchObject({ 'prompt-tokens': '', 'total-tokens': '', 'estimated-cost': '4.0170' })
    const entries = JSON.parse(outputs.batches!) as { estimated_cost: number }[]
    expect(entries.map(b => b.estimated_cost)).toEqual([3.917, 0.1])
    const summary = buildSummary(all('b1', 'b2'), { ok: true, message: 'ok' }, collected, { cost })
    expect(summary).toContain('<th>requests ok / failed</th><th>estimated cost</th></tr>')
    expect(summary).toContain('<td>0 / 0</td><td>&#36;3.9170</td>')
    const unpriced = costReport({ b1: secret }, { prices })
    const withUnpriced = buildOutputs(all('b1', 'b2'), new Map([['b1', files(secret)]]), unpriced)
    expect(withUnpriced['estimated-cost']).toBe('')
    expect(JSON.parse(withUnpriced.batches!)[0].estimated_cost).toBeNull()
    expect(buildSummary(all('b1', 'b2'), { ok: true, message: 'ok' }, undefined, { cost: unpriced })).toContain(
      '<td><code>out-b1</code></td><td>no price</td></tr>'
    )
  })
})
