// The planner's routing features: variants and aliases, capabilities, parameters,
// quantizations, regions, health (breaker, stability, probes), performance
// preferences, partitions and the auto router. Synthetic catalog, seeded rng.
import { describe, expect, it } from 'vitest'
import { buildIndex, type ProviderConfig } from '../../../src/catalog/lookup.ts'
import { CatalogSchema, type CatalogInput, type Endpoint } from '../../../src/catalog/schema.ts'
import { plan, type HealthHint, type Plan, type PlanInput } from '../../../src/routing/plan.ts'
import { continentOf, parseRegions, proximity, regionMatches } from '../../../src/routing/regions.ts'
import type { ProviderPreferences } from '../../../src/schemas/chat-request.ts'
import { mulberry32 } from '../_helpers/rng.ts'

const caps = (over: Partial<Record<'tools' | 'tool_choice' | 'json_schema' | 'images' | 'reasoning', boolean>> = {}) => ({
  tools: false, tool_choice: false, json_schema: false, images: false, reasoning: false, ...over,
})
const ep = (provider: string, price: number, o: { regions?: string[]; quant?: Endpoint['quantization']; caps?: ReturnType<typeof caps>; params?: string[]; tag?: string } = {}) => ({
  provider,
  upstream_id: 'm',
  ...(o.tag ? { tag: o.tag } : {}),
  pricing: { prompt: price, completion: price },
  context_length: 100_000,
  max_output: 4096,
  quantization: o.quant ?? 'unknown',
  regions: o.regions ?? ['us'],
  capabilities: o.caps ?? caps(),
  supported_parameters: o.params ?? ['temperature', 'max_tokens'],
})
const model = (id: string, endpoints: ReturnType<typeof ep>[], extra: Record<string, unknown> = {}) => ({
  id, name: id, created: 1, description: '', input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'Other', endpoints, ...extra,
})
const provider = (id: string) => ({ id, name: id.toUpperCase(), protocol: 'openai' as const, base_url: `https://${id}.test`, data_policy: { training: false, retains_prompts: false, zdr: true } })

const catalog: CatalogInput = {
  providers: ['us1', 'us2', 'de1', 'eu1', 'jp1', 'tool1'].map(provider),
  models: [
    model('m/a', [
      ep('us1', 1_000_000, { quant: 'fp8' }),
      ep('us2', 2_000_000, { quant: 'bf16', params: ['temperature', 'max_tokens', 'top_k'] }),
      ep('de1', 3_000_000, { regions: ['de'] }),
      ep('eu1', 4_000_000, { regions: ['eu'] }),
      ep('jp1', 5_000_000, { regions: ['jp'] }),
    ], { aliases: ['~m/a-latest'] }),
    model('m/tools', [
      ep('us1', 1_000_000),
      ep('tool1', 9_000_000, { caps: caps({ tools: true, tool_choice: true, json_schema: true }) }),
    ]),
    model('m/b', [ep('us2', 500_000), ep('de1', 600_000, { regions: ['de'] })]),
    model('m/dear', [ep('us1', 50_000_000)]),
  ],
}
const index = buildIndex(CatalogSchema.parse(catalog))
const configs = new Map<string, ProviderConfig>(catalog.providers.map((p) => [p.id, { baseUrl: p.base_url, apiKey: 'k' }]))

const run = (models: string[], prefs?: ProviderPreferences, extra: Partial<PlanInput> = {}, seed = 7): Plan =>
  plan({ models, prefs, promptTokens: 100, maxTokens: undefined, now: 1_000_000, ...extra }, index, configs, mulberry32(seed))
const order = (p: Plan): string[] => (p.ok ? p.attempts.map((a) => `${a.model.id}@${a.endpoint.tag ?? a.provider.id}`) : [`error:${p.error.kind}`])
const reasons = (p: Plan) => (p.ok ? p.skipped : p.error.kind === 'no_endpoints' ? p.error.skipped : []).map((s) => `${s.provider}:${s.reason}`)
const healthy: HealthHint = { breaker: 'closed', lastFailureAt: null, latencyMs: 500, ttftMs: 300, throughput: 50 }
const health = (map: Record<string, Partial<HealthHint>>) => (key: string) => (map[key] ? { ...healthy, ...map[key] } : undefined)

describe('regions (pure)', () => {
  it.each([
    [['de'], 'eu', true], [['de'], 'de', true], [['eu'], 'de', false], [['us'], 'na', true], [['jp'], 'eu', false], [['eu', 'de'], 'eu', true],
  ] as const)('%j satisfies %s → %s', (tags, wanted, ok) => expect(regionMatches([...tags], wanted)).toBe(ok))

  it('continents, parsing and proximity', () => {
    expect(continentOf('jp')).toBe('as')
    expect(continentOf('eu')).toBe('eu')
    expect(parseRegions([' EU, de ', null, 'us'])).toEqual({ regions: ['eu', 'de', 'us'], invalid: [] })
    expect(parseRegions(['europe'])).toEqual({ regions: [], invalid: ['europe'] })
    expect(proximity(['de'], { continent: 'eu', country: 'de' })).toBe(2)
    expect(proximity(['fr'], { continent: 'eu', country: 'de' })).toBe(1)
    expect(proximity(['us'], { continent: 'eu' })).toBe(0)
  })
})

describe('plan: variants and aliases', () => {
  it(':floor sorts strictly by price; :nitro by measured throughput', () => {
    expect(order(run(['m/a:floor']))).toEqual(['m/a@us1', 'm/a@us2', 'm/a@de1', 'm/a@eu1', 'm/a@jp1'])
    const h = health({ 'm/a@jp1': { throughput: 900 }, 'm/a@de1': { throughput: 300 } })
    expect(order(run(['m/a:nitro'], undefined, { health: h })).slice(0, 2)).toEqual(['m/a@jp1', 'm/a@de1'])
  })

  it('aliases and :exacto resolve to the base model; strategy says how', () => {
    const alias = run(['~m/a-latest'])
    expect(alias.ok && alias.strategy).toBe('alias')
    expect(alias.ok && alias.attempts[0]?.model.id).toBe('m/a')
    expect(run(['m/a:exacto']).ok).toBe(true)
    expect(run(['m/a:bogus'])).toEqual({ ok: false, error: { kind: 'unknown_model', model: 'm/a:bogus' } })
  })
})

describe('plan: filters', () => {
  it('capabilities are soft: only supporting endpoints when some support', () => {
    const needs = { tools: true, jsonSchema: false, images: false, params: [] }
    expect(order(run(['m/tools'], undefined, { needs }))).toEqual(['m/tools@tool1'])
    expect(reasons(run(['m/tools'], undefined, { needs }))).toEqual(['us1:capability'])
    // None of m/b's endpoints has tools: nothing is removed.
    expect(order(run(['m/b'], undefined, { needs })).length).toBe(2)
  })

  it('require_parameters keeps endpoints that support every parameter sent', () => {
    const needs = { tools: false, jsonSchema: false, images: false, params: ['top_k', 'temperature'] }
    expect(order(run(['m/a'], { require_parameters: true }, { needs }))).toEqual(['m/a@us2'])
    expect(order(run(['m/a'], {}, { needs })).length).toBe(5)
  })

  it('quantizations', () => {
    expect(order(run(['m/a'], { quantizations: ['fp8', 'bf16'] })).sort()).toEqual(['m/a@us1', 'm/a@us2'])
  })

  it('max_price per request and image are USD each', () => {
    expect(run(['m/dear'], { max_price: { prompt: 49.99 } })).toMatchObject({ ok: false, error: { kind: 'no_endpoints' } })
  })

  it('a required region filters hard, and a country matches its continent', () => {
    expect(order(run(['m/a'], undefined, { regions: { prefer: [], only: ['eu'] } })).sort()).toEqual(['m/a@de1', 'm/a@eu1'])
    expect(order(run(['m/a'], undefined, { regions: { prefer: [], only: ['de'] } }))).toEqual(['m/a@de1'])
    const none = run(['m/b'], undefined, { regions: { prefer: [], only: ['as'] } })
    expect(none).toMatchObject({ ok: false, error: { kind: 'no_endpoints', regions: ['as'] } })
    expect(reasons(none)).toEqual(['us2:region', 'de1:region'])
  })

  it('an open breaker skips the endpoint without trying it', () => {
    const p = run(['m/b'], undefined, { health: health({ 'm/b@us2': { breaker: 'open' } }) })
    expect(order(p)).toEqual(['m/b@de1'])
    expect(reasons(p)).toEqual(['us2:breaker_open'])
  })
})

describe('plan: ordering', () => {
  it('preferred regions come first, in the order given, the rest stay as fallbacks', () => {
    const p = order(run(['m/a'], undefined, { regions: { prefer: ['jp', 'eu'], only: [] } }))
    expect(p[0]).toBe('m/a@jp1')
    expect(new Set(p.slice(1, 3))).toEqual(new Set(['m/a@de1', 'm/a@eu1']))
    expect(p).toHaveLength(5)
  })

  it('the caller’s location breaks price ties in strict sorts and nudges load balancing', () => {
    const tie = buildIndex(CatalogSchema.parse({ ...catalog, models: [model('t/t', [ep('us1', 1_000_000), ep('de1', 1_000_000, { regions: ['de'] })])] }))
    const p = plan({ models: ['t/t:floor'], prefs: undefined, promptTokens: 1, maxTokens: undefined, caller: { continent: 'eu', country: 'de' } }, tie, configs, mulberry32(1))
    expect(order(p)).toEqual(['t/t@de1', 't/t@us1'])
    let nearFirst = 0
    for (let seed = 0; seed < 4000; seed++) {
      const q = plan({ models: ['t/t'], prefs: undefined, promptTokens: 1, maxTokens: undefined, caller: { continent: 'eu', country: 'de' } }, tie, configs, mulberry32(seed))
      if (q.ok && q.attempts[0]?.provider.id === 'de1') nearFirst++
    }
    expect(nearFirst / 4000).toBeGreaterThan(0.75) // weight 4 vs 1 → 80%
    expect(nearFirst / 4000).toBeLessThan(0.85)
  })

  it('endpoints that failed in the last 30 s go after stable ones', () => {
    const h = health({ 'm/b@us2': { lastFailureAt: 990_000 } })
    for (let seed = 0; seed < 50; seed++) expect(order(run(['m/b'], undefined, { health: h }, seed))).toEqual(['m/b@de1', 'm/b@us2'])
    const old = health({ 'm/b@us2': { lastFailureAt: 900_000 } })
    expect(new Set(Array.from({ length: 50 }, (_, s) => (order(run(['m/b'], undefined, { health: old }, s)))[0])).size).toBe(2)
  })

  it('a half-open endpoint takes a probe when allowed, otherwise waits at the back', () => {
    const h = health({ 'm/a@us1': { breaker: 'half_open' } })
    expect((order(run(['m/a:floor'], undefined, { health: h, probe: () => false }))).at(-1)).toBe('m/a@us1')
    expect((order(run(['m/a:floor'], undefined, { health: h, probe: () => true })))[0]).toBe('m/a@us1')
  })

  it('preferred_min_throughput and preferred_max_latency move misses to the back, never remove them', () => {
    const h = health({ 'm/a@us1': { throughput: 5 }, 'm/a@us2': { ttftMs: 9000 } })
    const p = order(run(['m/a:floor'], { preferred_min_throughput: 20, preferred_max_latency: { p50: 2 } }, { health: h }))
    expect(p.slice(-2)).toEqual(['m/a@us1', 'm/a@us2'])
    expect(p).toHaveLength(5)
  })

  it('partition none (and legacy route sort) sorts every model’s endpoints together', () => {
    expect(order(run(['m/a', 'm/b'], { sort: { by: 'price', partition: 'none' } })).slice(0, 3)).toEqual(['m/b@us2', 'm/b@de1', 'm/a@us1'])
    expect(order(run(['m/a', 'm/b'], { sort: 'price' }, { route: 'sort' })).slice(0, 2)).toEqual(['m/b@us2', 'm/b@de1'])
    expect(order(run(['m/a', 'm/b'], { sort: 'price' })).slice(0, 2)).toEqual(['m/a@us1', 'm/a@us2'])
  })

  it('allow_fallbacks false keeps one endpoint per model; models[] still fall back', () => {
    expect(order(run(['m/a', 'm/b'], { sort: 'price', allow_fallbacks: false }))).toEqual(['m/a@us1', 'm/b@us2'])
  })
})

describe('plan: auto router', () => {
  it('picks the cheapest capable, healthy model from the allow-list; the rest are fallbacks', () => {
    const auto = { allowed: ['m/*'] }
    const p = run(['openrouter/auto'], undefined, { auto })
    expect(p.ok && p.strategy).toBe('auto')
    expect(p.ok && p.attempts[0]?.model.id).toBe('m/b')
    const tools = run(['switchboard/auto'], undefined, { auto, needs: { tools: true, jsonSchema: false, images: false, params: [] } })
    expect(tools.ok && tools.attempts.map((a) => a.model.id)).toEqual(['m/tools'])
    const sick = run(['openrouter/auto'], undefined, { auto, health: health({ 'm/b@us2': { breaker: 'open' }, 'm/b@de1': { breaker: 'open' } }) })
    expect(sick.ok && sick.attempts[0]?.model.id).toBe('m/a')
    expect(run(['openrouter/auto'], undefined, { auto: { allowed: ['nothing/*'] } })).toMatchObject({ ok: false, error: { kind: 'no_endpoints' } })
  })
})
