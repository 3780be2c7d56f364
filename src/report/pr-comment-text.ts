import { escapeText } from './escape.js'

/** One batch's line in the pull request comment. */
export interface CommentRow {
  batchId: string
  /** ✅ passed, ❌ failed, 🔄 still running. */
  icon: '✅' | '❌' | '🔄'
  status: string
  /** `998 ok, 2 failed`, when the files were counted. */
  requests: string
}

/** GitHub refuses a comment body of 65,536 characters or more; this leaves room for the frame. */
const MAX_BODY = 60_000

/**
 * The layout of the rows this version writes, named in each row's hidden marker:
 * `| ✅ <id> | <status> | <n> ok, <m> failed | [run](<url>) | <!-- row:v2:<id> -->`. Version 1 (the
 * first release) wrote the same cells with an unversioned marker, `<!-- row:<id> -->`. A version that
 * changes the cells reads the rows of every earlier version still, so an upgrade loses no row.
 */
const ROW_VERSION = 2
const ROW_MARKER = /<!-- row:(?:v(\d{1,4}):)?([A-Za-z0-9._-]{1,200}) -->$/

/** The comment's context when the step sets no commit status. */
export const DEFAULT_CONTEXT = 'batches'

export const commentMarker = (context: string): string =>
  `<!-- wait-for-together-batch:${context.replace(/--+|[<>\r\n]/g, '_')} -->`

function renderRow(row: CommentRow, runUrl: string): string {
  const run = runUrl ? `[run](${runUrl})` : ''
  const cells = [
    `${row.icon} ${escapeText(row.batchId, 200)}`,
    escapeText(row.status || 'unknown', 40),
    row.requests,
    run
  ]
  return `| ${cells.join(' | ')} | <!-- row:v${ROW_VERSION}:${row.batchId} -->`
}

const ICONS = new Set<string>(['✅', '❌', '🔄'])
const STATUS = /^[A-Za-z_]{1,40}$/
const REQUESTS = /^(\d{1,15} ok, \d{1,15} failed)?$/
const RUN = /^\[run\]\((https?:\/\/[^\s()<>]+\/actions\/runs\/\d{1,20})\)$/

/** A row of the comment as found: the version and batch ID of its marker, and its cells. */
interface FoundRow {
  version: number
  id: string
  cells: string[]
}

function splitRow(line: string): FoundRow | undefined {
  const match = ROW_MARKER.exec(line)
  if (!match) return undefined
  const [marker, version = '1', id = ''] = match
  const end = ` | ${marker}`
  if (!line.startsWith('| ') || !line.endsWith(end)) return undefined
  return { version: Number(version), id, cells: line.slice(2, -end.length).split(' | ') }
}

/** The URL of a `[run](…)` cell when it links to a run of the repository of `runUrl`. */
function runLink(cell: string, runUrl: string): string | undefined {
  const link = RUN.exec(cell)?.[1]
  const repositoryRuns = runUrl.slice(0, runUrl.lastIndexOf('/') + 1)
  if (link === undefined || !repositoryRuns || !link.startsWith(repositoryRuns)) return undefined
  return /^\d+$/.test(link.slice(repositoryRuns.length)) ? link : undefined
}

/**
 * A row of a version this code knows, kept only in the exact form that version wrote (a plain batch
 * ID, an icon, a status word, counts, a link to a run of this repository) and written anew in today's
 * layout from those fields, so nothing else of the found text (which anyone may have written) is
 * carried on.
 */
function readRow(found: FoundRow, runUrl: string): string | undefined {
  const [first = '', status = '', requests = '', run = '', ...rest] = found.cells
  const icon = Array.from(first)[0] ?? ''
  const link = runLink(run, runUrl)
  if (rest.length > 0 || !ICONS.has(icon) || !REQUESTS.test(requests)) return undefined
  if (run !== '' && link === undefined) return undefined
  const row: CommentRow = {
    batchId: found.id,
    icon: icon as CommentRow['icon'],
    status: STATUS.test(status) ? status : 'unknown',
    requests
  }
  return renderRow(row, link ?? '')
}

/**
 * Whether a cell is what `escapeText` writes (what it reads as, escaped again, gives it back: no
 * HTML, link, mention or line break of its own) or a link to a run of this repository.
 */
function inert(cell: string, runUrl: string): boolean {
  if (runLink(cell, runUrl) !== undefined) return true
  const decoded = cell.replace(/&#(\d{1,7});/g, (entity, code: string) =>
    Number(code) <= 0x10ffff ? String.fromCodePoint(Number(code)) : entity
  )
  return escapeText(decoded) === cell
}

/**
 * A row of the comment as found, as it goes into the new body: a row of this or an earlier version
 * is read and written anew (see `readRow`); a row of a later version (written by a newer release of
 * the action on the same pull request) is kept as it is when every cell is inert. Anything else is
 * left out.
 */
function previousRow(line: string, runUrl: string): [string, string] | undefined {
  const found = splitRow(line)
  if (!found || found.version < 1) return undefined
  if (found.version <= ROW_VERSION) {
    const row = readRow(found, runUrl)
    return row === undefined ? undefined : [found.id, row]
  }
  return found.cells.every(cell => inert(cell, runUrl)) ? [found.id, line] : undefined
}

/**
 * The comment's body: a row per batch, this update's rows replacing the same batches' rows of the
 * comment as it was (`previous`), whatever version wrote them, so that batches reported in earlier
 * runs keep their line. Only rows that pass `previousRow` are carried over.
 */
export function renderComment(context: string, rows: readonly CommentRow[], runUrl: string, previous = ''): string {
  const lines = new Map<string, string>()
  for (const line of previous.split(/\r?\n/)) {
    const kept = previousRow(line, runUrl)
    if (kept) lines.set(...kept)
  }
  for (const row of rows) lines.set(row.batchId, renderRow(row, runUrl))
  const head = `${commentMarker(context)}\n### Together batches · ${escapeText(context, 100)}\n\n| Batch | Status | Requests | Run |\n| --- | --- | --- | --- |\n`
  let body = head
  let left = lines.size
  for (const line of lines.values()) {
    if (body.length + line.length + 1 > MAX_BODY) break
    body += `${line}\n`
    left--
  }
  return left > 0 ? `${body}\nAnd ${left} more batches (see the workflow runs).\n` : body
}
