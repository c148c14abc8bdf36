// PURE: the auto router (`openrouter/auto`, `switchboard/auto`). It picks concrete
// models from an allow-list by the capabilities the request needs, then health, then
// price: the first is the model that serves (the response names it), the rest are
// its fallbacks.
import type { CatalogIndex, ProviderConfig } from '../catalog/lookup.ts'
import type { Endpoint, Model } from '../catalog/schema.ts'
import type { HealthHint, Needs } from './plan.ts'

export const AUTO_ROUTERS = new Set(['openrouter/auto', 'switchboard/auto'])
export const isAutoRouter = (id: string): boolean => AUTO_ROUTERS.has(id.trim().toLowerCase())

export interface AutoOptions {
  /** Model ids or globs (`openai/*`); the operator's AUTO_ROUTER_MODELS or the request's auto-router plugin. */
  allowed: string[]
  excluded?: string[]
}

/**
 * Case-insensitive match of a `*` glob against a whole id, in O(pattern × id) at worst.
 * Patterns come from requests: a RegExp built from `*****…x` backtracks for minutes.
 */
export const globMatch = (pattern: string, id: string): boolean => {
  const [p, t] = [pattern.toLowerCase(), id.toLowerCase()]
  // Greedy two pointers: on a mismatch, let the last `*` swallow one more character.
  let pi = 0
  let ti = 0
  let star = -1
  let resume = 0
  while (ti < t.length) {
    if (p[pi] === '*') {
      star = pi++
      resume = ti
    } else if (pi < p.length && p[pi] === t[ti]) {
      pi++
      ti++
    } else if (star >= 0) {
      pi = star + 1
      ti = ++resume
    } else return false
  }
  while (p[pi] === '*') pi++
  return pi === p.length
}

const serves = (e: Endpoint, needs: Needs | undefined) =>
  (!needs?.tools || e.capabilities.tools) && (!needs?.jsonSchema || e.capabilities.json_schema) && (!needs?.images || e.capabilities.images)

interface AutoInput {
  needs?: Needs
  health?: (endpointKey: string) => HealthHint | undefined
}

/** The catalog's models an allow-list names, memoized per catalog and list: routing cost must not grow with the catalog. */
const listed = new WeakMap<CatalogIndex, Map<string, Model[]>>()
const allowListed = (index: CatalogIndex, options: AutoOptions | undefined): Model[] => {
  const allowed = options?.allowed ?? []
  const excluded = options?.excluded ?? []
  const key = JSON.stringify([allowed, excluded])
  let byList = listed.get(index)
  if (!byList) listed.set(index, (byList = new Map()))
  let models = byList.get(key)
  if (!models) {
    models = index.catalog.models.filter((m) =>
      m.output_modalities.includes('text') && allowed.some((g) => globMatch(g, m.id)) && !excluded.some((g) => globMatch(g, m.id)))
    if (byList.size > 100) byList.clear() // request-supplied lists: keep the memo bounded
    byList.set(key, models)
  }
  return models
}

export const autoModels = (index: CatalogIndex, configs: Map<string, ProviderConfig>, input: AutoInput, options: AutoOptions | undefined): Model[] => {
  const scored: { model: Model; healthy: boolean; price: number }[] = []
  for (const model of allowListed(index, options)) {
    const usable = model.endpoints.filter((e) => !configs.get(e.provider)?.unavailable && serves(e, input.needs))
    if (usable.length === 0) continue
    const healthy = usable.some((e) => input.health?.(`${model.id}@${e.tag ?? e.provider}`)?.breaker !== 'open')
    scored.push({ model, healthy, price: Math.min(...usable.map((e) => e.pricing.prompt + e.pricing.completion)) })
  }
  return scored.sort((a, b) => Number(b.healthy) - Number(a.healthy) || a.price - b.price).map((s) => s.model)
}
