import { faultFor } from './faults.js'
import type { Fault, Scenario } from './scenario.js'
import type { SimBatch } from './state.js'

/**
 * The fault for the `count`-th `GET /v1/batches` of the simulator: list faults of any scenario count
 * these requests across the whole account, like the models list. `omit` is no fault of the answer
 * (see `listed`).
 */
export function listFault(scenarios: readonly Scenario[], count: number): Fault | undefined {
  const faults = scenarios.flatMap(s => s.faults ?? []).filter(f => f.on === 'list' && f.type !== 'omit')
  return faultFor(faults, 'list', count)
}

/** Whether the `count`-th list shows `batch`: its scenario's `omit` faults leave it out of the lists they hit. */
export function listed(batch: SimBatch, count: number): boolean {
  const omits = (batch.scenario.faults ?? []).filter(f => f.on === 'list' && f.type === 'omit')
  return faultFor(omits, 'list', count) === undefined
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')

/**
 * `count` finished batches of the account's past, as the live API lists them (about 500 bytes each):
 * a busy account's list is mostly these.
 */
export function pastBatches(count: number, bootAt: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const created = new Date(bootAt - (count - i) * 3_600_000).toISOString()
    const id = `${hex(i, 8)}-0000-4000-8000-${hex(i * 7919, 12)}`
    return {
      id,
      user_id: 'a3f0c2d1e4b5a6978877665544332211',
      input_file_id: `file-${hex(i, 8)}-1111-4111-8111-${hex(i, 12)}`,
      file_size_bytes: 100_000 + i,
      status: i % 50 === 0 ? 'FAILED' : 'COMPLETED',
      job_deadline: new Date(Date.parse(created) + 86_400_000).toISOString(),
      created_at: created,
      endpoint: '/v1/chat/completions',
      progress: 100,
      model_id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      output_file_id: `file-${hex(i, 8)}-2222-4222-8222-${hex(i, 12)}`,
      error_file_id: null,
      error: i % 50 === 0 ? 'input file has no valid lines' : null,
      completed_at: new Date(Date.parse(created) + 1_800_000).toISOString()
    }
  })
}
