// Routing cost against catalog size (issue 4): a pure Node microbenchmark of the
// gateway's own planner (src/routing/plan.ts) on synthetic catalogs of 10, 100 and
// 1,000 models, each model with 4 endpoints on real provider ids (groq, together,
// fireworks, deepinfra; all configured), validated by CatalogSchema like the real one.
//
// Why in Node: plan() takes microseconds, and workerd's clock steps in whole ms
// (Server-Timing's `plan` mostly reads 0; deployed, the clock does not even move
// during pure CPU). Node runs the same V8, so ns/op here is what one plan() costs an
// isolate, give or take the JIT.
//
// Cases: a direct model (what nearly every request does), `models: [3 ids]`, and
// `openrouter/auto` with an allow-list glob that matches 10 models. Also the one-time
// per-isolate costs: CatalogSchema.parse and buildIndex.
import providers from '../src/catalog/data/providers.json' with { type: 'json' }
import { buildIndex, providerConfigs, type CatalogIndex } from '../src/catalog/lookup.ts'
import { CatalogSchema, type CatalogInput } from '../src/catalog/schema.ts'
import { endpointKey, plan, type HealthHint, type PlanInput } from '../src/routing/plan.ts'

export const SIZES = [10, 54, 100, 420, 1000] as const
const PROVIDERS = ['groq', 'together', 'fireworks', 'deepinfra'] as const
const PARAMS = ['max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'response_format', 'tools', 'tool_choice']

const id = (i: number) => `synth/m${String(i).padStart(4, '0')}`

/** n models × 4 endpoints; prices and regions vary so the weighted shuffle has real work. */
export const syntheticCatalog = (n: number): CatalogInput => ({
  providers: providers as CatalogInput['providers'],
  models: Array.from({ length: n }, (_, i) => ({
    id: id(i),
    name: `Synthetic ${i}`,
    created: 1_700_000_000 + i,
    description: `Synthetic model ${i} for the routing benchmark.`,
    input_modalities: ['text'],
    output_modalities: ['text'],
    tokenizer: 'Llama3',
    endpoints: PROVIDERS.map((provider, j) => ({
      provider,
      upstream_id: `synth-${i}-${provider}`,
      pricing: { prompt: 100_000 + ((i * 7 + j * 131) % 900) * 1_000, completion: 200_000 + ((i * 13 + j * 71) % 900) * 1_000 },
      context_length: 131_072,
      max_output: 16_384,
      quantization: j === 1 ? 'fp8' : 'bf16',
      regions: j === 3 ? ['eu', 'de'] : ['us'],
      capabilities: { tools: true, tool_choice: true, json_schema: j % 2 === 1, images: false, reasoning: false },
      supported_parameters: PARAMS,
    })),
  })),
})

/** mulberry32: the planner's randomness, seeded. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ENV = { GROQ_API_KEY: 'k', TOGETHER_API_KEY: 'k', FIREWORKS_API_KEY: 'k', DEEPINFRA_API_KEY: 'k' } as unknown as Env

export type RoutingCase = 'direct' | 'models3' | 'auto10'

/** The requests, as planFor (src/api/pipeline.ts) shapes them: health from an isolate cache, a caller location, no region headers. */
const inputs = (index: CatalogIndex): Record<RoutingCase, PlanInput> => {
  const now = 1_750_000_000_000
  // The isolate's health cache holds the hot endpoints (those of the first 10 models), closed breakers.
  const cache = new Map<string, HealthHint>()
  for (let i = 0; i < 10; i++) {
    const model = index.models.get(id(i))!
    for (const endpoint of model.endpoints) {
      const provider = index.providers.get(endpoint.provider)!
      cache.set(endpointKey({ model, endpoint, provider }), { breaker: 'closed', lastFailureAt: null, latencyMs: 400 + i, ttftMs: 200 + i, throughput: 80 + i })
    }
  }
  const base = {
    prefs: undefined, promptTokens: 120, maxTokens: 256,
    needs: { tools: false, jsonSchema: false, images: false, params: ['max_tokens', 'temperature'] },
    regions: { prefer: [], only: [] }, caller: { country: 'us', continent: 'na' },
    health: (k: string) => cache.get(k), probe: () => false, now,
  } satisfies Omit<PlanInput, 'models'>
  return {
    direct: { ...base, models: [id(7)] },
    models3: { ...base, models: [id(1), id(5), id(9)] },
    auto10: { ...base, models: ['openrouter/auto'], auto: { allowed: ['synth/m000*'] } },
  }
}

/** Iterations per batch so that one batch lasts at least `batchMs` (after a JIT warm-up). */
const calibrate = (fn: () => number, batchMs: number): number => {
  let sink = 0
  for (let i = 0; i < 2_000; i++) sink += fn()
  let k = 64
  for (;;) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < k; i++) sink += fn()
    if (Number(process.hrtime.bigint() - t) / 1e6 >= batchMs || k >= 1 << 22) return sink === -1 ? 0 : k
    k *= 2
  }
}

/** ns per call of one batch of k calls. */
const batch = (fn: () => number, k: number): number => {
  let sink = 0
  const t = process.hrtime.bigint()
  for (let i = 0; i < k; i++) sink += fn()
  const ns = Number(process.hrtime.bigint() - t) / k
  return sink === -1 ? NaN : ns
}

/** Median ms of a one-time step, repeated. */
const msOnce = (fn: () => unknown, repeat: number): number => {
  const times: number[] = []
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[times.length >> 1]!
}

export interface RoutingRow {
  models: number
  endpoints: number
  /** One-time per isolate: zod validation of the catalog, then the indexes. */
  parse_ms: number
  build_index_ms: number
  /** plan() per call: median (and fastest) batch, ns. */
  plan_ns: Record<RoutingCase, { median: number; min: number; attempts: number }>
}

export interface RoutingResult {
  rows: RoutingRow[]
  /** direct at 1,000 models over direct at 10: ~1 means flat. */
  direct_growth_1000_vs_10: number
  auto_growth_1000_vs_10: number
}

/**
 * Builds every catalog first, then times plan() in interleaved batches (each round runs
 * one batch of every size × case), so JIT warm-up, GC and the shared machine's noise
 * fall on all sizes alike; the figure is the median batch (and the fastest).
 */
export const runRoutingBench = (sizes: readonly number[] = SIZES, batches = 25, batchMs = 8): RoutingResult => {
  const setups = sizes.map((n) => {
    const raw = syntheticCatalog(n)
    const catalog = CatalogSchema.parse(raw)
    const parse_ms = msOnce(() => CatalogSchema.parse(raw), n >= 1000 ? 3 : 7)
    const build_index_ms = msOnce(() => buildIndex(catalog), 9)
    const index = buildIndex(catalog)
    const configs = providerConfigs(ENV, index)
    const cases = inputs(index)
    const fns = {} as Record<RoutingCase, () => number>
    const attempts = {} as Record<RoutingCase, number>
    for (const name of Object.keys(cases) as RoutingCase[]) {
      const input = cases[name]
      const random = rng(42)
      const once = plan(input, index, configs, random)
      if (!once.ok) throw new Error(`routing bench: ${name} on ${n} models did not plan: ${JSON.stringify(once.error).slice(0, 300)}`)
      attempts[name] = once.attempts.length
      fns[name] = () => {
        const p = plan(input, index, configs, random)
        return p.ok ? p.attempts.length : 0
      }
    }
    return { n, parse_ms, build_index_ms, fns, attempts }
  })
  const names = Object.keys(setups[0]?.fns ?? {}) as RoutingCase[]
  const ks = setups.map((s) => Object.fromEntries(names.map((name) => [name, calibrate(s.fns[name], batchMs)])) as Record<RoutingCase, number>)
  const per = setups.map(() => Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<RoutingCase, number[]>)
  for (let b = 0; b < batches; b++) {
    setups.forEach((s, i) => {
      for (const name of names) per[i]![name].push(batch(s.fns[name], ks[i]![name]))
    })
  }
  const rows: RoutingRow[] = setups.map((s, i) => ({
    models: s.n,
    endpoints: s.n * PROVIDERS.length,
    parse_ms: s.parse_ms,
    build_index_ms: s.build_index_ms,
    plan_ns: Object.fromEntries(names.map((name) => {
      const sorted = [...per[i]![name]].sort((a, b) => a - b)
      return [name, { median: sorted[sorted.length >> 1]!, min: sorted[0]!, attempts: s.attempts[name] }]
    })) as RoutingRow['plan_ns'],
  }))
  const first = rows[0]
  const last = rows[rows.length - 1]
  return {
    rows,
    direct_growth_1000_vs_10: last && first ? last.plan_ns.direct.median / first.plan_ns.direct.median : NaN,
    auto_growth_1000_vs_10: last && first ? last.plan_ns.auto10.median / first.plan_ns.auto10.median : NaN,
  }
}

// Alone: `node bench/routing.ts` prints the JSON.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(runRoutingBench(), null, 2))
}
