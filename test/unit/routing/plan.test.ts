// The planner over a small synthetic catalog (not the real data), with a seeded
// rng so the weighted shuffle is reproducible (docs/routing.md).
import { describe, expect, it } from 'vitest'
import { buildIndex, type ProviderConfig } from '../../../src/catalog/lookup.ts'
import { CatalogSchema, type CatalogInput } from '../../../src/catalog/schema.ts'
import { plan, type Plan, type PlanInput, type PlannedAttempt, type Skip } from '../../../src/routing/plan.ts'
import type { ProviderPreferences } from '../../../src/schemas/chat-request.ts'
import { mulberry32 } from '../_helpers/rng.ts'

const policy = (training: boolean, retains_prompts: boolean, zdr: boolean) => ({ training, retains_prompts, zdr })
const caps = { tools: true, tool_choice: true, json_schema: true, images: false, reasoning: false }

/** prompt/completion in µ$ per million tokens; blended = prompt + completion. */
const ep = (provider: string, prompt: number, completion: number, context_length = 131_072, tag?: string) => ({
  provider,
  upstream_id: `${provider}-model`,
  ...(tag ? { tag } : {}),
  pricing: { prompt, completion },
  context_length,
  max_output: 4096,
  regions: ['us'],
  capabilities: caps,
  supported_parameters: ['temperature', 'max_tokens'],
})

const model = (id: string, endpoints: ReturnType<typeof ep>[]) => ({
  id,
  name: id,
  created: 1_750_000_000,
  description: '',
  input_modalities: ['text'],
  output_modalities: ['text'],
  tokenizer: 'Other',
  endpoints,
})

const provider = (id: string, name: string, data_policy: ReturnType<typeof policy>) => ({
  id,
  name,
  protocol: 'openai' as const,
  base_url: `https://${id}.test/v1`,
  data_policy,
})

const catalog: CatalogInput = {
  providers: [
    provider('cheap', 'Cheap Cloud', policy(false, false, true)),
    provider('mid', 'Mid AI', policy(false, true, false)),
    provider('pricey', 'Pricey Labs', policy(true, true, false)),
    provider('nokey', 'No Key Inc', policy(false, false, true)),
  ],
  models: [
    model('acme/chat', [
      ep('cheap', 400_000, 600_000, 32_768), //       $1/M blended
      ep('mid', 1_000_000, 2_000_000), //              $3/M
      ep('pricey', 2_000_000, 8_200_000, 200_000), // $10.2/M
      ep('nokey', 100_000, 100_000), //                $0.2/M but no key
      ep('mid', 1_500_000, 2_500_000, 8_192, 'mid/turbo'), // $4/M, small context
    ]),
    model('acme/backup', [ep('pricey', 2_000_000, 8_200_000), ep('cheap', 400_000, 600_000)]),
    model('acme/solo', [ep('pricey', 2_000_000, 8_200_000)]),
    model('acme/pair', [ep('mid', 1_000_000, 2_000_000), ep('cheap', 400_000, 600_000)]), // $3/M listed before $1/M
    model('acme/trio', [ep('pricey', 2_000_000, 4_000_000), ep('mid', 1_000_000, 2_000_000), ep('cheap', 400_000, 600_000)]),
  ],
}

const index = buildIndex(CatalogSchema.parse(catalog))

const configs = new Map<string, ProviderConfig>([
  ['cheap', { baseUrl: 'https://cheap.test/v1', apiKey: 'k1' }],
  ['mid', { baseUrl: 'https://mid.test/v1', apiKey: 'k2' }],
  ['pricey', { baseUrl: 'https://pricey.test/v1', apiKey: 'k3' }],
  ['nokey', { baseUrl: 'https://nokey.test/v1', apiKey: undefined, unavailable: 'no_api_key' }],
])

const label = (a: PlannedAttempt) => `${a.model.id}@${a.endpoint.tag ?? a.provider.id}`

const run = (models: string[], prefs?: ProviderPreferences, extra: Partial<PlanInput> = {}, seed = 1): Plan =>
  plan({ models, prefs, promptTokens: 1000, maxTokens: undefined, ...extra }, index, configs, mulberry32(seed))

const attempts = (p: Plan): string[] => {
  if (!p.ok) throw new Error(`plan failed: ${JSON.stringify(p.error)}`)
  return p.attempts.map(label)
}
const skipped = (p: Plan): Skip[] => (p.ok ? p.skipped : [])
const sorted = (xs: string[]) => [...xs].sort()

const NOKEY: Skip = { model: 'acme/chat', provider: 'nokey', reason: 'no_api_key' }
const CHAT_ALL = ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@mid/turbo', 'acme/chat@pricey']

describe('plan: errors', () => {
  it('no model at all → no_model', () => {
    expect(run([])).toEqual({ ok: false, error: { kind: 'no_model' } })
  })

  it.each([
    [['acme/nope']],
    [['acme/chat', 'acme/nope']], // a bad fallback is reported too, not silently dropped
  ])('%j → unknown_model', (models) => {
    expect(run(models)).toEqual({ ok: false, error: { kind: 'unknown_model', model: 'acme/nope' } })
  })

  it('everything filtered out → no_endpoints with every skip and its reason', () => {
    expect(run(['acme/solo'], { zdr: true })).toEqual({
      ok: false,
      error: { kind: 'no_endpoints', models: ['acme/solo'], skipped: [{ model: 'acme/solo', provider: 'pricey', reason: 'data_policy' }] },
    })
  })
})

describe('plan: filters (table)', () => {
  const cases: Array<{ name: string; prefs?: ProviderPreferences; extra?: Partial<PlanInput>; want: string[]; skips: Skip[] }> = [
    { name: 'no preferences: every available endpoint', want: CHAT_ALL, skips: [NOKEY] },
    {
      name: 'only by slug',
      prefs: { only: ['cheap'] },
      want: ['acme/chat@cheap'],
      skips: [
        { model: 'acme/chat', provider: 'mid', reason: 'not_in_only' },
        { model: 'acme/chat', provider: 'pricey', reason: 'not_in_only' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'not_in_only' },
      ],
    },
    {
      name: 'only by display name, case-insensitive (covers every endpoint of the provider)',
      prefs: { only: ['mID ai'] },
      want: ['acme/chat@mid', 'acme/chat@mid/turbo'],
      skips: [
        { model: 'acme/chat', provider: 'cheap', reason: 'not_in_only' },
        { model: 'acme/chat', provider: 'pricey', reason: 'not_in_only' },
        NOKEY,
      ],
    },
    {
      name: 'only by endpoint tag, case-insensitive',
      prefs: { only: ['MID/Turbo'] },
      want: ['acme/chat@mid/turbo'],
      skips: [
        { model: 'acme/chat', provider: 'cheap', reason: 'not_in_only' },
        { model: 'acme/chat', provider: 'mid', reason: 'not_in_only' },
        { model: 'acme/chat', provider: 'pricey', reason: 'not_in_only' },
        NOKEY,
      ],
    },
    {
      name: 'ignore by display name',
      prefs: { ignore: ['Pricey Labs'] },
      want: ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@mid/turbo'],
      skips: [{ model: 'acme/chat', provider: 'pricey', reason: 'ignored' }, NOKEY],
    },
    {
      name: 'ignore by slug, upper-case',
      prefs: { ignore: ['CHEAP', 'mid'] },
      want: ['acme/chat@pricey'],
      skips: [
        { model: 'acme/chat', provider: 'cheap', reason: 'ignored' },
        { model: 'acme/chat', provider: 'mid', reason: 'ignored' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'ignored' },
      ],
    },
    {
      name: 'data_collection deny drops providers that train on or retain prompts',
      prefs: { data_collection: 'deny' },
      want: ['acme/chat@cheap'],
      skips: [
        { model: 'acme/chat', provider: 'mid', reason: 'data_policy' },
        { model: 'acme/chat', provider: 'pricey', reason: 'data_policy' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'data_policy' },
      ],
    },
    { name: 'data_collection allow changes nothing', prefs: { data_collection: 'allow' }, want: CHAT_ALL, skips: [NOKEY] },
    {
      name: 'zdr keeps zero-retention providers only',
      prefs: { zdr: true },
      want: ['acme/chat@cheap'],
      skips: [
        { model: 'acme/chat', provider: 'mid', reason: 'data_policy' },
        { model: 'acme/chat', provider: 'pricey', reason: 'data_policy' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'data_policy' },
      ],
    },
    {
      name: 'max_price.prompt in USD per million (an endpoint at exactly the limit stays)',
      prefs: { max_price: { prompt: 1 } },
      want: ['acme/chat@cheap', 'acme/chat@mid'],
      skips: [
        { model: 'acme/chat', provider: 'pricey', reason: 'max_price' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'max_price' },
      ],
    },
    {
      name: 'max_price.completion at 8.2 keeps the $8.20/M endpoint (8.2 × 1e6 is 8199999.999999999 in floats)',
      prefs: { max_price: { completion: 8.2 } },
      want: CHAT_ALL,
      skips: [NOKEY],
    },
    {
      name: 'max_price.completion just under the price drops it',
      prefs: { max_price: { completion: 8.19 } },
      want: ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@mid/turbo'],
      skips: [{ model: 'acme/chat', provider: 'pricey', reason: 'max_price' }, NOKEY],
    },
    {
      name: 'context_length: prompt + max_tokens must fit',
      extra: { promptTokens: 7000, maxTokens: 2000 }, // 9000 > 8192 (turbo)
      want: ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@pricey'],
      skips: [NOKEY, { model: 'acme/chat', provider: 'mid/turbo', reason: 'context_length' }],
    },
    {
      name: 'context_length: exactly full still fits; one more token does not',
      extra: { promptTokens: 28_672, maxTokens: 4096 }, // = 32_768 (cheap) → fits
      want: ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@pricey'],
      skips: [NOKEY, { model: 'acme/chat', provider: 'mid/turbo', reason: 'context_length' }],
    },
    {
      name: 'context_length: over the cheap endpoint too',
      extra: { promptTokens: 28_673, maxTokens: 4096 },
      want: ['acme/chat@mid', 'acme/chat@pricey'],
      skips: [
        { model: 'acme/chat', provider: 'cheap', reason: 'context_length' },
        NOKEY,
        { model: 'acme/chat', provider: 'mid/turbo', reason: 'context_length' },
      ],
    },
  ]

  it.each(cases)('$name', ({ prefs, extra, want, skips }) => {
    const p = run(['acme/chat'], prefs, extra)
    expect(sorted(attempts(p))).toEqual(sorted(want))
    expect(skipped(p)).toEqual(skips)
  })

  it('an endpoint whose provider has no configuration is left out', () => {
    const partial = new Map([...configs].filter(([id]) => id !== 'pricey'))
    const p = plan({ models: ['acme/chat'], prefs: undefined, promptTokens: 10, maxTokens: undefined }, index, partial, mulberry32(1))
    expect(sorted(attempts(p))).toEqual(['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@mid/turbo'])
  })
})

describe('plan: ordering', () => {
  it('sort price: cheapest blended price first', () => {
    const want = ['acme/chat@cheap', 'acme/chat@mid', 'acme/chat@mid/turbo', 'acme/chat@pricey']
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(attempts(run(['acme/chat'], { sort: 'price' }, {}, seed))).toEqual(want)
      expect(attempts(run(['acme/chat'], { sort: { by: 'price' } }, {}, seed))).toEqual(want)
    }
  })

  it('order puts the named endpoints first, in that order, then the rest as fallbacks', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const got = attempts(run(['acme/chat'], { order: ['Pricey Labs', 'mid'] }, {}, seed))
      expect(got[0]).toBe('acme/chat@pricey')
      expect(sorted(got.slice(1, 3))).toEqual(['acme/chat@mid', 'acme/chat@mid/turbo'])
      expect(got[3]).toBe('acme/chat@cheap')
    }
  })

  it('order + sort price: order first, price within and after', () => {
    expect(attempts(run(['acme/chat'], { order: ['mid/turbo'], sort: 'price' }))).toEqual([
      'acme/chat@mid/turbo',
      'acme/chat@cheap',
      'acme/chat@mid',
      'acme/chat@pricey',
    ])
  })

  it('allow_fallbacks false with order: only the ordered providers', () => {
    const p = run(['acme/chat'], { order: ['pricey', 'cheap'], allow_fallbacks: false })
    expect(attempts(p)).toEqual(['acme/chat@pricey', 'acme/chat@cheap'])
    expect(skipped(p)).toEqual([
      { model: 'acme/chat', provider: 'mid', reason: 'not_in_order' },
      NOKEY,
      { model: 'acme/chat', provider: 'mid/turbo', reason: 'not_in_order' },
    ])
  })

  it('allow_fallbacks false without order: just the first choice', () => {
    expect(attempts(run(['acme/chat'], { allow_fallbacks: false, sort: 'price' }))).toEqual(['acme/chat@cheap'])
    expect(attempts(run(['acme/chat'], { allow_fallbacks: false }))).toHaveLength(1)
  })

  it('models[]: every endpoint of the first model before any of the next (partition by model)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const got = attempts(run(['acme/backup', 'acme/chat'], undefined, {}, seed))
      expect(got).toHaveLength(6)
      expect(sorted(got.slice(0, 2))).toEqual(['acme/backup@cheap', 'acme/backup@pricey'])
      expect(sorted(got.slice(2))).toEqual(CHAT_ALL)
    }
    expect(attempts(run(['acme/chat', 'acme/backup'], { sort: 'price', only: ['pricey', 'cheap'] }))).toEqual([
      'acme/chat@cheap',
      'acme/chat@pricey',
      'acme/backup@cheap',
      'acme/backup@pricey',
    ])
  })

  it('a model named twice is planned once', () => {
    expect(attempts(run(['acme/solo', 'acme/solo']))).toEqual(['acme/solo@pricey'])
  })

  it('is deterministic for a given seed', () => {
    expect(attempts(run(['acme/chat'], undefined, {}, 42))).toEqual(attempts(run(['acme/chat'], undefined, {}, 42)))
  })
})

describe('plan: default load balancing is inverse-square in price', () => {
  const DRAWS = 20_000
  const firstCounts = (modelId: string, seed: number) => {
    const rng = mulberry32(seed)
    const counts = new Map<string, number>()
    for (let i = 0; i < DRAWS; i++) {
      const p = plan({ models: [modelId], prefs: undefined, promptTokens: 10, maxTokens: undefined }, index, configs, rng)
      const first = attempts(p)[0]!
      counts.set(first, (counts.get(first) ?? 0) + 1)
    }
    return counts
  }

  it('$1/M first about 9× as often as $3/M (90% / 10%), whatever the catalog order', () => {
    // acme/pair lists the $3/M endpoint first, so catalog order cannot explain a 90% share.
    const counts = firstCounts('acme/pair', 2024)
    const cheap = (counts.get('acme/pair@cheap') ?? 0) / DRAWS
    const mid = (counts.get('acme/pair@mid') ?? 0) / DRAWS
    // binomial sd = sqrt(0.9 × 0.1 / 20000) ≈ 0.0021; ±0.015 is about 7 sd
    expect(cheap).toBeGreaterThan(0.885)
    expect(cheap).toBeLessThan(0.915)
    expect(cheap / mid).toBeGreaterThan(7.5)
    expect(cheap / mid).toBeLessThan(11)
  })

  it('$1 / $3 / $6 per M → weights 1 : 1/9 : 1/36 → first 36/41, 4/41, 1/41', () => {
    const counts = firstCounts('acme/trio', 99)
    const share = (p: string) => (counts.get(`acme/trio@${p}`) ?? 0) / DRAWS
    expect(Math.abs(share('cheap') - 36 / 41)).toBeLessThan(0.015)
    expect(Math.abs(share('mid') - 4 / 41)).toBeLessThan(0.012)
    expect(Math.abs(share('pricey') - 1 / 41)).toBeLessThan(0.008)
  })

  it('every endpoint still appears exactly once in every plan (the rest are fallbacks)', () => {
    const rng = mulberry32(5)
    for (let i = 0; i < 200; i++) {
      const p = plan({ models: ['acme/trio'], prefs: undefined, promptTokens: 10, maxTokens: undefined }, index, configs, rng)
      expect(sorted(attempts(p))).toEqual(['acme/trio@cheap', 'acme/trio@mid', 'acme/trio@pricey'])
    }
  })
})
