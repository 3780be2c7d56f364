import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Scenario } from '../../tools/simulator/scenario.js'
import { errorLines, expectKeySafe, runScenario, type E2eRun } from '../helpers/e2e.js'

type Inline = Omit<Scenario, 'name'> & { name?: string }

const LLAMA_70B = 'meta-llama/Llama-3.3-70B-Instruct-Turbo' // 0.88 / 0.88 in tools/simulator/models.json
const LLAMA_8B = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo' // 0.18 / 0.18

let workspace: string
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'e2e-cost-'))
  mkdirSync(join(workspace, 'evals'))
})
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const answer = (id: string, model: string, prompt: number, completion: number) => ({
  id: `batch-req-${id}`,
  custom_id: id,
  response: {
    status_code: 200,
    request_id: `sim-${id}`,
    body: {
      id: `o-${id}`,
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
    }
  }
})

const failed = (id: string, code: string) => ({ custom_id: id, error: { code, message: `${code} for ${id}` } })

/** A batch that is COMPLETED at once, with the given output and error lines (output lines repeated). */
function batch(
  id: string,
  output: unknown[],
  errors: unknown[] = [],
  repeat = 1,
  extra: Inline['faults'] = []
): Inline {
  return {
    name: id,
    description: `${id}: completed`,
    batch: { id, model_id: LLAMA_70B, endpoint: '/v1/chat/completions' },
    timeline: [
      {
        at: 0,
        status: 'COMPLETED',
        progress: 100,
        set: { output_file_id: `out-${id}`, ...(errors.length > 0 ? { error_file_id: `err-${id}` } : {}) }
      }
    ],
    files: { [`out-${id}`]: { lines: output, repeat }, [`err-${id}`]: { lines: errors } },
    faults: extra
  }
}

/** 1000 requests of each model: 1.2M + 0.3M tokens at 0.88 ($1.32) and 0.8M + 0.2M at 0.18 ($0.18). */
const twoModels = (id = 'b-two-models', faults: Inline['faults'] = []) =>
  batch(id, [answer('a', LLAMA_70B, 1200, 300), answer('b', LLAMA_8B, 800, 200)], [], 1000, faults)

const modelRequests = (run: E2eRun) => run.requests.filter(r => r.path === '/v1/models')
const warnings = (run: E2eRun) => run.log.split('\n').filter(line => line.startsWith('::warning::'))
const batches = (run: E2eRun) => JSON.parse(run.outputs.batches!) as Record<string, unknown>[]

describe('tokens and estimated cost', () => {
  it.concurrent('sums tokens per model of one file and prices them with one GET /v1/models', async () => {
    const run = await runScenario({ scenario: twoModels(), inputs: { 'download-dir': join(workspace, 'two') } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      'succeeded-requests': '2000',
      'prompt-tokens': '2000000',
      'completion-tokens': '500000',
      'total-tokens': '2500000',
      'estimated-cost': '1.5000'
    })
    expect(batches(run)[0]).toMatchObject({ prompt_tokens: 2_000_000, total_tokens: 2_500_000, estimated_cost: 1.5 })
    expect(modelRequests(run)).toHaveLength(1)
    expect(run.summary).toContain(
      '<tr><td><code>meta-llama/Llama-3.3-70B-Instruct-Turbo</code></td><td>1,000</td><td>1,200,000</td><td>300,000</td><td>&#36;1.3200</td></tr>'
    )
    expect(run.summary).toContain('<td>1,000</td><td>800,000</td><td>200,000</td><td>&#36;0.1800</td></tr>')
    expect(run.summary).toContain('<td><b>&#36;1.5000</b></td></tr>')
    expect(run.summary).toContain('with no batch discount: set <code>batch-discount</code>')
    expect(run.log).toContain('Estimated cost: $1.5000 (2500000 tokens).')
    expect(warnings(run)).toEqual([])
    expectKeySafe(run)
  })

  it.concurrent('applies batch-discount and says so', async () => {
    const run = await runScenario({ scenario: twoModels('b-discount'), inputs: { 'batch-discount': '50%' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['estimated-cost']).toBe('0.7500')
    expect(run.summary).toContain('less a 50% batch discount (<code>batch-discount</code>).')
  })

  it.concurrent('leaves the estimate empty with a warning for a model without a price', async () => {
    const scenario = batch('b-unpriced', [answer('a', LLAMA_70B, 100, 10), answer('b', 'acme/private-model', 50, 5)])
    const run = await runScenario({ scenario, inputs: { 'download-dir': join(workspace, 'unpriced') } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ 'total-tokens': '165', 'estimated-cost': '' })
    expect(warnings(run)).toEqual([
      '::warning::No cost estimate: GET /v1/models lists no price for acme/private-model.'
    ])
    expect(run.summary).toContain(
      '<td><code>acme/private-model</code></td><td>1</td><td>50</td><td>5</td><td>no price</td>'
    )
  })

  it.concurrent('fails a cost gate closed when GET /v1/models fails, saying why', async () => {
    const down = [
      { type: 'status' as const, on: 'models' as const, status: 403, body: { error: { message: 'Forbidden' } } }
    ]
    const run = await runScenario({ scenario: twoModels('b-models-down', down), inputs: { 'max-cost': '100' } })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ status: 'FAILED', 'total-tokens': '2500000', 'estimated-cost': '' })
    expect(warnings(run)).toEqual([
      '::warning::No cost estimate: the prices could not be fetched (GET /models answered HTTP 403: Forbidden).'
    ])
    expect(errorLines(run.log)).toEqual([
      '::error title=Together batch b-models-down::Cannot check max-cost $100.00: the prices could not be fetched (GET /models answered HTTP 403: Forbidden). A cost gate that cannot be checked fails.'
    ])
  })

  it.concurrent('passes and fails the cost gate over every batch of the step, with one price request', async () => {
    const second = batch('b-second', [answer('c', LLAMA_8B, 1000, 1000)], [], 500)
    const inputs = { 'batch-id': 'b-gate b-second' }
    const [within, over] = await Promise.all([
      runScenario({ scenario: twoModels('b-gate'), more: [second], inputs: { ...inputs, 'max-cost': '2' } }),
      runScenario({ scenario: twoModels('b-gate'), more: [second], inputs: { ...inputs, 'max-cost': '$1.60' } })
    ])
    // 1.5 + 1M tokens at 0.18 = 1.68 dollars
    expect(within.exitCode).toBe(0)
    expect(within.outputs).toMatchObject({ 'estimated-cost': '1.6800', 'total-tokens': '' })
    expect(batches(within).map(b => b.estimated_cost)).toEqual([1.5, 0.18])
    expect(within.summary).toContain('<th>estimated cost</th>')
    expect(modelRequests(within)).toHaveLength(1)
    expect(over.exitCode).toBe(1)
    expect(errorLines(over.log)).toEqual([
      '::error title=Together batches::Estimated cost of 2 batches $1.6800 is more than max-cost $1.60 (list prices).'
    ])
  })
})

describe('failed requests as annotations on input-file', () => {
  it.concurrent(
    'annotates the first line of each error code, at most 10 with the verdict, and lists the rest',
    async () => {
      const codes = Array.from({ length: 12 }, (_, i) => `code_${String(i).padStart(2, '0')}`)
      // Line 1 succeeds; lines 2-25 fail, two per code; `ghost` failed but is not in the file.
      const ids = Array.from({ length: 25 }, (_, i) => `req-${i + 1}`)
      writeFileSync(
        join(workspace, 'evals', 'batch.jsonl'),
        ids.map(id => JSON.stringify({ custom_id: id, body: { model: LLAMA_70B, messages: [] } })).join('\n') + '\n'
      )
      const errors = ids.slice(1).map((id, i) => failed(id, codes[i % 12]!))
      const scenario = batch('b-annotate', [answer('req-1', LLAMA_70B, 10, 2)], [...errors, failed('ghost', 'code_00')])
      const run = await runScenario({
        scenario,
        inputs: { 'input-file': 'evals/batch.jsonl', 'max-failed-requests': '0' },
        env: { GITHUB_WORKSPACE: workspace }
      })
      expect(run.exitCode).toBe(1)
      const errorsShown = errorLines(run.log)
      expect(errorsShown).toHaveLength(10)
      expect(errorsShown[0]).toMatch(
        /^::error title=Together batch b-annotate::Batch b-annotate completed, but 25 of its 26 requests failed/
      )
      expect(errorsShown.slice(1)).toEqual(
        codes
          .slice(0, 9)
          .map(
            (code, i) =>
              `::error title=Together request failed%3A ${code},file=evals/batch.jsonl,line=${i + 2}::Request req-${i + 2} failed with ${code}: ${code} for req-${i + 2}. 1 more request in this file failed with ${code}; see the step summary.`
          )
      )
      expect(warnings(run)).toContain(
        "::warning::1 failed request has a custom_id that is not in input-file 'evals/batch.jsonl'."
      )
      expect(run.summary).toContain(
        '24 failed requests found in the file by custom_id; the first line of 9 error codes is annotated.'
      )
      expect(run.summary).toContain('<tr><td>11</td><td><code>req-11</code></td><td><code>code_09</code></td></tr>')
      expect(run.summary).toContain('<tr><td>25</td><td><code>req-25</code></td><td><code>code_11</code></td></tr>')
      expectKeySafe(run)
    }
  )
})
