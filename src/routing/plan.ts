// The planner: PURE. From the catalog, the request's preferences and provider
// availability, an ordered list of attempts (model, endpoint). No I/O; randomness
// is injected (STYLE.md rule 6; COMPAT.md §7).
import type { Endpoint, Model, Provider } from '../catalog/schema.ts'
import type { CatalogIndex, ProviderConfig } from '../catalog/lookup.ts'
import type { ProviderPreferences } from '../schemas/chat-request.ts'

export interface PlannedAttempt {
  model: Model
  endpoint: Endpoint
  provider: Provider
  config: ProviderConfig
}

export type SkipReason =
  | 'no_api_key'
  | 'protocol_not_supported'
  | 'ignored'
  | 'not_in_only'
  | 'not_in_order'
  | 'data_policy'
  | 'max_price'
  | 'context_length'

export interface Skip {
  model: string
  provider: string
  reason: SkipReason
}

export interface PlanInput {
  /** `model` first, then the `models` fallbacks, in order. */
  models: string[]
  prefs: ProviderPreferences | null | undefined
  promptTokens: number
  /** The request's max output tokens, if it set one. */
  maxTokens: number | undefined
}

export type PlanError =
  | { kind: 'no_model' }
  | { kind: 'unknown_model'; model: string }
  | { kind: 'no_endpoints'; models: string[]; skipped: Skip[] }

export type Plan = { ok: true; attempts: PlannedAttempt[]; skipped: Skip[] } | { ok: false; error: PlanError }

/** Does a routing slug or display name ("openai", "OpenAI", "deepinfra/turbo") name this endpoint? */
export const matchesProvider = (entry: string, provider: Provider, endpoint: Endpoint): boolean => {
  const wanted = entry.toLowerCase()
  const tag = (endpoint.tag ?? provider.id).toLowerCase()
  return wanted === tag || wanted === provider.id || wanted === provider.name.toLowerCase()
}

const blendedPrice = (e: Endpoint): number => e.pricing.prompt + e.pricing.completion

/**
 * Default load balancing (§7.2): a weighted shuffle where each endpoint's weight is
 * the inverse square of its price (a $1/M endpoint is 9× as likely first as a $3/M one).
 * Efraimidis–Spirakis: sort by u^(1/w), descending — compared as ln(u)/w, because
 * u^(1/w) underflows to 0 for the tiny weights prices give (1/price² ≈ 1e-12), which
 * silently turned the shuffle into catalog order.
 */
export const weightedShuffle = <T>(items: T[], weight: (item: T) => number, rng: () => number): T[] =>
  items
    .map((item) => ({ item, key: Math.log(rng()) / weight(item) }))
    .sort((a, b) => b.key - a.key)
    .map(({ item }) => item)

const inverseSquare = (a: PlannedAttempt) => 1 / Math.max(blendedPrice(a.endpoint), 1) ** 2

const skipReasonFor = (
  a: PlannedAttempt,
  prefs: ProviderPreferences | null | undefined,
  input: PlanInput,
): SkipReason | undefined => {
  if (a.config.unavailable) return a.config.unavailable
  const matches = (list: string[] | null | undefined) => list?.some((s) => matchesProvider(s, a.provider, a.endpoint))
  if (prefs?.only?.length && !matches(prefs.only)) return 'not_in_only'
  if (prefs?.ignore?.length && matches(prefs.ignore)) return 'ignored'
  if (prefs?.order?.length && prefs.allow_fallbacks === false && !matches(prefs.order)) return 'not_in_order'
  const policy = a.provider.data_policy
  if (prefs?.data_collection === 'deny' && (policy.training || policy.retains_prompts)) return 'data_policy'
  if (prefs?.zdr && !policy.zdr) return 'data_policy'
  const max = prefs?.max_price
  // max_price is USD per million tokens; endpoint prices are µ$ per million. The slack
  // absorbs float error (8.2 * 1e6 is 8199999.999999999) so a price equal to the cap passes.
  const over = (price: number, usdPerMillion: number) => price > usdPerMillion * 1e6 + 1e-6
  if (max?.prompt !== undefined && over(a.endpoint.pricing.prompt, max.prompt)) return 'max_price'
  if (max?.completion !== undefined && over(a.endpoint.pricing.completion, max.completion)) return 'max_price'
  if (input.promptTokens + (input.maxTokens ?? 0) > a.endpoint.context_length) return 'context_length'
  return undefined
}

const orderModel = (candidates: PlannedAttempt[], prefs: ProviderPreferences | null | undefined, rng: () => number) => {
  const order = prefs?.order ?? []
  const rank = (a: PlannedAttempt) => {
    const i = order.findIndex((s) => matchesProvider(s, a.provider, a.endpoint))
    return i === -1 ? order.length : i
  }
  const sortBy = typeof prefs?.sort === 'string' ? prefs.sort : prefs?.sort?.by
  const rest = sortBy === 'price'
    ? [...candidates].sort((a, b) => blendedPrice(a.endpoint) - blendedPrice(b.endpoint))
    : weightedShuffle(candidates, inverseSquare, rng)
  // Explicit order first (stable within), then the balanced or sorted rest.
  return order.length ? [...rest].sort((a, b) => rank(a) - rank(b)) : rest
}

export const plan = (
  input: PlanInput,
  index: CatalogIndex,
  configs: Map<string, ProviderConfig>,
  rng: () => number,
): Plan => {
  if (input.models.length === 0) return { ok: false, error: { kind: 'no_model' } }
  const models: Model[] = []
  for (const id of input.models) {
    const model = index.models.get(id)
    if (!model) return { ok: false, error: { kind: 'unknown_model', model: id } }
    if (!models.includes(model)) models.push(model)
  }
  const attempts: PlannedAttempt[] = []
  const skipped: Skip[] = []
  for (const model of models) {
    const candidates: PlannedAttempt[] = []
    for (const endpoint of model.endpoints) {
      const provider = index.providers.get(endpoint.provider)
      const config = configs.get(endpoint.provider)
      if (!provider || !config) continue
      const attempt = { model, endpoint, provider, config }
      const reason = skipReasonFor(attempt, input.prefs, input)
      if (reason) skipped.push({ model: model.id, provider: provider.id, reason })
      else candidates.push(attempt)
    }
    attempts.push(...orderModel(candidates, input.prefs, rng))
  }
  if (attempts.length === 0) return { ok: false, error: { kind: 'no_endpoints', models: models.map((m) => m.id), skipped } }
  // allow_fallbacks:false stops after the first choice (or the `order` list, already filtered above).
  const limited = input.prefs?.allow_fallbacks === false && !input.prefs.order?.length ? attempts.slice(0, 1) : attempts
  return { ok: true, attempts: limited, skipped }
}
