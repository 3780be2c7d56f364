import { checkHead, jsonOf, notJsonError, readWithin, tooLargeError, unexpectedAnswer } from './answers.js'
import type { SizeBound } from './answers.js'
import { badIdField, isPlainId } from './ids.js'
import { JsonArraySplitter } from './json-array.js'
import { listOf, parseBatchJob } from './parse.js'
import type { Response, Transport } from './transport.js'
import type { BatchJob } from './types.js'
import { redactJson } from '../sanitize/redact.js'
import { isRecord } from '../util/json.js'

/** The most read of the batch list: about 30,000 batches (a busy account's 6,000 take about 3 MB). */
export const DEFAULT_MAX_LIST_BYTES = 16 * 1024 ** 2
/** The list request, as messages name it. */
export const LIST_WHAT = 'GET /batches'

/** How a list over its bound is refused: no retry makes it smaller (the caller reads batch by batch instead). */
const LIST_BOUND = { of: 'a batch list', kind: 'unsupported-response' } as const

/**
 * A list entry (`text`, one element of the array, decoded as `value`) as a batch, parsed like a single
 * answer (fields of the wrong type dropped), or undefined without a plain `id` or with file IDs that
 * are not plain: such an entry is left out, and a caller reads a batch missing from the list with its
 * own request. Secrets are redacted first, as from every answer.
 */
function listedBatch(text: string, value: unknown, redact: (text: string) => string): BatchJob | undefined {
  // A secret in a string shows in the entry's text in one of the forms the redactor knows (raw or
  // JSON-escaped): text it leaves alone has no secret to redact in any string.
  const job = parseBatchJob(redact(text) === text ? value : redactJson(value, redact))
  return typeof job?.id === 'string' && isPlainId(job.id) && badIdField(job) === undefined ? job : undefined
}

/** Streams the body through the splitter, entry by entry, within the bound; what came instead of an array, if anything. */
async function splitEntries(
  response: Response,
  bound: SizeBound,
  take: (entry: string) => void
): Promise<string | undefined> {
  const splitter = new JsonArraySplitter(bytes => take(bytes.toString('utf8')))
  try {
    const cut = await readWithin(response.body, bound.maxBytes, chunk => splitter.push(chunk))
    if (cut) throw tooLargeError(LIST_WHAT, bound)
    return splitter.end()
  } catch (error) {
    if (error instanceof SyntaxError) throw notJsonError(LIST_WHAT, response.status)
    throw error
  }
}

/** Whether an entry is one of the batches `only` names (any entry, without `only`). */
function kept(value: unknown, only: ReadonlySet<string> | undefined): boolean {
  return only === undefined || (isRecord(value) && typeof value.id === 'string' && only.has(value.id))
}

/**
 * Reads the answer to `GET /batches`, every batch of the account (not paginated; `null` is an empty
 * list), as a stream: one entry at a time is decoded, and only the entries kept are held (those of
 * `only`, when given). An answer over `maxBytes` (announced or not) is refused; so are an HTTP error,
 * an HTML page, and a body that is neither an array, `{"data": [...]}` nor `null`. Entries that are
 * not batches with plain IDs are left out (see `listedBatch`).
 */
export async function readBatchList(
  response: Response,
  limits: { maxBytes: number; only?: ReadonlySet<string> },
  transport: Transport
): Promise<BatchJob[]> {
  const { maxBytes, only } = limits
  const bound: SizeBound = { maxBytes, ...LIST_BOUND }
  await checkHead(LIST_WHAT, response, transport, bound)
  const jobs: BatchJob[] = []
  const other = await splitEntries(response, bound, entry => {
    const value: unknown = JSON.parse(entry)
    const job = kept(value, only) ? listedBatch(entry, value, transport.redact) : undefined
    if (job) jobs.push(job)
  })
  if (other === undefined) return jobs
  const list = listOf(jsonOf(LIST_WHAT, response, other))
  if (list === undefined) throw unexpectedAnswer(LIST_WHAT, 'a list of batches')
  return list
    .filter(entry => kept(entry, only))
    .map(entry => listedBatch(JSON.stringify(entry), entry, transport.redact))
    .filter(job => job !== undefined)
}
