import { describe, expect, it } from '@jest/globals'
import type { WaitAllResult, WaitResult } from '../../src/engine/types.js'
import { parseEntry, serializeEntry, type LedgerEntry } from '../../src/github/ledger-entry.js'
import { trackedCostVerdicts } from '../../src/orchestrate/report-costs.js'
import type { Checked } from '../../src/orchestrate/report-judge.js'
import type { BatchFiles } from '../../src/result-files/collect.js'
import { emptyTally } from '../../src/result-files/tally.js'
import type { ModelInfo } from '../../src/together/index.js'
import { recordingLogger, virtualClock } from '../helpers/virtual-time.js'

const T0 = Date.UTC(2026, 0, 1)
const ENTRY: LedgerEntry = {
  batchId: 'b1',
  repository: 'o/r',
  sha: 'a'.repeat(40),
  ref: '',
  runUrl: '',
  trackedAt: T0,
  group: ['b1'],
  failOn: ['FAILED'],
  maxFailedRequests: '',
  commitStatus: '',
  prComment: false
}

function checked(id: string, entry: Partial<LedgerEntry>): Checked {
  const result: WaitResult = {
    batchId: id,
    outcome: 'completed',
    status: 'COMPLETED',
    finalStatus: 'COMPLETED',
    batch: { id, status: 'COMPLETED', output_file_id: 'f', model_id: 'm' },
    startedAt: T0,
    endedAt: T0,
    timeoutMs: 0,
    timeline: [],
    requests: 1
  }
  return { result, disposition: 'final', stored: { sha: 'x', entry: { ...ENTRY, batchId: id, ...entry } } }
}

const files = (promptTokens: number): BatchFiles => ({
  tally: emptyTally(),
  usage: new Map([['m', { requests: 1, promptTokens, completionTokens: 0, totalTokens: promptTokens, uncounted: 0 }]])
})

function deps(models: ModelInfo[]) {
  const calls: number[] = []
  return {
    calls,
    api: {
      listModels: async () => {
        calls.push(1)
        return models
      }
    },
    sleep: virtualClock().sleep,
    random: () => 0.5,
    log: recordingLogger()
  }
}

describe('max-cost recorded with a tracked batch', () => {
  it('keeps max_cost and batch_discount through the ledger file, and refuses a bad one', () => {
    const text = serializeEntry({ ...ENTRY, maxCost: 2.5, batchDiscount: 50 })
    expect(parseEntry('b1', text)).toMatchObject({ maxCost: 2.5, batchDiscount: 50 })
    expect(parseEntry('b1', serializeEntry(ENTRY))).not.toHaveProperty('maxCost')
    expect(parseEntry('b1', text.replace('"max_cost": 2.5', '"max_cost": "lots"'))).toBe(
      'settings.max_cost is not an amount'
    )
  })

  it('gates each batch by its own cost and limit, with one GET /v1/models per discount', async () => {
    const d = deps([{ id: 'm', pricing: { input: 1, output: 1 } }])
    const all: WaitAllResult = { results: [], startedAt: T0, endedAt: T0, timeoutMs: 0, done: true }
    const list = [checked('cheap', { maxCost: 1 }), checked('dear', { maxCost: 1 }), checked('free', {})]
    const collected = new Map([
      ['cheap', files(500_000)],
      ['dear', files(3_000_000)],
      ['free', files(9_000_000)]
    ])
    const verdicts = await trackedCostVerdicts(d, all, list, collected)
    expect(verdicts.get('cheap')).toBeUndefined()
    expect(verdicts.get('dear')?.message).toBe('Estimated cost $3.0000 is more than max-cost $1.00 (list prices).')
    expect(verdicts.has('free')).toBe(false)
    expect(d.calls).toHaveLength(1)
  })

  it('fails a limit that cannot be checked: no price for the model', async () => {
    const d = deps([{ id: 'other', pricing: { input: 1, output: 1 } }])
    const all: WaitAllResult = { results: [], startedAt: T0, endedAt: T0, timeoutMs: 0, done: true }
    const verdicts = await trackedCostVerdicts(d, all, [checked('b', { maxCost: 1 })], new Map([['b', files(10)]]))
    expect(verdicts.get('b')).toMatchObject({ ok: false })
    expect(verdicts.get('b')?.message).toContain('Cannot check max-cost $1.00')
  })
})
