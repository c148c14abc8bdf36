// The parsed catalog and its indexes, built once per isolate; provider
// availability from configuration (secret set, base URL overrides).
import { catalogData } from './data/index.ts'
import type { Catalog, CatalogInput, Model, Provider } from './schema.ts'
import { envString } from '../env.ts'
import { adapterFor } from '../providers/registry.ts'

export interface CatalogIndex {
  catalog: Catalog
  models: Map<string, Model>
  /** Alias ids (lower-cased) → model. */
  aliases: Map<string, Model>
  providers: Map<string, Provider>
  /** Provider id and display name, lower-cased → provider (routing preferences accept both). */
  providerNames: Map<string, Provider>
}

export const buildIndex = (catalog: Catalog): CatalogIndex => {
  const providerNames = new Map<string, Provider>()
  for (const p of catalog.providers) {
    providerNames.set(p.id, p)
    providerNames.set(p.name.toLowerCase(), p)
  }
  return {
    catalog,
    models: new Map(catalog.models.map((m) => [m.id, m])),
    aliases: new Map(catalog.models.flatMap((m) => (m.aliases ?? []).map((a) => [a.toLowerCase(), m] as const))),
    providers: new Map(catalog.providers.map((p) => [p.id, p])),
    providerNames,
  }
}

/**
 * The committed data as a Catalog, with the schema's defaults filled in. Not parsed with zod here: the
 * catalog test validates the data against CatalogSchema on every run (and checks this gives the same
 * result), while parsing ~1,000 endpoints would cost every isolate's first request ~50 ms of CPU.
 */
export const trustedCatalog = (data: CatalogInput): Catalog => ({
  providers: data.providers.map((p) => ({ ...p, requires_key: p.requires_key ?? true }) as Provider),
  models: data.models.map((m) => ({ ...m, endpoints: m.endpoints.map((e) => ({ ...e, quantization: e.quantization ?? 'unknown' })) }) as Model),
})

let index: CatalogIndex | undefined
export const catalogIndex = (): CatalogIndex => (index ??= buildIndex(trustedCatalog(catalogData)))

/** `<ID>` of the `<ID>_API_KEY` / `<ID>_BASE_URL` convention: upper-cased, `-` → `_`. */
export const envPrefix = (providerId: string): string => providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')

export interface ProviderConfig {
  baseUrl: string
  apiKey: string | undefined
  /** Why the provider cannot serve, when it cannot. */
  unavailable?: 'no_api_key' | 'no_base_url' | 'protocol_not_supported'
}

const configs = new WeakMap<object, Map<string, ProviderConfig>>()

/** Per-isolate view of which providers can serve, from `<ID>_API_KEY` and `<ID>_BASE_URL`. */
export const providerConfigs = (env: Env, idx: CatalogIndex = catalogIndex()): Map<string, ProviderConfig> => {
  let map = configs.get(env)
  if (map) return map
  map = new Map()
  for (const p of idx.catalog.providers) {
    const prefix = envPrefix(p.id)
    const apiKey = envString(env, `${prefix}_API_KEY`)
    const baseUrl = envString(env, `${prefix}_BASE_URL`)
    const config: ProviderConfig = { baseUrl: baseUrl ?? p.base_url, apiKey }
    if (!adapterFor(p.protocol)) config.unavailable = 'protocol_not_supported'
    else if (p.requires_key && !apiKey) config.unavailable = 'no_api_key'
    else if (p.requires_base_url && !baseUrl) config.unavailable = 'no_base_url'
    map.set(p.id, config)
  }
  configs.set(env, map)
  return map
}
