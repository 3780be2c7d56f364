import { isRecord, parseJson } from '../util/json.js'
import { errorMessage } from '../util/text.js'
import { checkedPath, type InputFile } from './input-file.js'
import { jsonLines } from './jsonl.js'

/** One failed request waiting to be found in the input file. */
interface Failure {
  code: string
  batchId: string
}

/**
 * Failed IDs kept for matching. Beyond it failures are only counted: a batch where every one of a
 * million requests failed must not hold a million IDs.
 */
export const MAX_TRACKED = 100_000
const MAX_ID = 200
const MAX_CODE = 100

/** The failed requests of every batch, by `custom_id`, filled while the result files are counted. */
export class FailureIndex {
  readonly byId = new Map<string, Failure>()
  /** Failed lines without a usable `custom_id` (unreadable lines, say). */
  withoutId = 0
  /** Failures past `MAX_TRACKED`. */
  untracked = 0

  /** Records one failed line; a `custom_id` seen before (another batch) keeps its first failure. */
  add(batchId: string, record: Record<string, unknown> | undefined, code: string): void {
    const id = customId(record?.custom_id)
    if (id === undefined) this.withoutId++
    else if (this.byId.has(id)) return
    else if (this.byId.size >= MAX_TRACKED) this.untracked++
    else this.byId.set(id, { code: code.slice(0, MAX_CODE), batchId })
  }
}

/** `custom_id` as a string (the API requires one; a number is read as its digits). */
function customId(value: unknown): string | undefined {
  const id = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
  return id !== undefined && id !== '' && id.length <= MAX_ID ? id : undefined
}

/** A failed request found on a line of the input file (1-based, as editors and annotations count). */
export interface MatchedLine {
  line: number
  customId: string
  code: string
  batchId: string
}

/** Where the failed requests are in the input file. */
export interface LineMatch {
  /** The input file's name in the workspace. */
  file: string
  /** Per error code: its first line and how many lines failed with it. */
  codes: Map<string, { first: MatchedLine; count: number }>
  /** The first `MAX_LINES` matched lines, in file order. */
  lines: MatchedLine[]
  matched: number
  /** Failed `custom_id`s that no line of the file has. */
  notInFile: number
  withoutId: number
  untracked: number
  /** Why the file could not be read, when it could not. */
  error?: string
}

/** Matched lines kept for the summary; the rest are only counted. */
const MAX_LINES = 120
/** Reading the input file must end: a slow network disk or a FIFO may not hold the step. */
const READ_TIMEOUT_MS = 120_000

function newMatch(file: string, index: FailureIndex): LineMatch {
  const { withoutId, untracked } = index
  return { file, codes: new Map(), lines: [], matched: 0, notInFile: 0, withoutId, untracked }
}

function record(match: LineMatch, line: number, id: string, failure: Failure): void {
  const matched: MatchedLine = { line, customId: id, ...failure }
  match.matched++
  const code = match.codes.get(failure.code)
  if (code) code.count++
  else match.codes.set(failure.code, { first: matched, count: 1 })
  if (match.lines.length < MAX_LINES) match.lines.push(matched)
}

/**
 * Streams the input file once and finds the line of each failed request by `custom_id`; stops early
 * once every failure is found. A line that is not JSON, or an ID no failure has, is skipped; a failed
 * ID the file does not have is counted in `notInFile`. Never throws: a file that cannot be read is
 * reported in `error`. The index is emptied as lines are found.
 */
export async function matchInputFile(index: FailureIndex, file: InputFile, signal?: AbortSignal): Promise<LineMatch> {
  const match = newMatch(file.name, index)
  const pending = index.byId
  try {
    if (pending.size > 0) {
      const path = await checkedPath(file)
      const bounded = AbortSignal.any([AbortSignal.timeout(READ_TIMEOUT_MS), ...(signal ? [signal] : [])])
      let line = 0
      for await (const raw of jsonLines(path, { signal: bounded })) {
        line++
        if (typeof raw !== 'string') continue
        // An editor's byte order mark would make the first line unreadable as JSON.
        const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw
        const id = customId(parseId(text))
        const failure = id === undefined ? undefined : pending.get(id)
        if (id === undefined || failure === undefined) continue
        pending.delete(id)
        record(match, line, id, failure)
        if (pending.size === 0) break
      }
    }
  } catch (error) {
    match.error = errorMessage(error)
  }
  // After a read error the IDs left over were not looked for, so they are not known to be missing.
  match.notInFile = match.error === undefined ? pending.size : 0
  return match
}

function parseId(text: string): unknown {
  const value = parseJson(text)
  return isRecord(value) ? value.custom_id : undefined
}
