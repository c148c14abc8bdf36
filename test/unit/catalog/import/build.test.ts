// The importer end to end on a small fixture: mapping, prices and their sources, free variants,
// pins, price fixes, extensions, the report, and the same output whatever the input order.
import { describe, expect, it } from 'vitest'
import { buildCatalog, type BuildInput } from '../../../../src/catalog/import/build.ts'
import { CatalogSchema } from '../../../../src/catalog/schema.ts'
import type { ModelsDevProvider } from '../../../../src/catalog/import/offers.ts'
import { Extensions, Overrides } from '../../../../src/catalog/import/schema.ts'

const policy = { training: false, retains_prompts: false, zdr: false }
const host = (id: string, imp: Record<string, unknown>) => ({
  id, name: id.toUpperCase(), protocol: 'openai', base_url: `https://${id}.test/v1`, requires_key: true, data_policy: policy,
  import: { regions: ['us'], parameters: ['max_tokens', 'temperature'], ...imp },
})

const overrides = () => Overrides.parse({
  providers: [
    { id: 'fake', name: 'Fake', protocol: 'fake', base_url: 'http://fake.test/v1', requires_key: false, data_policy: policy },
    host('acme', { models_dev: 'acme', genai_prices: ['acme'], author: 'acme', json_schema: true }),
    host('hosty', { models_dev: 'hosty', hf_ids: true }),
    host('router', { openrouter_upstream: true, genai_prices: ['openrouter'] }),
    host('idle', { models_dev: 'nothing-here' }),
  ],
  models: [{ id: 'acme/big-1', description: 'Reviewed description.' }],
  endpoints: [
    { model: 'meta-llama/llama-3.3-70b-instruct', provider: 'hosty', upstream_id: 'meta-llama/Llama-3.3-70B-Instruct-Cheap', tag: 'hosty/cheap', pricing: { prompt: 100_000, completion: 200_000 }, note: 'hand-kept' },
  ],
  prices: [{ model: 'acme/small-1', provider: 'acme', pricing: { prompt: 7, completion: 9 }, reference: 'acme.test/pricing, 2026-11-01' }],
  ids: { authors: { 'meta-llama': 'meta-llama' }, aliases: {}, exceptions: {}, not_text: ['embed'] },
})

const md = (id: string, models: Record<string, object>): ModelsDevProvider => ({
  id, models: Object.fromEntries(Object.entries(models).map(([k, v]) => [k, { id: k, ...v }])),
})
const acmeModel = { tool_call: true, reasoning: false, attachment: true, modalities: { input: ['text', 'image'], output: ['text'] }, limit: { context: 100_000, output: 8_000 } }

const input = (): BuildInput => ({
  overrides: overrides(),
  extensions: Extensions.parse({
    models: [{ id: 'local/tuned', name: 'Tuned', created: 1, description: '', input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'Other', endpoints: [{ provider: 'fake', upstream_id: 'x', pricing: { prompt: 0, completion: 0 }, context_length: 10, max_output: 5, regions: ['us'], capabilities: { tools: false, tool_choice: false, json_schema: false, images: false, reasoning: false }, supported_parameters: ['max_tokens'] }] }],
    endpoints: [{ model: 'acme/big-1', provider: 'hosty', upstream_id: 'acme-big-private', pricing: { prompt: 1, completion: 1 }, context_length: 1000, max_output: 100, regions: ['eu'], capabilities: { tools: false, tool_choice: false, json_schema: false, images: false, reasoning: false }, supported_parameters: ['max_tokens'] }],
  }),
  sources: {
    modelsDev: {
      acme: md('acme', {
        'big-1-20260101': { ...acmeModel, name: 'Big 1', release_date: '2026-01-01', cost: { input: 9, output: 9 } },
        'small-1': { ...acmeModel, cost: { input: 1, output: 1 } },
        'embed-1': { ...acmeModel, cost: { input: 1, output: 0 } },
      }),
      hosty: md('hosty', {
        'meta-llama/Llama-3.3-70B-Instruct-Turbo': { tool_call: false, cost: { input: 0.88, output: 0.88 }, limit: { context: 131_072, output: 4096 } },
        'meta-llama/Llama-3.3-70B-Instruct-Free': { tool_call: false, cost: { input: 0, output: 0 }, limit: { context: 8192, output: 4096 } },
        'mystery/Model-X': { cost: { input: 1, output: 1 }, limit: { context: 1000 } },
      }),
    },
    genai: [
      { id: 'acme', name: 'Acme', models: [{ id: 'big-1', match: { starts_with: 'big-1' }, prices: { input_mtok: 3, output_mtok: 15 } }] },
      { id: 'openrouter', name: 'OpenRouter', models: [
        { id: 'acme/big-1', match: { equals: 'acme/big-1' }, context_window: 100_000, prices: { input_mtok: 3, output_mtok: 15 } },
        { id: 'acme/small-1', match: { equals: 'acme/small-1' }, prices: { input_mtok: 1, output_mtok: 1 } },
        { id: 'meta-llama/llama-3.3-70b-instruct', match: { equals: 'meta-llama/llama-3.3-70b-instruct' }, context_window: 131_072, prices: { input_mtok: 0.1, output_mtok: 0.3 } },
        { id: 'meta-llama/llama-3.3-70b-instruct:free', match: { equals: 'meta-llama/llama-3.3-70b-instruct:free' }, prices: {} },
      ] },
    ],
  },
  versions: { modelsDev: 'md@1', genai: 'gp@2' },
})

describe('buildCatalog', () => {
  const out = buildCatalog(input())
  const model = (id: string) => out.models.find((m) => m.id === id)
  const endpoint = (id: string, slug: string) => model(id)?.endpoints.find((e) => (e.tag ?? e.provider) === slug)

  it('produces a catalog the schema accepts', () => {
    expect(CatalogSchema.safeParse({ providers: out.providers, models: out.models }).error?.issues ?? []).toEqual([])
  })

  it('maps host ids onto canonical models, with every host as an endpoint', () => {
    expect(model('meta-llama/llama-3.3-70b-instruct')?.endpoints.map((e) => e.tag ?? e.provider)).toEqual(['hosty', 'hosty/cheap', 'router'])
    expect(endpoint('acme/big-1', 'acme')?.upstream_id).toBe('big-1-20260101')
    expect(model('meta-llama/llama-3.3-70b-instruct')?.hugging_face_id).toBe('meta-llama/Llama-3.3-70B-Instruct-Turbo')
  })

  it('prices from genai-prices before models.dev, and cites the source and version', () => {
    expect(endpoint('acme/big-1', 'acme')).toMatchObject({ pricing: { prompt: 3_000_000, completion: 15_000_000 }, price_source: 'gp@2 acme/big-1' })
    expect(endpoint('meta-llama/llama-3.3-70b-instruct', 'hosty')).toMatchObject({ pricing: { prompt: 880_000, completion: 880_000 }, price_source: 'md@1 hosty/meta-llama/Llama-3.3-70B-Instruct-Turbo' })
  })

  it('lets a reviewed price fix win, and uses a pin price only where no source has one (reported)', () => {
    expect(endpoint('acme/small-1', 'acme')).toMatchObject({ pricing: { prompt: 7, completion: 9 }, price_source: 'overrides/prices.json (acme.test/pricing, 2026-11-01)' })
    expect(endpoint('meta-llama/llama-3.3-70b-instruct', 'hosty/cheap')).toMatchObject({ pricing: { prompt: 100_000, completion: 200_000 }, price_source: 'overrides/endpoints.json (hand-kept)' })
    expect(out.report.override_priced).toEqual(['meta-llama/llama-3.3-70b-instruct @ hosty/cheap'])
  })

  it('turns free listings into :free rows', () => {
    expect(model('meta-llama/llama-3.3-70b-instruct:free')?.endpoints.map((e) => `${e.provider} ${e.upstream_id}`))
      .toEqual(['hosty meta-llama/Llama-3.3-70B-Instruct-Free', 'router meta-llama/llama-3.3-70b-instruct:free'])
    expect(model('meta-llama/llama-3.3-70b-instruct:free')?.name).toMatch(/\(free\)$/)
  })

  it('fills endpoint fields from the listing and the provider defaults', () => {
    expect(endpoint('acme/big-1', 'acme')).toMatchObject({
      context_length: 100_000, max_output: 8_000, regions: ['us'],
      capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: false },
      supported_parameters: ['max_tokens', 'temperature', 'tools', 'tool_choice', 'response_format', 'structured_outputs'],
    })
    // The router's listing has no limits: the model's other listings give them.
    expect(endpoint('acme/big-1', 'router')?.context_length).toBe(100_000)
    expect(model('acme/big-1')).toMatchObject({ name: 'Big 1', description: 'Reviewed description.', created: 1_767_225_600 })
  })

  it('merges the operator extensions last', () => {
    expect(model('local/tuned')?.name).toBe('Tuned')
    expect(endpoint('acme/big-1', 'hosty')).toMatchObject({ upstream_id: 'acme-big-private', price_source: 'extensions.json' })
  })

  it('reports leftovers and drops idle providers', () => {
    expect(out.report.unmapped).toEqual([{ provider: 'hosty', upstream_id: 'mystery/Model-X', key: 'model-x' }])
    expect(out.report.missing_sources).toEqual(['models.dev nothing-here'])
    expect(out.report.idle_providers).toEqual(['idle'])
    expect(out.providers.map((p) => p.id)).toEqual(['fake', 'acme', 'hosty', 'router'])
    expect(out.report.counts.not_text).toBe(1)
  })

  it('takes an operator OpenRouter file as the whole OpenRouter list, with its prices and limits', () => {
    const withFile = input()
    withFile.sources.openrouter = [{
      id: 'acme/big-1', name: 'Acme: Big 1', created: 1_760_000_000, context_length: 200_000,
      architecture: { input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'Acme' },
      pricing: { prompt: '0.000004', completion: '0.00002' }, top_provider: { context_length: 200_000, max_completion_tokens: 10_000 },
      supported_parameters: ['max_tokens', 'tools', 'tool_choice', 'response_format'],
    }]
    withFile.versions.openrouter = 'openrouter-models.json#abc'
    const built = buildCatalog(withFile)
    const routed = built.models.flatMap((m) => m.endpoints.filter((e) => e.provider === 'router').map((e) => [m.id, e] as const))
    expect(routed.map(([id]) => id)).toEqual(['acme/big-1']) // genai-prices' copy of the list is not used
    expect(routed[0]![1]).toMatchObject({
      pricing: { prompt: 4_000_000, completion: 20_000_000 }, price_source: 'openrouter-models.json#abc acme/big-1',
      context_length: 200_000, max_output: 10_000, supported_parameters: ['max_tokens', 'tools', 'tool_choice', 'response_format'],
    })
  })

  it('gives the same catalog whatever order the sources list things in', () => {
    const shuffled = input()
    const acme = shuffled.sources.modelsDev.acme!
    acme.models = Object.fromEntries(Object.entries(acme.models).reverse())
    shuffled.sources.genai.reverse()
    expect(buildCatalog(shuffled)).toEqual(out)
  })
})
