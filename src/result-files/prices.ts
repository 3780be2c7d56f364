import { isTransient } from '../together/errors.js'
import type { ModelsApi } from '../together/types.js'
import { withBackoff, type BackoffDeps } from '../util/backoff.js'
import type { Effects } from '../util/effects.js'
import { errorMessage } from '../util/text.js'
import type { PriceList } from './cost.js'

export type PriceDeps = BackoffDeps & Pick<Effects, 'log'> & { api: ModelsApi }

const PRICE_ATTEMPTS = 3
/** One `GET /v1/models`: the list is a few hundred kilobytes, so this is generous. */
const MODELS_TIMEOUT_MS = 30_000
const MAX_RETRY_MS = 10_000

/**
 * The list prices of every model, from one `GET /v1/models` (retried on transient failures, bounded
 * by a timeout and the step's signal). Never throws: a failure is returned as `error`, so the caller
 * can say why there is no estimate, and a cost gate can fail closed.
 */
export async function fetchPrices(deps: PriceDeps): Promise<Pick<PriceList, 'prices' | 'error'>> {
  const backoff = {
    what: 'Fetching model prices',
    attempts: PRICE_ATTEMPTS,
    capMs: MAX_RETRY_MS,
    transient: isTransient
  }
  try {
    const models = await withBackoff(deps, backoff, () =>
      deps.api.listModels({ signal: deps.signal, timeoutMs: MODELS_TIMEOUT_MS })
    )
    const prices = new Map<string, { input: number; output: number }>()
    for (const model of models) if (model.pricing && !prices.has(model.id)) prices.set(model.id, model.pricing)
    deps.log.debug(`GET /v1/models: ${models.length} models, ${prices.size} with prices.`)
    return { prices }
  } catch (error) {
    return { error: errorMessage(error) }
  }
}
