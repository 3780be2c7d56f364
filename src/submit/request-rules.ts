import { isRecord } from '../util/json.js'

/**
 * The endpoints a batch can be created for: the union of what Together's SDKs accept for
 * `POST /v1/batches` (together-python `BatchEndpoint`: chat/completions and completions;
 * together-typescript `BatchCreateParams.endpoint`: chat/completions and the two audio ones). The spec
 * only types it as a string. The first is the default of the `endpoint` input.
 */
export const SUBMIT_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/audio/transcriptions',
  '/v1/audio/translations'
] as const
export type SubmitEndpoint = (typeof SUBMIT_ENDPOINTS)[number]

export function isSubmitEndpoint(value: string): value is SubmitEndpoint {
  return (SUBMIT_ENDPOINTS as readonly string[]).includes(value)
}

/**
 * What is wrong with an input file, or with one of its lines; each kind as a count reads in a
 * sentence: `3 not JSON`, `2 duplicate custom_id`.
 */
export const PROBLEM_LABELS = {
  // The file as a whole.
  unreadable: 'unreadable file',
  empty: 'empty file',
  'too-large': 'file over the size limit',
  'too-many-requests': 'file over the request limit',
  // One line.
  'not-utf8': 'not UTF-8',
  'too-long': 'line too long to read',
  'not-json': 'not JSON',
  'not-object': 'not a JSON object',
  'custom-id': 'without a custom_id',
  'duplicate-custom-id': 'duplicate custom_id',
  body: 'without a body object',
  model: 'without body.model',
  messages: 'without body.messages',
  prompt: 'without body.prompt'
} as const
export type ProblemKind = keyof typeof PROBLEM_LABELS

/** A problem with one line, before it knows its line number. */
export interface LineFault {
  kind: ProblemKind
  message: string
}

/** The parts of a request line the file-wide checks need. */
export interface CheckedRequest {
  customId: string
  /** `body.model`, when it is a non-empty string. */
  model?: string
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''

/** The body rules of the endpoints whose bodies the action knows: chat needs messages, completions a prompt. */
function bodyFault(body: Record<string, unknown>, endpoint: SubmitEndpoint): LineFault | undefined {
  const chat = endpoint === '/v1/chat/completions'
  if (!chat && endpoint !== '/v1/completions') return undefined
  if (!nonEmptyString(body.model)) {
    return { kind: 'model', message: `body.model must be a non-empty string (the model for ${endpoint})` }
  }
  if (chat && !(Array.isArray(body.messages) && body.messages.length > 0)) {
    return { kind: 'messages', message: 'body.messages must be a non-empty array of chat messages' }
  }
  const prompt = body.prompt
  if (!chat && !(nonEmptyString(prompt) || (Array.isArray(prompt) && prompt.length > 0))) {
    return { kind: 'prompt', message: 'body.prompt must be a non-empty string or array' }
  }
  return undefined
}

/**
 * Checks one line's text as a request for `endpoint`: a JSON object with a non-empty string
 * `custom_id` and a `body` object, and for chat or completions a `body.model` and `messages` or
 * `prompt`. `first` marks the file's first line, where a byte order mark is pointed out.
 */
export function checkRequestLine(text: string, endpoint: SubmitEndpoint, first: boolean): LineFault | CheckedRequest {
  if (text.trim() === '') return { kind: 'not-json', message: 'an empty line; every line must be one request' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    const bom = first && text.startsWith('\uFEFF')
    const message = bom ? 'starts with a byte order mark; save the file as UTF-8 without BOM' : 'not valid JSON'
    return { kind: 'not-json', message }
  }
  if (!isRecord(value)) return { kind: 'not-object', message: 'a request must be a JSON object' }
  const id = value.custom_id
  if (!nonEmptyString(id)) {
    return { kind: 'custom-id', message: 'custom_id must be a non-empty string, unique in the file' }
  }
  if (!isRecord(value.body)) return { kind: 'body', message: `body must be the request object for ${endpoint}` }
  const fault = bodyFault(value.body, endpoint)
  if (fault) return fault
  const model = value.body.model
  return nonEmptyString(model) ? { customId: id, model } : { customId: id }
}
