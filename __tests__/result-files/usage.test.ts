import { describe, expect, it } from '@jest/globals'
import { countErrorLine, countOutputLine, emptyTally } from '../../src/result-files/tally.js'
import {
  MAX_MODELS,
  OTHER_MODELS,
  UNKNOWN_MODEL,
  addUsage,
  emptyUsage,
  hasTokens,
  mergeUsage,
  modelLabel,
  totalUsage
} from '../../src/result-files/usage.js'

const line = (model: string | undefined, usage: unknown, status = 200) => ({
  custom_id: 'r',
  response: { status_code: status, body: { ...(model ? { model } : {}), ...(usage ? { usage } : {}) } }
})

describe('token usage', () => {
  it('sums prompt, completion and total tokens per model named in response.body.model', () => {
    const usage = emptyUsage()
    addUsage(usage, line('a', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }), 'batch-model')
    addUsage(usage, line('b', { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }), 'batch-model')
    addUsage(usage, line('a', { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 }), 'batch-model')
    expect(Object.fromEntries(usage)).toEqual({
      a: { requests: 2, promptTokens: 30, completionTokens: 12, totalTokens: 42, uncounted: 0 },
      b: { requests: 1, promptTokens: 1, completionTokens: 2, totalTokens: 3, uncounted: 0 }
    })
    expect(totalUsage(usage)).toEqual({
      requests: 3,
      promptTokens: 31,
      completionTokens: 14,
      totalTokens: 45,
      uncounted: 0
    })
  })

  it("falls back to the batch's model_id, and counts lines without usage as requests with no tokens", () => {
    const usage = emptyUsage()
    addUsage(usage, line(undefined, { prompt_tokens: 4, completion_tokens: 1 }), 'm')
    addUsage(usage, line(undefined, undefined), 'm')
    addUsage(usage, { custom_id: 'x', error: { code: 'rate_limit' } }, 'm')
    addUsage(usage, undefined, 'm')
    expect(usage.get('m')).toEqual({ requests: 4, promptTokens: 4, completionTokens: 1, totalTokens: 5, uncounted: 0 })
    expect(hasTokens(usage)).toBe(true)
  })

  it('counts a usage whose counts are not non-negative integers as uncounted, never as 0 tokens', () => {
    const usage = emptyUsage()
    for (const bad of [-1, 1.5, '10', null, 1e300, Number.NaN])
      addUsage(usage, line('m', { prompt_tokens: 5, completion_tokens: bad }), '')
    addUsage(usage, line('m', { prompt_tokens: '5', completion_tokens: 5 }), '')
    addUsage(usage, line('m', { prompt_tokens: 5, completion_tokens: 5, total_tokens: -10 }), '')
    // Only a total: it cannot be split into prompt and completion, which are priced apart.
    addUsage(usage, line('m', { total_tokens: 180_000_000 }), '')
    expect(usage.get('m')).toEqual({ requests: 9, promptTokens: 0, completionTokens: 0, totalTokens: 0, uncounted: 9 })
  })

  it('reads a missing count as 0, as embeddings give no completion_tokens', () => {
    const usage = emptyUsage()
    addUsage(usage, line('m', { prompt_tokens: 7, total_tokens: 7 }), '')
    addUsage(usage, line('m', {}), '')
    addUsage(usage, line('m', { completion_tokens: 3, total_tokens: 3 }), '')
    expect(usage.get('m')).toEqual({ requests: 3, promptTokens: 7, completionTokens: 3, totalTokens: 10, uncounted: 0 })
  })

  it('names a request of no model, and folds models past the bound into one row', () => {
    const usage = emptyUsage()
    addUsage(usage, line('  ', undefined), '')
    for (let i = 0; i < MAX_MODELS + 5; i++) addUsage(usage, line(`model-${i}`, undefined), '')
    expect(usage.size).toBe(MAX_MODELS + 1)
    expect(usage.get(UNKNOWN_MODEL)?.requests).toBe(1)
    expect(usage.get(OTHER_MODELS)?.requests).toBe(6)
    expect(modelLabel(UNKNOWN_MODEL)).toBe('(model not named)')
    expect(modelLabel(OTHER_MODELS)).toBe(`(more than ${MAX_MODELS} models)`)
    expect(modelLabel('a/b')).toBe('a/b')
  })

  it('reads 0 as a count, and a total of 0 alone as no tokens rather than unknown ones', () => {
    const usage = emptyUsage()
    addUsage(usage, line('m', { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }), '')
    addUsage(usage, line('m', { total_tokens: 0 }), '')
    addUsage(usage, line('m', { prompt_tokens: 2, completion_tokens: 3 }), '')
    expect(usage.get('m')).toEqual({ requests: 3, promptTokens: 2, completionTokens: 3, totalTokens: 5, uncounted: 0 })
    const none = emptyUsage()
    addUsage(none, line('m', { prompt_tokens: 0, completion_tokens: 0 }), '')
    expect(hasTokens(none)).toBe(false)
    addUsage(none, line('other', { prompt_tokens: 0, completion_tokens: 0 }), '')
    addUsage(none, line('m', { completion_tokens: 1 }), '')
    // One model with tokens is enough, while another has none.
    expect(hasTokens(none)).toBe(true)
  })

  it('trims and cuts a model name, and keeps counting models it already has past the bound', () => {
    const usage = emptyUsage()
    addUsage(usage, line(`  ${'x'.repeat(300)}  `, undefined), '')
    expect([...usage.keys()]).toEqual(['x'.repeat(256)])
    addUsage(usage, line(undefined, undefined), '  batch-model ')
    expect(usage.get('batch-model')?.requests).toBe(1)
    for (let i = 3; i < MAX_MODELS; i++) addUsage(usage, line(`model-${i}`, undefined), '')
    expect(usage.size).toBe(MAX_MODELS - 1)
    addUsage(usage, line('the-last-one', undefined), '')
    expect(usage.get('the-last-one')?.requests).toBe(1)
    addUsage(usage, line('one-too-many', undefined), '')
    addUsage(usage, line('model-3', undefined), '')
    expect(usage.get('one-too-many')).toBeUndefined()
    expect(usage.get(OTHER_MODELS)?.requests).toBe(1)
    expect(usage.get('model-3')?.requests).toBe(2)
  })

  it('merges batches per model without changing them', () => {
    const one = emptyUsage()
    const two = emptyUsage()
    addUsage(one, line('a', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }), '')
    addUsage(two, line('a', { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 }), '')
    addUsage(two, line('b', { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 }), '')
    const merged = mergeUsage([one, two])
    expect(merged.get('a')).toEqual({ requests: 2, promptTokens: 3, completionTokens: 3, totalTokens: 6, uncounted: 0 })
    expect(merged.get('b')?.promptTokens).toBe(3)
    expect(one.get('a')?.requests).toBe(1)
  })

  it('gets each decoded line from the tally, with its error code when it failed', () => {
    const tally = emptyTally()
    const ok = countOutputLine(tally, JSON.stringify(line('a', { prompt_tokens: 1 })))
    expect(ok).toEqual({ record: line('a', { prompt_tokens: 1 }) })
    expect(countOutputLine(tally, '  ')).toBeUndefined()
    expect(countOutputLine(tally, 'not json')).toEqual({ record: undefined, failedCode: 'unreadable_line' })
    expect(countErrorLine(tally, JSON.stringify({ custom_id: 'x', error: { code: 'c' } }))).toEqual({
      record: { custom_id: 'x', error: { code: 'c' } },
      failedCode: 'c'
    })
  })
})
