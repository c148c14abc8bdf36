// PURE: prices from the sources, as the catalog's integer microdollars per million tokens.
import type { Pricing } from '../schema.ts'

/** Dollars per million tokens → microdollars per million tokens, rounded to a whole number. */
export const microPerMillion = (dollars: number): number => Math.round(Number((dollars * 1_000_000).toFixed(3)))

// genai-prices' data (the `Provider[]` its `waitForUpdate()` resolves to), the parts read here.
export type MatchLogic =
  | { and: MatchLogic[] } | { or: MatchLogic[] } | { equals: string } | { starts_with: string }
  | { ends_with: string } | { contains: string } | { regex: string }
export interface GenaiTiered { base: number; tiers: { start: number; price: number }[] }
export type GenaiPrice = Record<string, number | GenaiTiered | undefined>
export interface GenaiModel {
  id: string
  name?: string
  description?: string
  match: MatchLogic
  context_window?: number
  deprecated?: boolean
  prices: GenaiPrice | { constraint?: { type?: string; start_date?: string }; prices: GenaiPrice }[]
}
export interface GenaiProvider { id: string; name: string; models: GenaiModel[]; fallback_model_providers?: string[] }

/** genai-prices' own matching rules (case-insensitive), re-stated so the importer stays pure. */
export const matches = (logic: MatchLogic, id: string): boolean => {
  const s = id.toLowerCase()
  if ('or' in logic) return logic.or.some((l) => matches(l, id))
  if ('and' in logic) return logic.and.every((l) => matches(l, id))
  if ('equals' in logic) return s === logic.equals.toLowerCase()
  if ('starts_with' in logic) return s.startsWith(logic.starts_with.toLowerCase())
  if ('ends_with' in logic) return s.endsWith(logic.ends_with.toLowerCase())
  if ('contains' in logic) return s.includes(logic.contains.toLowerCase())
  return new RegExp(logic.regex).test(id)
}

/** The ids a model's matcher names exactly (its `equals`, also inside `or`), for listing what a host serves. */
export const exactIds = (logic: MatchLogic): string[] =>
  'equals' in logic ? [logic.equals] : 'or' in logic ? logic.or.flatMap(exactIds) : []

/**
 * The price in force now: the latest start-dated entry (genai-prices keeps history in date order).
 * Time-of-day discounts (off-peak hours) are left out: the catalog holds one standing price.
 */
export const currentPrice = (m: GenaiModel): { price: GenaiPrice; since?: string } => {
  if (!Array.isArray(m.prices)) return { price: m.prices }
  let chosen: { price: GenaiPrice; since?: string } | undefined
  for (const entry of m.prices) {
    const c = entry.constraint
    if (!c) chosen ??= { price: entry.prices }
    else if (c.type === 'start_date' || (c.type === undefined && c.start_date)) chosen = { price: entry.prices, since: c.start_date }
  }
  return chosen ?? { price: m.prices[0]?.prices ?? {} }
}

const base = (v: number | GenaiTiered | undefined): number | undefined => (typeof v === 'object' ? v.base : v)

export interface SourcePrice {
  pricing: Pricing
  /** Price tiers above a prompt size the catalog cannot express (the base price is kept). */
  tiered: boolean
  since?: string
}

/** A genai-prices price as catalog pricing; undefined when it has no token prices (an image or audio model). */
export const fromGenai = (m: GenaiModel): SourcePrice | undefined => {
  const { price, since } = currentPrice(m)
  const input = base(price.input_mtok)
  const output = base(price.output_mtok)
  const empty = Object.keys(price).length === 0 // genai-prices writes a free model as {}
  if (!empty && input === undefined) return undefined
  const cacheRead = base(price.cache_read_mtok)
  const cacheWrite = base(price.cache_write_mtok)
  const requests = base(price.requests_kcount)
  return {
    pricing: {
      prompt: microPerMillion(input ?? 0),
      completion: microPerMillion(output ?? 0),
      ...(cacheRead !== undefined ? { cache_read: microPerMillion(cacheRead) } : {}),
      ...(cacheWrite !== undefined ? { cache_write: microPerMillion(cacheWrite) } : {}),
      // $ per thousand requests → microdollars per request
      ...(requests ? { request: Math.round(requests * 1000) } : {}),
    },
    tiered: Object.values(price).some((v) => typeof v === 'object'),
    ...(since ? { since } : {}),
  }
}

/** genai-prices' date spelling fallback: `-20250514` is tried again as `-2025-05-14`. */
const dashedDate = (id: string) => id.replace(/-(20\d\d)([01]\d)([0-3]\d)(?=-|:|$)/g, '-$1-$2-$3')

/** The genai-prices model that prices an upstream id at a provider (first match, as genai-prices picks). */
export const genaiModelFor = (provider: GenaiProvider, upstreamId: string): GenaiModel | undefined => {
  const id = upstreamId.trim()
  return provider.models.find((m) => matches(m.match, id)) ?? provider.models.find((m) => matches(m.match, dashedDate(id)))
}

/** A models.dev `cost` block ($ per million tokens) as catalog pricing. */
export const fromModelsDev = (cost: { input?: number; output?: number; cache_read?: number; cache_write?: number }): Pricing | undefined =>
  cost.input === undefined || cost.output === undefined
    ? undefined
    : {
        prompt: microPerMillion(cost.input),
        completion: microPerMillion(cost.output),
        ...(cost.cache_read !== undefined ? { cache_read: microPerMillion(cost.cache_read) } : {}),
        ...(cost.cache_write !== undefined ? { cache_write: microPerMillion(cost.cache_write) } : {}),
      }

/** OpenRouter's per-token dollar strings as catalog pricing. */
export const fromOpenRouter = (p: Record<string, string | undefined>): Pricing | undefined => {
  const perToken = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v))
  const prompt = perToken(p.prompt)
  const completion = perToken(p.completion)
  if (prompt === undefined || completion === undefined || prompt < 0 || completion < 0 || !Number.isFinite(prompt + completion)) return undefined
  const read = perToken(p.input_cache_read)
  const write = perToken(p.input_cache_write)
  const request = perToken(p.request)
  return {
    prompt: microPerMillion(prompt * 1_000_000),
    completion: microPerMillion(completion * 1_000_000),
    ...(read !== undefined ? { cache_read: microPerMillion(read * 1_000_000) } : {}),
    ...(write !== undefined ? { cache_write: microPerMillion(write * 1_000_000) } : {}),
    ...(request ? { request: Math.round(request * 1_000_000) } : {}),
  }
}

export const isFree = (p: Pricing): boolean =>
  p.prompt === 0 && p.completion === 0 && !p.request && !p.image && !p.cache_read && !p.cache_write
