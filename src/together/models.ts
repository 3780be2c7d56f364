import { isRecord } from '../util/json.js'
import type { RequestOptions } from './types.js'

/** A model's list prices in US dollars per million tokens (OpenAPI schema `Pricing`, fields the action uses). */
export interface ModelPricing {
  input: number
  output: number
}

/** A model object from `GET /v1/models` (OpenAPI schema `ModelInfo`), fields the action uses. */
export interface ModelInfo {
  id: string
  /** Absent when the entry has no usable prices. */
  pricing?: ModelPricing
}

/** The model side of the client: used to price the tokens a batch used. */
export interface ModelsApi {
  listModels(options?: RequestOptions): Promise<ModelInfo[]>
}

/** Longer IDs are not model IDs; they are dropped rather than carried into maps and messages. */
const MAX_MODEL_ID = 256
/**
 * Dearer than any model has ever been listed at (US dollars per million tokens). A price above it is
 * treated as malformed, so a hostile answer cannot push an estimate to Infinity.
 */
const MAX_PRICE = 100_000

const price = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PRICE ? value : undefined

/** One model object, or undefined when it has no usable `id`. Prices of the wrong type are dropped. */
function parseModelInfo(value: unknown): ModelInfo | undefined {
  if (!isRecord(value) || typeof value.id !== 'string') return undefined
  const id = value.id.trim()
  if (id === '' || id.length > MAX_MODEL_ID) return undefined
  const pricing = isRecord(value.pricing) ? value.pricing : undefined
  const input = price(pricing?.input)
  const output = price(pricing?.output)
  return input !== undefined && output !== undefined ? { id, pricing: { input, output } } : { id }
}

/**
 * `GET /v1/models` answers a bare array of model objects (`null` for none); an OpenAI-style
 * `{"data": [...]}` is read too. Malformed entries are skipped. Undefined when the body is neither.
 */
export function parseModelList(value: unknown): ModelInfo[] | undefined {
  if (value === null) return []
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.data) ? value.data : undefined
  if (list === undefined) return undefined
  return list.map(parseModelInfo).filter((model): model is ModelInfo => model !== undefined)
}
