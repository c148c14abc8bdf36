// The cost breakdown GET /generation adds (`cost_details`): the charged total split by the serving
// endpoint's catalog prices and the stored token counts (billing/cost-split.ts). Computed at read,
// so a generation stored before this existed has one too; the parts always add up to total_cost.
import { costWeights, splitCost } from '../billing/cost-split.ts'
import { catalogIndex } from '../catalog/lookup.ts'
import type { Pricing } from '../catalog/schema.ts'
import { toDollars } from '../lib/money.ts'
import type { StoredGeneration } from '../storage/record.ts'

/** The endpoint that served: the model's endpoint of the serving provider, by the last attempt's endpoint tag when there are several. */
const servedPricing = (g: StoredGeneration): Pricing | undefined => {
  if (!g.providerId) return undefined
  const endpoints = catalogIndex().models.get(g.model)?.endpoints.filter((e) => e.provider === g.providerId) ?? []
  const last = [...(g.attempts as { provider?: string; endpoint?: string }[])].reverse().find((a) => a.provider === g.providerId)
  return (endpoints.find((e) => (e.tag ?? e.provider) === last?.endpoint) ?? endpoints[0])?.pricing
}

/** In dollars, as total_cost; null when the total cannot be split (no serving endpoint, or it is priced at zero now). */
export const costDetails = (g: StoredGeneration) => {
  const pricing = servedPricing(g)
  const usage = { prompt: g.tokensPrompt, cached: g.tokensCached, cacheWrite: g.tokensCacheWrite, completion: g.tokensCompletion, reasoning: g.tokensReasoning }
  const split = splitCost(g.costMicro, costWeights(usage, pricing ?? { prompt: 0, completion: 0 }))
  if (!split) return null
  return {
    prompt: toDollars(split.prompt),
    cache_read: toDollars(split.cache_read),
    cache_write: toDollars(split.cache_write),
    request: toDollars(split.request),
    completion: toDollars(split.completion),
    reasoning: toDollars(split.reasoning),
  }
}
