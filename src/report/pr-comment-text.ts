import { FAILED_ON, type FailedOn } from '../verdict/judge-batch.js'
import { dollarsHtml } from './cost-summary.js'
import { escapeText, statusText } from './escape.js'
import { commentHeadline, type CommentRow } from './headline.js'

export type { CommentRow }

/** GitHub refuses a comment body of 65,536 characters or more; this leaves room for the frame. */
const MAX_BODY = 60_000
/** A row's reason is cut here: the run summary has the whole verdict. */
const MAX_REASON = 300

/**
 * The layout of the rows this version writes, named in each row's hidden marker:
 * `| ❌ <id> | <status> | <n> ok, <m> failed | <cost> | <why> | [run](<url>) | <!-- row:v3:<id>:<failed-on> -->`.
 * Version 2 wrote `| ✅ <id> | <status> | <n> ok, <m> failed | [run](<url>) | <!-- row:v2:<id> -->`;
 * version 1 (the first release) the same cells with an unversioned marker, `<!-- row:<id> -->`. A
 * version that changes the cells reads the rows of every earlier version still, so an upgrade loses no row.
 */
const ROW_VERSION = 3
const ROW_MARKER = /<!-- row:(?:v(\d{1,4}):)?([A-Za-z0-9._-]{1,200})(?::([a-z-]{1,40}))? -->$/

/** The comment's context when the step sets no commit status. */
export const DEFAULT_CONTEXT = 'batches'

export const commentMarker = (context: string): string =>
  `<!-- wait-for-together-batch:${context.replace(/--+|[<>\r\n]/g, '_')} -->`

/** The cells a batch's row starts with, here and in the summary of mode `report`: icon and batch, status, requests. */
export const batchCells = (row: CommentRow): string[] => [
  `${row.icon} ${escapeText(row.batchId, 200)}`,
  statusText(row.status),
  row.requests ? `${row.requests.ok} ok, ${row.requests.failed} failed` : ''
]

function renderRow(row: CommentRow, runUrl: string): string {
  const run = runUrl ? `[run](${runUrl})` : ''
  const cost = row.cost === undefined ? '' : dollarsHtml(row.cost)
  const cells = [...batchCells(row), cost, escapeText(row.reason, MAX_REASON), run]
  const failedOn = row.failedOn ? `:${row.failedOn}` : ''
  return `| ${cells.join(' | ')} | <!-- row:v${ROW_VERSION}:${row.batchId}${failedOn} -->`
}

/** The icons a row starts with: failed rows first, then the ones still running, then the ones that passed. */
const RANK = { '❌': 0, '🔄': 1, '✅': 2 } as const
const STATUS = /^[A-Za-z_]{1,40}$/
const REQUESTS = /^(?:(\d{1,15}) ok, (\d{1,15}) failed)?$/
const COST = /^(?:&#36;(\d{1,12}\.\d{4}))?$/
const RUN = /^\[run\]\((https?:\/\/[^\s()<>]+\/actions\/runs\/\d{1,20})\)$/

/** A row of the comment as found: the version, batch ID and failed-on word of its marker, and its cells. */
interface FoundRow {
  version: number
  id: string
  failedOn?: string
  cells: string[]
}

function splitRow(line: string): FoundRow | undefined {
  const match = ROW_MARKER.exec(line)
  if (!match) return undefined
  const [marker, version = '1', id = '', failedOn] = match
  const end = ` | ${marker}`
  if (!line.startsWith('| ') || !line.endsWith(end)) return undefined
  return { version: Number(version), id, failedOn, cells: line.slice(2, -end.length).split(' | ') }
}

/** The URL of a `[run](…)` cell when it links to a run of the repository of `runUrl`. */
function runLink(cell: string, runUrl: string): string | undefined {
  const link = RUN.exec(cell)?.[1]
  const repositoryRuns = runUrl.slice(0, runUrl.lastIndexOf('/') + 1)
  if (link === undefined || !repositoryRuns || !link.startsWith(repositoryRuns)) return undefined
  return /^\d+$/.test(link.slice(repositoryRuns.length)) ? link : undefined
}

/** What `escapeText` wrote, read back as the text it escaped. */
const unescaped = (cell: string): string =>
  cell.replace(/&#(\d{1,7});/g, (entity, code: string) =>
    Number(code) <= 0x10ffff ? String.fromCodePoint(Number(code)) : entity
  )

/** A row as it goes into the new body: its fields (for the headline and the order) and its line. */
interface Entry {
  row: CommentRow
  line: string
}

/**
 * The batch, icon and status word a found row starts with, as every version wrote them (a status
 * that is not a plain word reads `unknown`); undefined when its first cell has no icon this code writes.
 */
function rowStart(found: FoundRow): Pick<CommentRow, 'batchId' | 'icon' | 'status'> | undefined {
  const [first = '', status = ''] = found.cells
  const icon = Array.from(first)[0] ?? ''
  if (!Object.hasOwn(RANK, icon)) return undefined
  return { batchId: found.id, icon: icon as CommentRow['icon'], status: STATUS.test(status) ? status : 'unknown' }
}

/**
 * A row of a version this code knows, kept only in the exact form that version wrote (a plain batch
 * ID, an icon, a status word, counts, an amount, an inert reason, a link to a run of this repository)
 * and read back into its fields, then written anew, so nothing else of the found text (which anyone
 * may have written) is carried on.
 */
function readRow(found: FoundRow, runUrl: string): Entry | undefined {
  const layout =
    found.version >= 3
      ? found.cells
      : [found.cells[0], found.cells[1], found.cells[2], '', '', found.cells[3], ...found.cells.slice(4)]
  const [, , requests = '', cost = '', why = '', run = '', ...rest] = layout
  const start = rowStart(found)
  const link = runLink(run, runUrl)
  const counts = REQUESTS.exec(requests)
  const amount = COST.exec(cost)
  const failedOn = FAILED_ON.find(f => f === found.failedOn)
  if (rest.length > 0 || !start || !counts || !amount || !inert(why, runUrl)) return undefined
  if (run !== '' && link === undefined) return undefined
  const row: CommentRow = {
    ...start,
    ...(counts[1] !== undefined ? { requests: { ok: Number(counts[1]), failed: Number(counts[2]) } } : {}),
    ...(amount[1] !== undefined ? { cost: Number(amount[1]) } : {}),
    ...(failedOn ? { failedOn } : {}),
    reason: unescaped(why)
  }
  return { row, line: renderRow(row, link ?? '') }
}

/**
 * Whether a cell is what `escapeText` writes (what it reads as, escaped again, gives it back: no
 * HTML, link, mention or line break of its own) or a link to a run of this repository.
 */
function inert(cell: string, runUrl: string): boolean {
  if (runLink(cell, runUrl) !== undefined) return true
  return escapeText(unescaped(cell)) === cell
}

/**
 * A row of the comment as found, as it goes into the new body: a row of this or an earlier version
 * is read and written anew (see `readRow`); a row of a later version (written by a newer release of
 * the action on the same pull request) is kept as it is when every cell is inert, and counted by
 * its icon and status. Anything else is left out.
 */
function previousRow(line: string, runUrl: string): Entry | undefined {
  const found = splitRow(line)
  if (!found || found.version < 1) return undefined
  if (found.version <= ROW_VERSION) return readRow(found, runUrl)
  const start = rowStart(found)
  if (!start || !found.cells.every(cell => inert(cell, runUrl))) return undefined
  return { row: { ...start, reason: '' }, line }
}

/**
 * The comment's body: a headline with the verdict and the totals over every row, then a row per
 * batch, failed first. This update's rows replace the same batches' rows of the comment as it was
 * (`previous`), whatever version wrote them, so that batches reported in earlier runs keep their
 * line; only rows that pass `previousRow` are carried over. Past GitHub's size limit the rows are
 * cut, and the headline still counts them all. `stepFailure`: what failed the step besides its rows.
 */
export function renderComment(
  context: string,
  rows: readonly CommentRow[],
  runUrl: string,
  previous = '',
  stepFailure?: FailedOn
): string {
  const entries = new Map<string, Entry>()
  for (const line of previous.split(/\r?\n/)) {
    const kept = previousRow(line, runUrl)
    if (kept) entries.set(kept.row.batchId, kept)
  }
  for (const row of rows) entries.set(row.batchId, { row, line: renderRow(row, runUrl) })
  const all = [...entries.values()].sort((a, b) => RANK[a.row.icon] - RANK[b.row.icon])
  const head = [
    commentMarker(context),
    `### Together batches · ${escapeText(context, 100)}`,
    '',
    commentHeadline(
      all.map(e => e.row),
      stepFailure
    ),
    '',
    '| Batch | Status | Requests | Estimated cost | Why | Run |',
    '| --- | --- | --- | --- | --- | --- |',
    ''
  ].join('\n')
  let body = head
  let left = all.length
  for (const { line } of all) {
    if (body.length + line.length + 1 > MAX_BODY) break
    body += `${line}\n`
    left--
  }
  return left > 0 ? `${body}\nAnd ${left} more (all in the run summary).\n` : body
}
