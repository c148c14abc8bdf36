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

const glob = (pattern: string) => new RegExp(`^${pattern.toLowerCase().split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`)

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
  const key = `${allowed.join(',')}|${excluded.join(',')}`
  let byList = listed.get(index)
  if (!byList) listed.set(index, (byList = new Map()))
  let models = byList.get(key)
  if (!models) {
    const [allow, deny] = [allowed.map(glob), excluded.map(glob)]
    models = index.catalog.models.filter((m) => m.output_modalities.includes('text') && allow.some((g) => g.test(m.id)) && !deny.some((g) => g.test(m.id)))
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
