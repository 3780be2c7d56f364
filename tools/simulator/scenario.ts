import { readFileSync, readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the shipped scenarios live. */
const SCENARIO_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'scenarios')

/** A point in a batch's life, `at` scenario seconds after the batch starts. */
export interface TimelinePoint {
  at: number
  status: string
  progress?: number
  /** Progress moves in a straight line from this point to the next one, instead of jumping. */
  interpolate?: boolean
  /** Other batch fields that appear from this point on (output_file_id, error, ...). */
  set?: Record<string, unknown>
}

type FaultKind =
  /** Answer `status` with `headers` and `body` (an object is sent as JSON, a string as is). */
  | 'status'
  /** Destroy the connection without an answer. */
  | 'reset'
  /** Accept the request and never answer. */
  | 'hang'
  /** Answer 200 with a body that is not JSON. */
  | 'bad-json'
  /** Answer normally, but send the body slowly (`delayMs` between two halves). */
  | 'slow-body'
  /** With `on: 'list'`: leave this scenario's batch out of the list answers hit (a list that lags). */
  | 'omit'

/**
 * Which requests a fault hits: about this batch, `get` (default), `cancel`, `file`, or `any`; `create`,
 * the `POST /v1/batches` that create a batch of this scenario (the batch is created first, so a fault
 * there is a lost answer); or `models` or `list`, the `GET /v1/models` or `GET /v1/batches` requests
 * of the whole simulator (counted across batches).
 */
export type FaultTarget = 'get' | 'cancel' | 'file' | 'create' | 'models' | 'list' | 'any'

export interface Fault {
  type: FaultKind
  on?: FaultTarget
  /** 1-based numbers of the matching requests to hit; omitted: every one. */
  requests?: number[]
  /** Or: hit requests from number `from` (1-based) on, `count` of them (default: all). */
  from?: number
  count?: number
  status?: number
  headers?: Record<string, string>
  /** `{{authorization}}` in a string body is replaced by the request's Authorization header. */
  body?: unknown
  delayMs?: number
}

export interface ScenarioFile {
  filename?: string
  /** Raw content, or `lines` turned into JSONL. */
  content?: string
  lines?: unknown[]
  /** Repeat `lines` this many times (large files for download tests). */
  repeat?: number
}

export interface Scenario {
  name: string
  description: string
  /** Static batch fields; `id` defaults to `batch-<name>`. */
  batch: Record<string, unknown>
  timeline: TimelinePoint[]
  /** Scenario seconds between a cancel request and CANCELLED (status CANCELING in between). */
  cancelSeconds?: number
  files?: Record<string, ScenarioFile>
  faults?: Fault[]
  /** The `warning` of a `POST /v1/batches` answer that creates a batch of this scenario from a file. */
  createWarning?: string
}

function fail(name: string, message: string): never {
  throw new Error(`Scenario ${name}: ${message}`)
}

/** Checks a decoded scenario file and fills in defaults. */
export function validateScenario(name: string, raw: unknown): Scenario {
  if (typeof raw !== 'object' || raw === null) fail(name, 'is not a JSON object')
  const scenario = { name, ...(raw as Omit<Scenario, 'name'>) }
  if (!Array.isArray(scenario.timeline) || scenario.timeline.length === 0) fail(name, 'needs a non-empty timeline')
  let previous = -1
  for (const point of scenario.timeline) {
    if (typeof point.at !== 'number' || point.at < previous) fail(name, 'timeline times must be ascending numbers')
    if (typeof point.status !== 'string') fail(name, `timeline point at ${point.at}s has no status`)
    previous = point.at
  }
  // A decoded file may leave `batch` out, whatever the type says.
  const batch = scenario.batch as Scenario['batch'] | undefined
  scenario.batch = { id: `batch-${name}`, ...batch }
  return scenario
}

function loadScenario(path: string): Scenario {
  return validateScenario(basename(path, '.json'), JSON.parse(readFileSync(path, 'utf8')))
}

/** Every `*.json` scenario in a folder (the shipped ones by default). */
export function loadScenarios(dir: string = SCENARIO_DIR): Scenario[] {
  return readdirSync(dir)
    .filter(file => file.endsWith('.json'))
    .sort()
    .map(file => loadScenario(join(dir, file)))
}

/** JSONL bytes of a scenario file. */
export function fileContent(file: ScenarioFile): string {
  if (file.content !== undefined) return file.content
  const block = (file.lines ?? []).map(line => `${JSON.stringify(line)}\n`).join('')
  return block.repeat(file.repeat ?? 1)
}
