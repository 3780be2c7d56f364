import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { checkedPath, type InputFile } from '../result-files/input-file.js'
import { jsonLines } from '../result-files/jsonl.js'
import { errorMessage } from '../util/text.js'
import type { SubmitEndpoint } from './request-rules.js'
import { checkRequestLine, type LineFault, type ProblemKind } from './request-rules.js'

/** Together's limits for one batch: requests per input file, and bytes (100 MB, counted as 10^6 bytes each). */
export const MAX_REQUESTS = 50_000
export const MAX_INPUT_BYTES = 100_000_000
/** Line problems kept with their text (annotations show 10, the summary a few more); the rest are counted. */
const KEPT_PROBLEMS = 100
/** Distinct models kept by name; requests for others are counted together. */
const KEPT_MODELS = 50
/** Reading the file must end: a slow network disk may not hold the step. */
const READ_TIMEOUT_MS = 5 * 60_000

/** A reason not to send the file: on a line (1-based, as editors count), or about the whole file. */
interface PreflightProblem {
  kind: ProblemKind
  line?: number
  message: string
}

/** What preflight found: the problems, what would be sent, and the content's hash. */
export interface PreflightReport {
  /** The input file's name in the workspace (what annotations name). */
  file: string
  /** The file to upload, symbolic links resolved; '' when it could not be found. */
  path: string
  endpoint: SubmitEndpoint
  /** File problems first, then the first line problems in file order; none means the file may be sent. */
  problems: PreflightProblem[]
  /** Every problem by kind, those past the kept ones included. */
  counts: Partial<Record<ProblemKind, number>>
  /** Lines, each one request. */
  requests: number
  bytes: number
  /** Requests per `body.model`, for the first distinct models; `otherModels` counts the rest. */
  models: Map<string, number>
  otherModels: number
  /** SHA-256 of the bytes read, hex; '' when the file was not read through. */
  sha256: string
}

/** A `custom_id` as kept for the duplicate check: itself when short, its hash when long (bounded memory). */
const idKey = (id: string): string => (id.length <= 64 ? id : `#${createHash('sha256').update(id).digest('base64')}`)

function add(report: PreflightReport, problem: PreflightProblem): void {
  report.counts[problem.kind] = (report.counts[problem.kind] ?? 0) + 1
  if (problem.line === undefined) report.problems.unshift(problem)
  else if (report.problems.filter(p => p.line !== undefined).length < KEPT_PROBLEMS) report.problems.push(problem)
}

/** The file to read and its size, or a file problem (missing, outside the workspace, empty, too large). */
async function sized(file: InputFile, report: PreflightReport): Promise<boolean> {
  try {
    report.path = await checkedPath(file)
    report.bytes = (await stat(report.path)).size
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT'
    add(report, { kind: 'unreadable', message: missing ? 'it does not exist' : errorMessage(error) })
    return false
  }
  if (report.bytes === 0) add(report, { kind: 'empty', message: 'it is empty' })
  else if (report.bytes > MAX_INPUT_BYTES) {
    add(report, {
      kind: 'too-large',
      message: `it holds ${report.bytes} bytes, over Together's ${MAX_INPUT_BYTES} (100 MB) per input file; split it`
    })
  }
  return report.problems.length === 0
}

/** Reads the file once: every line checked, the bytes hashed and counted. */
async function scan(report: PreflightReport, signal: AbortSignal | undefined): Promise<void> {
  const hash = createHash('sha256')
  const seen = new Map<string, number>()
  let bytes = 0
  let line = 0
  const fault = (fault: LineFault): void => add(report, { ...fault, line })
  const lines = jsonLines(report.path, {
    signal: AbortSignal.any([AbortSignal.timeout(READ_TIMEOUT_MS), ...(signal ? [signal] : [])]),
    checkUtf8: true,
    onChunk: chunk => {
      hash.update(chunk)
      bytes += chunk.length
    }
  })
  for await (const text of lines) {
    line++
    if (typeof text !== 'string') {
      if ('notUtf8' in text) fault({ kind: 'not-utf8', message: 'not valid UTF-8' })
      else fault({ kind: 'too-long', message: `a line of ${text.bytes} bytes, too long to read` })
      continue
    }
    const request = checkRequestLine(text, report.endpoint, line === 1)
    if ('kind' in request) {
      fault(request)
      continue
    }
    // Past the limit the file is refused anyway: IDs are no longer kept.
    const key = idKey(request.customId)
    const earlier = line <= MAX_REQUESTS ? seen.get(key) : undefined
    if (earlier !== undefined) fault({ kind: 'duplicate-custom-id', message: `custom_id repeats line ${earlier}` })
    else if (line <= MAX_REQUESTS) seen.set(key, line)
    if (request.model === undefined) continue
    const known = report.models.get(request.model)
    if (known !== undefined || report.models.size < KEPT_MODELS) report.models.set(request.model, (known ?? 0) + 1)
    else report.otherModels++
  }
  report.requests = line
  report.bytes = bytes
  report.sha256 = hash.digest('hex')
}

/**
 * Checks `input-file` before a byte leaves the runner, in one streamed pass with bounded memory: it
 * exists inside the workspace, is not empty, holds at most 100 MB and 50,000 requests, is UTF-8, and
 * each line (split at LF as JSONL is) is a request for `endpoint` (see `request-rules.ts`) with a
 * `custom_id` unique in the file. Also counts requests, models and bytes, and hashes the content (for
 * `reuse`). Problems are returned, not thrown; throws only when `signal` aborts.
 */
export async function preflight(
  file: InputFile,
  endpoint: SubmitEndpoint,
  signal?: AbortSignal
): Promise<PreflightReport> {
  const report: PreflightReport = {
    file: file.name,
    path: '',
    endpoint,
    problems: [],
    counts: {},
    requests: 0,
    bytes: 0,
    models: new Map(),
    otherModels: 0,
    sha256: ''
  }
  if (!(await sized(file, report))) return report
  try {
    await scan(report, signal)
  } catch (error) {
    if (signal?.aborted) throw error
    report.sha256 = ''
    // Only the read timeout aborts the read when the step's signal has not.
    const timedOut = ['AbortError', 'TimeoutError'].includes(String((error as { name?: unknown }).name))
    const why = timedOut ? `it could not be read within ${READ_TIMEOUT_MS / 60_000} minutes` : errorMessage(error)
    add(report, { kind: 'unreadable', message: why })
    return report
  }
  if (report.requests > MAX_REQUESTS) {
    const message = `it holds ${report.requests} requests, over Together's ${MAX_REQUESTS} per batch; split it`
    add(report, { kind: 'too-many-requests', message })
  }
  return report
}
