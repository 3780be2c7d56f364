import { describe, expect, it } from '@jest/globals'
import type { PreflightReport } from '../../src/submit/preflight.js'
import {
  preflightAnnotations,
  preflightFacts,
  preflightFailure,
  unlistedModelsWarning
} from '../../src/submit/preflight-report.js'

function report(overrides: Partial<PreflightReport> = {}): PreflightReport {
  return {
    file: 'evals/batch.jsonl',
    path: '/w/evals/batch.jsonl',
    endpoint: '/v1/chat/completions',
    problems: [],
    counts: {},
    requests: 1234,
    bytes: 5_234_567,
    models: new Map([
      ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 1000],
      ['Qwen/Qwen3.5-9B', 234]
    ]),
    otherModels: 0,
    sha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ...overrides
  }
}

const notJson = (line: number) => ({ kind: 'not-json' as const, line, message: 'not valid JSON' })

describe('preflight report', () => {
  it('says what will be sent: requests, endpoint, size, models and the hash', () => {
    expect(preflightFacts(report())).toBe(
      'input-file evals/batch.jsonl: 1234 requests for /v1/chat/completions, 5.2 MB, models meta-llama/Llama-3.3-70B-Instruct-Turbo (1000), Qwen/Qwen3.5-9B (234); sha256 0123456789abcdef.'
    )
  })

  it.each([
    [12, '12 bytes'],
    [4_321, '4.3 KB'],
    [99_950_000, '100.0 MB']
  ])('writes %i bytes as %s', (bytes, text) => {
    expect(preflightFacts(report({ bytes, requests: 1, models: new Map() }))).toBe(
      `input-file evals/batch.jsonl: 1 request for /v1/chat/completions, ${text}, no body.model; sha256 0123456789abcdef.`
    )
  })

  it('names five models, then counts the others', () => {
    const models = new Map(Array.from({ length: 7 }, (_, i) => [`m${i}`, 10 - i]))
    expect(preflightFacts(report({ models, otherModels: 4 }))).toContain(
      'models m0 (10), m1 (9), m2 (8), m3 (7), m4 (6) and 2 more, and 4 requests for further models;'
    )
  })

  it("annotates the first 9 bad lines (one fewer than GitHub shows, for the step's own error) and says how many more of which kinds", () => {
    const problems = [
      ...Array.from({ length: 8 }, (_, i) => notJson(i + 1)),
      { kind: 'duplicate-custom-id' as const, line: 20, message: 'custom_id repeats line 3' },
      { kind: 'duplicate-custom-id' as const, line: 21, message: 'custom_id repeats line 4' },
      notJson(30)
    ]
    const { annotations, rest } = preflightAnnotations(
      report({ problems, counts: { 'not-json': 40, 'duplicate-custom-id': 5 } })
    )
    expect(annotations.map(a => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 20])
    expect(annotations[8]).toEqual({
      file: 'evals/batch.jsonl',
      line: 20,
      title: 'input-file: duplicate custom_id',
      message: 'Line 20 is not a request Together accepts: custom_id repeats line 3. Nothing was uploaded.'
    })
    expect(rest).toBe('36 more lines of evals/batch.jsonl not sent: 32 not JSON, 4 duplicate custom_id.')
  })

  it('counts the lines past the budget in the line for more', () => {
    const problems = Array.from({ length: 12 }, (_, i) => notJson(i + 1))
    const { annotations, rest } = preflightAnnotations(report({ problems, counts: { 'not-json': 12 } }))
    expect(annotations.map(a => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(rest).toBe('3 more lines of evals/batch.jsonl not sent: 3 not JSON.')
  })

  it('has no line for more when every problem is annotated', () => {
    const { annotations, rest } = preflightAnnotations(report({ problems: [notJson(3)], counts: { 'not-json': 1 } }))
    expect(annotations.map(a => a.line)).toEqual([3])
    expect(rest).toBeUndefined()
  })

  it('fails with one line naming the kinds and the first bad line', () => {
    const problems = [notJson(3), { kind: 'body' as const, line: 7, message: 'body must be …' }]
    expect(preflightFailure(report({ problems, counts: { 'not-json': 1, body: 4 } }))).toBe(
      'input-file evals/batch.jsonl was not submitted: 5 lines are not a request Together accepts (4 without a body object, 1 not JSON; first on line 3). Nothing was uploaded; fix the annotated lines and run again.'
    )
  })

  it('fails with the file problem when the whole file is refused, and annotates nothing', () => {
    const refused = report({ problems: [{ kind: 'empty', message: 'it is empty' }], counts: { empty: 1 } })
    expect(preflightFailure(refused)).toBe(
      'input-file evals/batch.jsonl was not submitted: it is empty. Nothing was uploaded.'
    )
    expect(preflightAnnotations(refused)).toEqual({ annotations: [] })
  })

  it('warns about the models that GET /v1/models does not list, naming five and counting the rest', () => {
    expect(unlistedModelsWarning(report(), [{ id: 'Qwen/Qwen3.5-9B' }, { id: 'other' }])).toBe(
      'input-file evals/batch.jsonl names 1 model that GET /v1/models does not list: meta-llama/Llama-3.3-70B-Instruct-Turbo. Their requests would fail in the batch.'
    )
    const models = new Map(Array.from({ length: 7 }, (_, i) => [`m${i}`, 1]))
    expect(unlistedModelsWarning(report({ models }), [{ id: 'm6' }])).toBe(
      'input-file evals/batch.jsonl names 6 models that GET /v1/models does not list: m0, m1, m2, m3, m4 and 1 more. Their requests would fail in the batch.'
    )
    expect(
      unlistedModelsWarning(report(), [{ id: 'Qwen/Qwen3.5-9B' }, { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }])
    ).toBeUndefined()
  })
})
