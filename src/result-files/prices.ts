import type { Logger } from '../engine/types.js'
import { TogetherError, type ModelsApi } from '../together/index.js'
import { retryDelay } from '../util/backoff.js'
import { errorMessage } from '../util/text.js'
import type { PriceList } from './cost.js'

export interface PriceDeps {
  api: ModelsApi
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
  log: Logger
  signal?: AbortSignal
}

const ATTEMPTS = 3
/** One `GET /v1/models`: the list is a few hundred kilobytes, so this is generous. */
const MODELS_TIMEOUT_MS = 30_000
const MAX_RETRY_MS = 10_000

/**
 * The list prices of every model, from one `GET /v1/models` (retried on transient failures, bounded
 * by a timeout and the step's signal). Never throws: a failure is returned as `error`, so the caller
 * can say why there is no estimate, and a cost gate can fail closed.
 */
export async function fetchPrices(deps: PriceDeps): Promise<Pick<PriceList, 'prices' | 'error'>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const models = await deps.api.listModels({ signal: deps.signal, timeoutMs: MODELS_TIMEOUT_MS })
      const prices = new Map<string, { input: number; output: number }>()
      for (const model of models) if (model.pricing && !prices.has(model.id)) prices.set(model.id, model.pricing)
      deps.log.debug(`GET /v1/models: ${models.length} models, ${prices.size} with prices.`)
      return { prices }
    } catch (error) {
      const transient = error instanceof TogetherError && error.transient
      if (!transient || attempt >= ATTEMPTS || deps.signal?.aborted) return { error: errorMessage(error) }
      const delay = retryDelay(attempt, () => deps.random(), error.retryAfterMs, MAX_RETRY_MS)
      deps.log.warning(
        `Fetching model prices failed (attempt ${attempt}): ${errorMessage(error)}. Retrying in ${Math.round(delay / 1000)}s.`
      )
      await deps.sleep(delay, deps.signal)
    }
  }
}
