import { describe, expect, it } from '@jest/globals'
import type { Scenario } from '../../tools/simulator/scenario.js'
import { errorLines, expectKeySafe, runScenario } from '../helpers/e2e.js'

type Inline = Omit<Scenario, 'name'> & { name?: string }

function batch(id: string, finalAt: number, final: 'COMPLETED' | 'FAILED' = 'COMPLETED'): Inline {
  const set =
    final === 'COMPLETED' ? { output_file_id: `out-${id}` } : { error: 'bad input', error_file_id: `err-${id}` }
  return {
    name: id,
    description: `${id} ends ${final} after ${finalAt}s`,
    batch: { id },
    timeline: [
      { at: 0, status: 'IN_PROGRESS', progress: 5 },
      { at: finalAt, status: final, progress: 100, set }
    ]
  }
}

const batches = (run: { outputs: Record<string, string> }) =>
  JSON.parse(run.outputs.batches!) as { id: string; status: string; output_file_id: string | null }[]

describe('several batches in one step', () => {
  it.concurrent('waits for three batches, one failing: fails listing it, every batch in the outputs', async () => {
    const run = await runScenario({
      scenario: batch('b-one', 1),
      more: [batch('b-two', 2, 'FAILED'), batch('b-three', 3)],
      inputs: { 'batch-id': 'b-one\nb-two, b-three b-one' }
    })
    expect(run.exitCode).toBe(1)
    expect(batches(run).map(b => [b.id, b.status])).toEqual([
      ['b-one', 'COMPLETED'],
      ['b-two', 'FAILED'],
      ['b-three', 'COMPLETED']
    ])
    expect(run.outputs).toMatchObject({ status: 'FAILED', done: 'true', 'output-file-id': '', 'timed-out': 'false' })
    expect(errorLines(run.log)).toEqual([
      '::error title=Together batches::1 of 3 batches failed: b-two FAILED (bad input).'
    ])
    expect(run.summary).toContain('## ❌ Together batches: 2/3 completed')
    expect(run.log).toMatch(/2\/3 completed · 1 failed · 0 in progress · 66.7%/)
    expectKeySafe(run)
  })

  it.concurrent(
    'paces 50 batches read with their own GET (the list fails) to 4 requests a second on kept connections',
    async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `b-${String(i).padStart(2, '0')}`)
      const [first, ...rest] = ids.map(id => batch(id, 0))
      const listDown = { type: 'status' as const, on: 'list' as const, status: 500, body: { error: 'list down' } }
      const run = await runScenario({
        scenario: { ...first!, faults: [listDown] },
        more: rest,
        inputs: { 'batch-id': ids.join('\n'), timeout: '40s' }
      })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.done).toBe('true')
      expect(batches(run).every(b => b.status === 'COMPLETED')).toBe(true)
      const times = run.requests.map(r => r.at)
      // Requests leave 250 ms apart; on arrival, allow one a second of jitter: never 6 within a second.
      for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(1000)
      // And the whole sweep cannot be faster than the pacer allows.
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(50 * 250 - 250)
      expect(run.requests.map(r => r.path)).toEqual(['/v1/batches', ...ids.map(id => `/v1/batches/${id}`)])
      expect(new Set(run.requests.map(r => r.connection)).size).toBeLessThanOrEqual(2)
      expectKeySafe(run)
    }
  )

  it.concurrent('timeout 0 checks running batches once and passes with done=false', async () => {
    const run = await runScenario({
      scenario: 'stays-in-progress',
      more: [batch('b-done', 0)],
      inputs: { 'batch-id': 'batch-stays-in-progress b-done', timeout: '0' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.requests.map(r => r.path)).toEqual(['/v1/batches/batch-stays-in-progress', '/v1/batches/b-done'])
    expect(run.outputs).toMatchObject({ done: 'false', status: 'IN_PROGRESS' })
    expect(run.durationMs).toBeLessThan(3000)
  })

  it.concurrent('timeout 0 on a final batch in fail-on fails the step', async () => {
    const run = await runScenario({ scenario: batch('b-failed', 0, 'FAILED'), inputs: { timeout: '0' } })
    expect(run.exitCode).toBe(1)
    expect(run.requests).toHaveLength(1)
    expect(run.outputs).toMatchObject({ status: 'FAILED', done: 'true', 'error-file-id': 'err-b-failed' })
  })

  it.concurrent('timeout 0 on one running batch passes with its status and a pending summary', async () => {
    const run = await runScenario({ scenario: 'stays-in-progress', inputs: { timeout: '0' } })
    expect(run.exitCode).toBe(0)
    expect(run.requests).toHaveLength(1)
    expect(run.outputs).toMatchObject({ status: 'IN_PROGRESS', done: 'false', 'timed-out': 'false' })
    expect(run.summary).toContain('(checked once)')
  })
})
