import { isRecord, parseJson } from '../util/json.js'

/** Request counts of one batch, from its output and error files. */
export interface Tally {
  succeeded: number
  failed: number
  /** Failed requests by error code, with one example message each. */
  codes: Map<string, { count: number; example: string }>
}

export function emptyTally(): Tally {
  return { succeeded: 0, failed: 0, codes: new Map() }
}

type Json = Record<string, unknown>

/** The code of a line that is not a JSON object, or too long to read. */
export const UNREADABLE_LINE = 'unreadable_line'

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined

/** One counted line: its decoded JSON object (when it is one), and its error code when it failed. */
export interface CountedLine {
  record?: Json
  failedCode?: string
}

function fail(tally: Tally, code: string, message: string, record?: Json): CountedLine {
  tally.failed++
  const entry = tally.codes.get(code)
  if (entry) entry.count++
  else tally.codes.set(code, { count: 1, example: message })
  return { record, failedCode: code }
}

/** The code and message of an `error` object, or of a response's `body.error`. */
function describe(error: unknown, status?: number): [string, string] {
  const e = isRecord(error) ? error : {}
  const code = str(e.code) ?? str(e.type) ?? (status !== undefined ? `http_${status}` : 'unknown')
  return [code, str(e.message) ?? (status !== undefined ? `HTTP ${status}` : '')]
}

/**
 * Counts one line of a result file. In the output file a request succeeded when its
 * `response.status_code` is 2xx; everything else, and every line of the error file, failed, under the
 * code of its error. Blank lines are skipped; a line that is not a JSON object failed (`unreadable_line`).
 * Returns what the line held, so other counts (tokens, failed IDs) need not decode it again.
 */
function countLine(tally: Tally, line: string, successPossible: boolean): CountedLine | undefined {
  if (line.trim() === '') return undefined
  const record = parseJson(line)
  if (!isRecord(record)) return fail(tally, UNREADABLE_LINE, line.slice(0, 200))
  const response = isRecord(record.response) ? record.response : undefined
  const status = typeof response?.status_code === 'number' ? response.status_code : undefined
  if (successPossible && status !== undefined && status >= 200 && status < 300) {
    tally.succeeded++
    return { record }
  }
  const body = isRecord(response?.body) ? response.body : undefined
  const [code, message] = describe(record.error ?? body?.error, status)
  return fail(tally, code, message, record)
}

/** Counts a line too long to read (its length in bytes): a request that failed, unreadable. */
export const countLongLine = (tally: Tally, bytes: number): CountedLine =>
  fail(tally, UNREADABLE_LINE, `a line of ${bytes} bytes, too long to read`)

/** Counts one line of a batch output file; undefined for a blank line. */
export const countOutputLine = (tally: Tally, line: string): CountedLine | undefined => countLine(tally, line, true)

/** Counts one line of a batch error file: every request in it failed. */
export const countErrorLine = (tally: Tally, line: string): CountedLine | undefined => countLine(tally, line, false)

/** The counts of several batches added together. */
export function mergeTallies(tallies: readonly Tally[]): Tally {
  const total = emptyTally()
  for (const t of tallies) {
    total.succeeded += t.succeeded
    total.failed += t.failed
    for (const [code, v] of t.codes) {
      const entry = total.codes.get(code)
      if (entry) entry.count += v.count
      else total.codes.set(code, { ...v })
    }
  }
  return total
}

/** The `n` most common error codes, most frequent first (ties by code). */
export function topCodes(tally: Tally, n = 5): { code: string; count: number; example: string }[] {
  return [...tally.codes.entries()]
    .map(([code, v]) => ({ code, ...v }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
    .slice(0, n)
}
