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
const ROW_ID = /<!-- row:([A-Za-z0-9._-]{1,200}) -->$/

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
  return `| ${cells.join(' | ')} | <!-- row:${row.batchId} -->`
}

const ICONS = new Set<string>(['✅', '❌', '🔄'])
const STATUS = /^[A-Za-z_]{1,40}$/
const REQUESTS = /^(\d{1,15} ok, \d{1,15} failed)?$/
const RUN = /^\[run\]\((https?:\/\/[^\s()<>]+\/actions\/runs\/\d{1,20})\)$/

/**
 * A row of the comment as found: only a row in the exact form `renderRow` writes, with a plain batch
 * ID, a status word, counts and a link to a run of this repository, is kept; the row is written anew
 * from those fields, so nothing else of the found text (which anyone may have written) is carried on.
 */
function previousRow(line: string, runUrl: string): [string, string] | undefined {
  const id = ROW_ID.exec(line)?.[1]
  const end = ` | <!-- row:${id ?? ''} -->`
  if (id === undefined || !line.startsWith('| ') || !line.endsWith(end)) return undefined
  const [first = '', status = '', requests = '', run = '', ...rest] = line.slice(2, -end.length).split(' | ')
  const icon = Array.from(first)[0] ?? ''
  const link = RUN.exec(run)?.[1]
  const repositoryRuns = runUrl.slice(0, runUrl.lastIndexOf('/') + 1)
  if (rest.length > 0 || !ICONS.has(icon) || !REQUESTS.test(requests)) return undefined
  if (run !== '' && (link === undefined || !repositoryRuns || !link.startsWith(repositoryRuns))) return undefined
  const row: CommentRow = {
    batchId: id,
    icon: icon as CommentRow['icon'],
    status: STATUS.test(status) ? status : 'unknown',
    requests
  }
  return [id, renderRow(row, link ?? '')]
}

/**
 * The comment's body: a row per batch, this update's rows replacing the same batches' rows of the
 * comment as it was (`previous`), so that batches reported in earlier runs keep their line. Only rows
 * in the form this function writes are carried over, rewritten from their fields (see `previousRow`).
 */
export function renderComment(context: string, rows: readonly CommentRow[], runUrl: string, previous = ''): string {
  const lines = new Map<string, string>()
  for (const line of previous.split('\n')) {
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
