import { isRecord } from '../util/json.js'

/** Requests and tokens of one model, summed over result-file lines. */
export interface ModelUsage {
  requests: number
  promptTokens: number
  completionTokens: number
  totalTokens: number
  /** Lines with a `usage` whose counts could not be read: what they cost is unknown. */
  uncounted: number
}

/**
 * Usage per model ID. The key is the line's `response.body.model`, else the batch's `model_id`;
 * `UNKNOWN_MODEL` when neither names one, `OTHER_MODELS` for models past `MAX_MODELS`.
 */
export type Usage = Map<string, ModelUsage>

export const UNKNOWN_MODEL = ''
/** Not a possible model ID (IDs are trimmed and never start with a control character). */
export const OTHER_MODELS = '\u0000other'
/** Distinct models kept per batch: a hostile file naming a new model on every line stays small. */
export const MAX_MODELS = 50
/** Model names longer than this are cut: the key is shown in the summary and the log. */
const MAX_MODEL_ID = 256

/** A token count: a non-negative safe integer, else not a count at all. */
const tokens = (v: unknown): number | undefined =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined

export const emptyUsage = (): Usage => new Map()
export const zeroUsage = (): ModelUsage => ({
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  uncounted: 0
})

function entryFor(usage: Usage, model: string): ModelUsage {
  const key = usage.has(model) || usage.size < MAX_MODELS ? model : OTHER_MODELS
  let entry = usage.get(key)
  if (!entry) usage.set(key, (entry = zeroUsage()))
  return entry
}

/** A count as given: undefined when absent, null when present but not a count. */
const given = (v: unknown): number | null | undefined => (v === undefined ? undefined : (tokens(v) ?? null))

/**
 * Adds one result-file line (`record`, its decoded JSON; undefined when unreadable): a request of its
 * model, with the tokens of `response.body.usage` when it has them. Lines without usage (audio
 * endpoints, failed requests) count as requests with no tokens; a missing count is 0 (embeddings
 * give no `completion_tokens`), and `total_tokens`, when absent, is prompt plus completion. A usage
 * whose counts cannot be read (a string, a fraction, a negative or huge number, or only a total that
 * cannot be split into prompt and completion) is `uncounted`: its cost is unknown, never 0.
 */
export function addUsage(usage: Usage, record: unknown, fallbackModel: string): void {
  const response = isRecord(record) && isRecord(record.response) ? record.response : undefined
  const body = isRecord(response?.body) ? response.body : undefined
  const named = typeof body?.model === 'string' ? body.model.trim().slice(0, MAX_MODEL_ID) : ''
  const entry = entryFor(usage, named || fallbackModel.trim() || UNKNOWN_MODEL)
  entry.requests++
  const counts = isRecord(body?.usage) ? body.usage : undefined
  if (!counts) return
  const prompt = given(counts.prompt_tokens)
  const completion = given(counts.completion_tokens)
  const total = given(counts.total_tokens)
  const totalOnly = prompt === undefined && completion === undefined && (total ?? 0) > 0
  if (prompt === null || completion === null || total === null || totalOnly) {
    entry.uncounted++
    return
  }
  entry.promptTokens += prompt ?? 0
  entry.completionTokens += completion ?? 0
  entry.totalTokens += total ?? (prompt ?? 0) + (completion ?? 0)
}

function add(into: ModelUsage, from: ModelUsage): void {
  into.requests += from.requests
  into.promptTokens += from.promptTokens
  into.completionTokens += from.completionTokens
  into.totalTokens += from.totalTokens
  into.uncounted += from.uncounted
}

/** The usage of several batches, per model. */
export function mergeUsage(list: readonly Usage[]): Usage {
  const merged = emptyUsage()
  for (const usage of list) {
    for (const [model, entry] of usage) {
      const into = merged.get(model)
      if (into) add(into, entry)
      else merged.set(model, { ...entry })
    }
  }
  return merged
}

/** All models together. */
export function totalUsage(usage: Usage): ModelUsage {
  const total = zeroUsage()
  for (const entry of usage.values()) add(total, entry)
  return total
}

/** Whether any line reported tokens: only then are prices needed. */
export const hasTokens = (usage: Usage): boolean =>
  [...usage.values()].some(u => u.promptTokens > 0 || u.completionTokens > 0)

/** How a usage key reads in the summary and in messages (before escaping). */
export function modelLabel(model: string): string {
  if (model === UNKNOWN_MODEL) return '(model not named)'
  if (model === OTHER_MODELS) return `(more than ${MAX_MODELS} models)`
  return model
}
