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
const ROW_ID = /<!-- row:([A-Za-z0-9._-]{1,200}) -->/

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

/**
 * The comment's body: a row per batch, this update's rows replacing the same batches' rows of the
 * comment as it was (`previous`), so that batches reported in earlier runs keep their line. Only
 * lines this function wrote before (ending in a row marker) are carried over, never other text.
 */
export function renderComment(context: string, rows: readonly CommentRow[], runUrl: string, previous = ''): string {
  const lines = new Map<string, string>()
  for (const line of previous.split('\n')) {
    const id = ROW_ID.exec(line)?.[1]
    if (id && line.startsWith('| ') && line.endsWith(` <!-- row:${id} -->`)) lines.set(id, line)
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
