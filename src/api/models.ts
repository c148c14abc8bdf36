// GET /models, /models/:author/:slug/endpoints, /endpoints/zdr and /providers, from the catalog,
// in the full shapes @openrouter/sdk parses (docs/compatibility.md#catalog-and-account-endpoints). No auth.
import { Hono } from 'hono'
import { catalogIndex, providerConfigs, type CatalogIndex, type ProviderConfig } from '../catalog/lookup.ts'
import type { Endpoint, Model, Pricing, Provider } from '../catalog/schema.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { perTokenDollars } from '../lib/money.ts'
import { healthFor } from '../objects/clients.ts'
import type { EndpointStats } from '../objects/provider-health.ts'

/** USD-per-token strings, as /models shows prices (the request fee is whole microdollars). */
export const publicPricing = (p: Pricing) => ({
  prompt: perTokenDollars(p.prompt),
  completion: perTokenDollars(p.completion),
  ...(p.request ? { request: perTokenDollars(p.request * 1_000_000) } : {}),
  ...(p.image ? { image: perTokenDollars(p.image * 1_000_000) } : {}),
  ...(p.cache_read !== undefined ? { input_cache_read: perTokenDollars(p.cache_read) } : {}),
  ...(p.cache_write !== undefined ? { input_cache_write: perTokenDollars(p.cache_write) } : {}),
})

const modality = (m: Model) => `${m.input_modalities.join('+')}->${m.output_modalities.join('+')}`

const architecture = (m: Model) => ({
  modality: modality(m),
  input_modalities: m.input_modalities,
  output_modalities: m.output_modalities,
  tokenizer: m.tokenizer,
  instruct_type: m.instruct_type ?? null,
})

const unique = (lists: string[][]) => [...new Set(lists.flat())]

/** The endpoint a model row reports: the cheapest one that can serve, else the cheapest listed. */
const topEndpoint = (m: Model, configs: Map<string, ProviderConfig>): Endpoint => {
  const byPrice = [...m.endpoints].sort((a, b) => a.pricing.prompt + a.pricing.completion - (b.pricing.prompt + b.pricing.completion))
  return byPrice.find((e) => !configs.get(e.provider)?.unavailable) ?? (byPrice[0] as Endpoint)
}

const modelRow = (m: Model, configs: Map<string, ProviderConfig>) => {
  const top = topEndpoint(m, configs)
  return {
    id: m.id,
    canonical_slug: m.canonical_slug ?? m.id,
    hugging_face_id: m.hugging_face_id ?? null,
    name: m.name,
    created: m.created,
    description: m.description,
    context_length: top.context_length,
    architecture: architecture(m),
    pricing: publicPricing(top.pricing),
    top_provider: { context_length: top.context_length, max_completion_tokens: top.max_output, is_moderated: false },
    per_request_limits: null,
    supported_parameters: unique(m.endpoints.map((e) => e.supported_parameters)),
    default_parameters: null,
    supported_voices: null,
    knowledge_cutoff: m.knowledge_cutoff ?? null,
    expiration_date: null,
    ...(m.reasoning ? { reasoning: m.reasoning } : {}),
    links: { details: `/api/v1/models/${m.id}/endpoints` },
  }
}

type ModelRow = ReturnType<typeof modelRow>

/**
 * /models rows, built once per isolate and provider configuration (availability picks each row's top
 * endpoint): a request only filters and pages them, and the default listing is served as one precomputed string.
 */
const rowsByConfig = new WeakMap<Map<string, ProviderConfig>, { rows: Map<Model, ModelRow>; all?: string }>()
const precomputed = (index: CatalogIndex, configs: Map<string, ProviderConfig>) => {
  let entry = rowsByConfig.get(configs)
  if (!entry) rowsByConfig.set(configs, (entry = { rows: new Map(index.catalog.models.map((m) => [m, modelRow(m, configs)])) }))
  return entry
}

const endpointRow = (m: Model, e: Endpoint, p: Provider, config: ProviderConfig | undefined, stats: EndpointStats | null) => ({
  name: `${p.name} | ${m.id}`,
  model_id: m.canonical_slug ?? m.id,
  model_name: m.name,
  context_length: e.context_length,
  max_completion_tokens: e.max_output,
  max_prompt_tokens: null,
  pricing: publicPricing(e.pricing),
  provider_name: p.name,
  tag: e.tag ?? p.id,
  quantization: e.quantization,
  supported_parameters: e.supported_parameters,
  supports_implicit_caching: e.pricing.cache_read !== undefined,
  supports_tool_choice: { auto: e.capabilities.tools, none: e.capabilities.tools, required: e.capabilities.tool_choice, function: e.capabilities.tool_choice },
  // 0 = serving; -1 = breaker open or half-open (probing); -10 = cannot serve here (no secret configured, or its protocol is not supported yet).
  status: config?.unavailable ? -10 : stats && stats.health.breaker !== 'closed' ? -1 : 0,
  ...(config?.unavailable ? { unavailable_reason: config.unavailable } : {}),
  regions: e.regions,
  // The provider's data policy (Switchboard's field): whether it trains on prompts, keeps them, and keeps nothing at all (zero data retention).
  data_policy: { training: p.data_policy.training, retains_prompts: p.data_policy.retains_prompts, zdr: p.data_policy.zdr },
  // Live, from the endpoint's health object; null until it has samples.
  uptime_last_5m: stats?.uptime.last5m ?? null,
  uptime_last_30m: stats?.uptime.last30m ?? null,
  uptime_last_1d: stats?.uptime.last1d ?? null,
  latency_last_30m: stats?.latency ?? null,
  throughput_last_30m: stats?.throughput ?? null,
})

/** One RPC per endpoint, in parallel (this route is not on the hot path); a failed read shows no stats. */
const endpointStats = (env: Env, keys: string[], now: number) =>
  Promise.all(keys.map((k) => healthFor(env, k).stats(now).catch(() => null)))

const csv = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean) ?? []

/** Zero data retention is the provider's policy (the catalog's `data_policy.zdr`), as `provider.zdr` routing reads it. */
const isZdr = (p: Provider | undefined) => p?.data_policy.zdr === true

/** A boolean query flag: absent, `true` or `false`; anything else is a 400 naming it. */
const flag = (value: string | undefined, name: string): boolean => {
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  throw new GatewayError('invalid_request', `Invalid query parameter ${name}: use true or false`)
}

/** Endpoint rows with their live health, in the order given. */
const endpointRows = async (env: Env, index: CatalogIndex, listed: { m: Model; e: Endpoint; provider: Provider }[]) => {
  const configs = providerConfigs(env, index)
  const stats = await endpointStats(env, listed.map(({ m, e, provider }) => `${m.id}@${e.tag ?? provider.id}`), Date.now())
  return listed.map(({ m, e, provider }, i) => endpointRow(m, e, provider, configs.get(e.provider), stats[i] ?? null))
}

export const models = new Hono<AppEnv>()
  .get('/models', (c) => {
    const index = catalogIndex()
    const configs = providerConfigs(c.env, index)
    const cache = precomputed(index, configs)
    const plain = new URL(c.req.url).search === ''
    if (plain && cache.all) return c.body(cache.all, 200, { 'Content-Type': 'application/json' })
    const outputs = csv(c.req.query('output_modalities') ?? 'text')
    const params = csv(c.req.query('supported_parameters'))
    const onlyAvailable = c.req.query('available') === 'true'
    const onlyZdr = flag(c.req.query('zdr'), 'zdr')
    // Switchboard's: models with an endpoint at one of these providers (slugs, as /providers lists them).
    const providers = csv(c.req.query('provider'))
    const unknown = providers.find((p) => !index.providers.has(p))
    if (unknown !== undefined) throw new GatewayError('invalid_request', `Invalid query parameter provider: no provider ${unknown.slice(0, 100)}`)
    const rows = index.catalog.models.filter(
      (m) =>
        (outputs.includes('all') || m.output_modalities.some((o) => outputs.includes(o))) &&
        params.every((p) => m.endpoints.some((e) => e.supported_parameters.includes(p))) &&
        (!onlyAvailable || m.endpoints.some((e) => !configs.get(e.provider)?.unavailable)) &&
        (!onlyZdr || m.endpoints.some((e) => isZdr(index.providers.get(e.provider)))) &&
        (providers.length === 0 || m.endpoints.some((e) => providers.includes(e.provider))),
    )
    const offset = Math.max(Number(c.req.query('offset') ?? 0) || 0, 0)
    const limitParam = c.req.query('limit')
    const limit = limitParam === undefined ? rows.length : Math.min(Math.max(Number(limitParam) || 0, 1), 1000)
    const page = rows.slice(offset, offset + limit)
    const hasMore = offset + page.length < rows.length
    const next = new URL(c.req.url)
    next.searchParams.set('offset', String(offset + page.length))
    next.searchParams.set('limit', String(limit))
    const body = JSON.stringify({
      data: page.map((m) => cache.rows.get(m) ?? modelRow(m, configs)),
      links: { next: hasMore ? `${next.pathname}${next.search}` : null },
      total_count: rows.length,
    })
    if (plain) cache.all = body
    return c.body(body, 200, { 'Content-Type': 'application/json' })
  })
  .get('/models/:author/:slug/endpoints', async (c) => {
    const index = catalogIndex()
    const id = `${c.req.param('author')}/${c.req.param('slug')}`
    const model = index.models.get(id)
    if (!model) throw new GatewayError('not_found', `Model ${id} not found`)
    const listed = model.endpoints.flatMap((e) => {
      const provider = index.providers.get(e.provider)
      return provider ? [{ m: model, e, provider }] : []
    })
    return c.json({
      data: {
        id: model.id,
        name: model.name,
        created: model.created,
        description: model.description,
        architecture: architecture(model),
        endpoints: await endpointRows(c.env, index, listed),
      },
    })
  })
  // Every endpoint whose provider keeps no data (zero data retention), in the shape of a model's endpoints list.
  .get('/endpoints/zdr', async (c) => {
    const index = catalogIndex()
    const listed = index.catalog.models.flatMap((m) =>
      m.endpoints.flatMap((e) => {
        const provider = index.providers.get(e.provider)
        return provider && isZdr(provider) ? [{ m, e, provider }] : []
      }),
    )
    return c.json({ data: await endpointRows(c.env, index, listed) })
  })
  .get('/providers', (c) =>
    c.json({
      data: catalogIndex().catalog.providers.map((p) => ({
        name: p.name,
        slug: p.id,
        privacy_policy_url: p.privacy_policy_url ?? null,
        terms_of_service_url: null,
        status_page_url: p.status_page_url ?? null,
        headquarters: p.headquarters ?? null,
        datacenters: null,
      })),
    }),
  )
