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
 * `reuse`: which earlier batch of identical input (same bytes, same endpoint) is used instead of
 * creating one. `running` (default): one not final yet; `completed`: also a COMPLETED one; `never`:
 * always a new batch. FAILED, EXPIRED and CANCELLED batches are never reused; an identical uploaded
 * file is reused in every mode.
 */
export const REUSE_MODES = ['running', 'completed', 'never'] as const
export type ReuseMode = (typeof REUSE_MODES)[number]

export function isReuseMode(value: string): value is ReuseMode {
  return (REUSE_MODES as readonly string[]).includes(value)
}
