import type { IncomingMessage, ServerResponse } from 'node:http'
import { SUBMIT_ENDPOINTS } from '../../src/submit/request-rules.js'
import { faultFor, inject, readBody, send } from './faults.js'
import type { Scenario } from './scenario.js'
import type { LoggedRequest } from './server.js'
import type { SimBatch } from './state.js'

/** What `POST /v1/batches` needs of the simulator. */
export interface CreateContext {
  scenarios: Map<string, Scenario>
  batches: Map<string, SimBatch>
  /** The scenario a batch created from an input file plays, unless the body names one. */
  createScenario: string
  /** An uploaded (and preprocessed) file, or a scenario's file. */
  fileExists(id: string): boolean
  now(): number
  view(batch: SimBatch): Record<string, unknown>
}

/** Why a create from a file is refused, as the live API's `{"error": "..."}`, or undefined. */
function fileRefusal(context: CreateContext, body: Record<string, unknown>): string | undefined {
  const { input_file_id: fileId, endpoint } = body
  if (typeof fileId !== 'string' || !context.fileExists(fileId)) return 'input file not found'
  if (typeof endpoint !== 'string' || !(SUBMIT_ENDPOINTS as readonly string[]).includes(endpoint)) {
    return 'unsupported endpoint'
  }
  return undefined
}

/**
 * `POST /v1/batches`. The spec's body `{input_file_id, endpoint}` creates a batch of that (uploaded)
 * file playing `createScenario` and answers 201 `{job, warning}`; the simulator's own
 * `{"scenario": name}` creates one of that scenario and answers 200 `{job}`, as before. A scenario fault
 * `on: "create"` hits after the batch exists: a lost answer.
 */
export async function createBatch(
  context: CreateContext,
  req: IncomingMessage,
  res: ServerResponse,
  entry: LoggedRequest
): Promise<void> {
  const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>
  // The simulator's own `{"scenario": name}` wins, whatever else the body holds, as it always did.
  const fromFile = body.scenario === undefined && body.input_file_id !== undefined
  const named = typeof body.scenario === 'string' ? body.scenario : JSON.stringify(body.scenario)
  const name = body.scenario !== undefined ? named : fromFile ? context.createScenario : 'completes'
  const scenario = context.scenarios.get(name)
  const refusal = scenario
    ? fromFile
      ? fileRefusal(context, body)
      : undefined
    : { message: `unknown scenario '${name}'` }
  if (refusal !== undefined || !scenario) {
    send(res, 400, { error: refusal })
    return
  }
  const fields = fromFile ? { input_file_id: body.input_file_id, endpoint: body.endpoint } : {}
  const created = [...context.batches.values()].filter(b => b.created)
  const count = created.filter(b => b.scenario === scenario).length + 1
  const batch: SimBatch = {
    id: `batch-${scenario.name}-${created.length + 1}`,
    scenario,
    counts: {},
    startedAt: context.now(),
    created: true,
    fields
  }
  context.batches.set(batch.id, batch)
  entry.batchId = batch.id
  const fault = faultFor(
    scenario.faults?.filter(f => f.on === 'create'),
    'create',
    count
  )
  if (fault) {
    entry.fault = fault.type === 'status' ? `status ${fault.status ?? 500}` : fault.type
    return inject(fault, req, res, () => ({ job: context.view(batch) }))
  }
  const warning = fromFile && scenario.createWarning ? { warning: scenario.createWarning } : {}
  send(res, fromFile ? 201 : 200, { job: context.view(batch), ...warning })
}
