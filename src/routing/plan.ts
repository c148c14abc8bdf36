// The planner: PURE. From the catalog, the request's preferences, regions, provider
// availability and cached health, an ordered list of attempts (model, endpoint), and
// why every other endpoint was left out. No I/O; randomness and health are injected
// (docs/routing.md).
import type { Endpoint, Model, Provider } from '../catalog/schema.ts'
import type { CatalogIndex, ProviderConfig } from '../catalog/lookup.ts'
import { supportsParam } from '../providers/openai.ts'
import type { ProviderPreferences } from '../schemas/chat-request.ts'
import { autoModels, isAutoRouter, type AutoOptions } from './auto.ts'
import { proximity, regionMatches } from './regions.ts'
import { resolveModel, type Variant } from './variants.ts'

export interface PlannedAttempt {
  model: Model
  endpoint: Endpoint
  provider: Provider
  config: ProviderConfig
}

export type SkipReason =
  | 'no_api_key' | 'no_base_url' | 'protocol_not_supported' | 'breaker_open'
  | 'ignored' | 'not_in_only' | 'not_in_order'
  | 'data_policy' | 'quantization' | 'max_price' | 'context_length'
  | 'require_parameters' | 'capability' | 'region'

export interface Skip {
  model: string
  provider: string
  reason: SkipReason
}

/** The part of an endpoint's health the planner reads (from the isolate's cached snapshot). */
export interface HealthHint {
  breaker: 'closed' | 'open' | 'half_open'
  lastFailureAt: number | null
  latencyMs: number | null
  ttftMs: number | null
  throughput: number | null
}

/** What the request needs from an endpoint. */
export interface Needs {
  tools: boolean
  jsonSchema: boolean
  images: boolean
  /** Optional parameters the request sets (for require_parameters). */
  params: string[]
}

export interface PlanInput {
  /** `model` first, then the `models` fallbacks, in order. */
  models: string[]
  prefs: ProviderPreferences | null | undefined
  /** Legacy `route`: "fallback" = partition by model, "sort" = none. */
  route?: 'fallback' | 'sort' | null | undefined
  promptTokens: number
  /** The request's max output tokens, if it set one. */
  maxTokens: number | undefined
  needs?: Needs
  /** Soft preference (in order) and hard requirement, from headers and the provider object. */
  regions?: { prefer: string[]; only: string[] }
  /** The caller's edge location (request.cf), to break ties toward nearby endpoints. */
  caller?: { country?: string; continent?: string }
  health?: (endpointKey: string) => HealthHint | undefined
  /** May this half-open endpoint take a probe request now? */
  probe?: (endpointKey: string) => boolean
  auto?: AutoOptions
  now?: number
}

export type Strategy = 'direct' | 'fallback' | 'auto' | 'alias' | 'variant'

export type PlanError =
  | { kind: 'no_model' }
  | { kind: 'unknown_model'; model: string }
  | { kind: 'no_endpoints'; models: string[]; skipped: Skip[]; regions?: string[] }

export type Plan =
  | { ok: true; attempts: PlannedAttempt[]; skipped: Skip[]; strategy: Strategy; requested: string; candidates: number }
  | { ok: false; error: PlanError }

/** The key health and metadata use for an endpoint: `<model>@<tag>`. */
export const endpointKey = (a: Pick<PlannedAttempt, 'model' | 'endpoint' | 'provider'>): string =>
  `${a.model.id}@${a.endpoint.tag ?? a.provider.id}`

/** Does a routing slug or display name ("openai", "OpenAI", "deepinfra/turbo") name this endpoint? */
export const matchesProvider = (entry: string, provider: Provider, endpoint: Endpoint): boolean => {
  const wanted = entry.toLowerCase()
  const tag = (endpoint.tag ?? provider.id).toLowerCase()
  return wanted === tag || wanted === provider.id || wanted === provider.name.toLowerCase()
}

const blendedPrice = (e: Endpoint): number => e.pricing.prompt + e.pricing.completion

/**
 * Default load balancing, as OpenRouter's: a weighted shuffle where each endpoint's weight is
 * the inverse square of its price (a $1/M endpoint is 9× as likely first as a $3/M one).
 * Efraimidis–Spirakis: sort by u^(1/w), descending — compared as ln(u)/w, because
 * u^(1/w) underflows to 0 for the tiny weights prices give (1/price² ≈ 1e-12).
 */
export const weightedShuffle = <T>(items: T[], weight: (item: T) => number, rng: () => number): T[] =>
  items
    .map((item) => ({ item, key: Math.log(rng()) / weight(item) }))
    .sort((a, b) => b.key - a.key)
    .map(({ item }) => item)

/** An endpoint that failed in the last 30 s is not "stable". */
const RECENT_FAILURE_MS = 30_000

const percentile = (value: number | { p50?: number } | null | undefined) => (typeof value === 'number' ? value : value?.p50)

type SortKey = 'price' | 'throughput' | 'latency'

const sortKeyOf = (prefs: ProviderPreferences | null | undefined, variant: Variant): SortKey | undefined => {
  const by = typeof prefs?.sort === 'string' ? prefs.sort : prefs?.sort?.by
  if (by === 'price' || by === 'throughput' || by === 'latency') return by
  return variant === 'floor' ? 'price' : variant === 'nitro' ? 'throughput' : undefined
}

export const plan = (input: PlanInput, index: CatalogIndex, configs: Map<string, ProviderConfig>, rng: () => number): Plan => {
  if (input.models.length === 0) return { ok: false, error: { kind: 'no_model' } }
  const { prefs } = input
  const now = input.now ?? Date.now()
  const health = (a: PlannedAttempt) => input.health?.(endpointKey(a))

  // 1. Resolve ids: variants, aliases and the auto router into concrete models.
  let strategy: Strategy = input.models.length > 1 ? 'fallback' : 'direct'
  const resolved: { model: Model; variant: Variant }[] = []
  for (const id of input.models) {
    if (isAutoRouter(id)) {
      strategy = 'auto'
      for (const model of autoModels(index, configs, input, input.auto)) resolved.push({ model, variant: 'none' })
      continue
    }
    const r = resolveModel(id, index)
    if (!r) return { ok: false, error: { kind: 'unknown_model', model: id } }
    if (r.alias && strategy === 'direct') strategy = 'alias'
    if (r.variant !== 'none' && strategy === 'direct') strategy = 'variant'
    if (!resolved.some((x) => x.model === r.model)) resolved.push(r)
  }

  // 2. Filter each model's endpoints, remembering why each one left.
  const skipped: Skip[] = []
  const kept: { model: Model; variant: Variant; attempts: PlannedAttempt[] }[] = []
  const matches = (a: PlannedAttempt, list: string[] | null | undefined) => list?.some((s) => matchesProvider(s, a.provider, a.endpoint)) ?? false
  for (const { model, variant } of resolved) {
    let candidates: PlannedAttempt[] = []
    const skip = (a: PlannedAttempt, reason: SkipReason) => skipped.push({ model: model.id, provider: a.endpoint.tag ?? a.provider.id, reason })
    for (const endpoint of model.endpoints) {
      const provider = index.providers.get(endpoint.provider)
      const config = configs.get(endpoint.provider)
      if (!provider || !config) continue
      const a: PlannedAttempt = { model, endpoint, provider, config }
      const reason = hardFilter(a, input, matches, health(a), now)
      if (reason) skip(a, reason)
      else candidates.push(a)
    }
    // Capabilities are a soft preference: drop non-supporting endpoints only when some support.
    for (const need of capabilityNeeds(input.needs)) {
      if (candidates.some(need) && !candidates.every(need)) {
        for (const a of candidates.filter((c) => !need(c))) skip(a, 'capability')
        candidates = candidates.filter(need)
      }
    }
    kept.push({ model, variant, attempts: candidates })
  }

  // 3. Order: per model (partition "model"), or all together (partition "none" / route "sort").
  const partition = (typeof prefs?.sort === 'object' && prefs.sort?.partition) || (input.route === 'sort' ? 'none' : 'model')
  const order = (attempts: PlannedAttempt[], variant: Variant) => orderAttempts(attempts, sortKeyOf(prefs, variant), input, rng, now)
  let attempts = partition === 'none' && kept.length > 1
    ? order(kept.flatMap((k) => k.attempts), kept[0]?.variant ?? 'none')
    : kept.flatMap((k) => limitFallbacks(order(k.attempts, k.variant), prefs))
  if (partition === 'none') attempts = limitFallbacks(attempts, prefs)

  if (attempts.length === 0) {
    const regions = input.regions?.only.length ? input.regions.only : undefined
    return { ok: false, error: { kind: 'no_endpoints', models: resolved.map((r) => r.model.id), skipped, ...(regions ? { regions } : {}) } }
  }
  const requested = input.models[0] ?? ''
  return { ok: true, attempts, skipped, strategy, requested, candidates: attempts.length + skipped.length }
}

const hardFilter = (
  a: PlannedAttempt,
  input: PlanInput,
  matches: (a: PlannedAttempt, list: string[] | null | undefined) => boolean,
  h: HealthHint | undefined,
  now: number,
): SkipReason | undefined => {
  const { prefs } = input
  if (a.config.unavailable) return a.config.unavailable
  if (prefs?.only?.length && !matches(a, prefs.only)) return 'not_in_only'
  if (prefs?.ignore?.length && matches(a, prefs.ignore)) return 'ignored'
  if (prefs?.order?.length && prefs.allow_fallbacks === false && !matches(a, prefs.order)) return 'not_in_order'
  const policy = a.provider.data_policy
  if (prefs?.data_collection === 'deny' && (policy.training || policy.retains_prompts)) return 'data_policy'
  if (prefs?.zdr && !policy.zdr) return 'data_policy'
  if (prefs?.quantizations?.length && !prefs.quantizations.includes(a.endpoint.quantization)) return 'quantization'
  const max = prefs?.max_price
  // max_price is USD per million tokens (request, image: USD each); prices are µ$. The slack absorbs float error.
  const over = (price: number | undefined, usd: number | undefined) => usd !== undefined && (price ?? 0) > usd * 1e6 + 1e-6
  if (over(a.endpoint.pricing.prompt, max?.prompt) || over(a.endpoint.pricing.completion, max?.completion) ||
    over(a.endpoint.pricing.request, max?.request) || over(a.endpoint.pricing.image, max?.image)) return 'max_price'
  if (input.promptTokens + (input.maxTokens ?? 0) > a.endpoint.context_length) return 'context_length'
  if (prefs?.require_parameters && !(input.needs?.params ?? []).every((p) => supportsParam(a.endpoint, p))) return 'require_parameters'
  const only = input.regions?.only ?? []
  if (only.length && !only.some((r) => regionMatches(a.endpoint.regions, r))) return 'region'
  if (h?.breaker === 'open') return 'breaker_open'
  void now
  return undefined
}

const capabilityNeeds = (needs: Needs | undefined): ((a: PlannedAttempt) => boolean)[] => [
  ...(needs?.tools ? [(a: PlannedAttempt) => a.endpoint.capabilities.tools] : []),
  ...(needs?.jsonSchema ? [(a: PlannedAttempt) => a.endpoint.capabilities.json_schema] : []),
  ...(needs?.images ? [(a: PlannedAttempt) => a.endpoint.capabilities.images] : []),
]

/** allow_fallbacks:false keeps the first choice only (or the `order` list, already filtered). */
const limitFallbacks = (attempts: PlannedAttempt[], prefs: ProviderPreferences | null | undefined) =>
  prefs?.allow_fallbacks === false && !prefs.order?.length ? attempts.slice(0, 1) : attempts

/** Stable sort by a rank function (lower first); ties keep their order. */
const rankBy = <T>(items: T[], rank: (item: T) => number): T[] =>
  items.map((item, i) => ({ item, i, r: rank(item) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.item)

const orderAttempts = (attempts: PlannedAttempt[], sortKey: SortKey | undefined, input: PlanInput, rng: () => number, now: number) => {
  const { prefs } = input
  const h = (a: PlannedAttempt) => input.health?.(endpointKey(a))
  const near = (a: PlannedAttempt) => proximity(a.endpoint.regions, input.caller)
  let out: PlannedAttempt[]
  if (sortKey) {
    // Strict order, no load balancing; nearness breaks ties.
    const metric = (a: PlannedAttempt): number => {
      if (sortKey === 'price') return blendedPrice(a.endpoint)
      if (sortKey === 'throughput') return -(h(a)?.throughput ?? 0)
      return h(a)?.ttftMs ?? h(a)?.latencyMs ?? Number.MAX_SAFE_INTEGER
    }
    out = [...attempts].sort((a, b) => metric(a) - metric(b) || near(b) - near(a))
  } else {
    // Stable endpoints (no open breaker, no failure in the last 30 s) first, each group load balanced.
    const stable = (a: PlannedAttempt) => {
      const s = h(a)
      return !s || (s.breaker === 'closed' && (s.lastFailureAt === null || now - s.lastFailureAt > RECENT_FAILURE_MS))
    }
    // Nearby endpoints get a larger share of the default balance (×2 same continent, ×4 same country).
    const weight = (a: PlannedAttempt) => 2 ** near(a) / Math.max(blendedPrice(a.endpoint), 1) ** 2
    out = [...weightedShuffle(attempts.filter(stable), weight, rng), ...weightedShuffle(attempts.filter((a) => !stable(a)), weight, rng)]
  }
  // A half-open endpoint takes a probe only when allowed; otherwise it waits at the back.
  out = rankBy(out, (a) => (h(a)?.breaker === 'half_open' && !input.probe?.(endpointKey(a)) ? 1 : 0))
  // Soft performance preferences push endpoints that miss them to the back.
  const minTput = percentile(prefs?.preferred_min_throughput)
  const maxLatency = percentile(prefs?.preferred_max_latency)
  if (minTput !== undefined || maxLatency !== undefined) {
    out = rankBy(out, (a) => {
      const s = h(a)
      const slow = minTput !== undefined && s?.throughput != null && s.throughput < minTput
      const late = maxLatency !== undefined && (s?.ttftMs ?? s?.latencyMs) != null && (s?.ttftMs ?? s?.latencyMs ?? 0) / 1000 > maxLatency
      return slow || late ? 1 : 0
    })
  }
  // Region preference (soft): the first preferred region's endpoints, then the next, then the rest.
  const prefer = input.regions?.prefer ?? []
  if (prefer.length) {
    out = rankBy(out, (a) => {
      const i = prefer.findIndex((r) => regionMatches(a.endpoint.regions, r))
      return i === -1 ? prefer.length : i
    })
  }
  // An explicit `order` goes first of all, in its order.
  const order = prefs?.order ?? []
  if (order.length) {
    out = rankBy(out, (a) => {
      const i = order.findIndex((s) => matchesProvider(s, a.provider, a.endpoint))
      return i === -1 ? order.length : i
    })
  }
  return out
}
