// The committed catalog data (src/catalog/data) checked against the schema and
// against the invariants routing and billing rely on (test/node checks it is what the importer produces).
import { describe, it, expect } from 'vitest'
import { CatalogSchema, type Catalog, type Endpoint, type Model, type Pricing } from '../../../src/catalog/schema.ts'
import { catalogData } from '../../../src/catalog/data/index.ts'
import { trustedCatalog } from '../../../src/catalog/lookup.ts'

const result = CatalogSchema.safeParse(catalogData)

const parsed = (): Catalog => {
  if (!result.success) throw new Error(`catalog does not parse:\n${JSON.stringify(result.error.issues, null, 2)}`)
  return result.data
}

const LOCAL_PROVIDERS = new Set(['ollama', 'vllm'])

const fakeProviderIds = (c: Catalog) => new Set(c.providers.filter((p) => p.protocol === 'fake').map((p) => p.id))
const realModels = (c: Catalog): Model[] => {
  const fakes = fakeProviderIds(c)
  return c.models.filter((m) => m.endpoints.every((e) => !fakes.has(e.provider)))
}
const endpoints = (c: Catalog): Array<{ model: Model; endpoint: Endpoint; where: string }> =>
  c.models.flatMap((model) =>
    model.endpoints.map((endpoint) => ({ model, endpoint, where: `${model.id} @ ${endpoint.tag ?? endpoint.provider}` })),
  )
const priceValues = (p: Pricing): number[] =>
  [p.prompt, p.completion, p.cache_read, p.cache_write, p.request, p.image].filter((v): v is number => v !== undefined)

describe('catalog data', () => {
  it('parses against CatalogSchema', () => {
    if (!result.success) console.error(JSON.stringify(result.error.issues, null, 2))
    expect(result.error?.issues ?? []).toEqual([])
    expect(result.success).toBe(true)
  })

  it('is what the Worker indexes without parsing (trustedCatalog only fills the defaults)', () => {
    expect(trustedCatalog(catalogData)).toEqual(parsed())
  })

  it('keeps the built-in fake providers first', () => {
    expect(parsed().providers.slice(0, 2).map((p) => p.id)).toEqual(['fake', 'fake-eu'])
  })

  it('has at least 30 real (non-fake) models', () => {
    const c = parsed()
    const real = realModels(c)
    expect(real.length).toBeGreaterThanOrEqual(30)
    expect(real.some((m) => m.id.startsWith('fake/'))).toBe(false)
  })

  it('serves real models from at least 8 distinct providers and authors', () => {
    const real = realModels(parsed())
    const providers = new Set(real.flatMap((m) => m.endpoints.map((e) => e.provider)))
    const authors = new Set(real.map((m) => m.id.split('/')[0]))
    expect(providers.size).toBeGreaterThanOrEqual(8)
    expect(authors.size).toBeGreaterThanOrEqual(8)
  })

  it('includes the core models', () => {
    const ids = new Set(parsed().models.map((m) => m.id))
    const required = [
      'openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/gpt-4.1', 'openai/gpt-4.1-mini', 'openai/gpt-4.1-nano',
      'openai/gpt-5', 'openai/gpt-5-mini', 'openai/text-embedding-3-small',
      'anthropic/claude-sonnet-4', 'anthropic/claude-3.5-haiku', 'anthropic/claude-sonnet-4.5', 'anthropic/claude-haiku-4.5',
      'google/gemini-2.5-pro', 'google/gemini-2.5-flash', 'google/gemini-2.5-flash-lite', 'google/gemini-2.0-flash-001',
      'meta-llama/llama-3.3-70b-instruct', 'meta-llama/llama-3.3-70b-instruct:free', 'meta-llama/llama-3.1-8b-instruct',
      'meta-llama/llama-4-maverick', 'meta-llama/llama-4-scout',
      'mistralai/mistral-large', 'mistralai/mistral-small', 'deepseek/deepseek-r1',
      'qwen/qwen-2.5-72b-instruct', 'qwen/qwen3-235b-a22b', 'qwen/qwen3-32b', 'x-ai/grok-3',
    ]
    expect(required.filter((id) => !ids.has(id))).toEqual([])
  })

  it('has unique model ids (checked on the raw data too)', () => {
    const ids = catalogData.models.map((m) => m.id)
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i)
    expect(dupes).toEqual([])
  })

  it('has unique routing slugs (tag, else provider) within each model', () => {
    const bad = parsed().models.filter((m) => {
      const slugs = m.endpoints.map((e) => e.tag ?? e.provider)
      return new Set(slugs).size !== slugs.length
    })
    expect(bad.map((m) => m.id)).toEqual([])
  })

  it('prices every :free model at zero', () => {
    const c = parsed()
    const free = c.models.filter((m) => m.id.endsWith(':free'))
    expect(free.length).toBeGreaterThan(0)
    const charged = free.flatMap((m) =>
      m.endpoints.filter((e) => priceValues(e.pricing).some((v) => v !== 0)).map((e) => `${m.id} @ ${e.provider}`),
    )
    expect(charged).toEqual([])
  })

  it('prices every non-free real endpoint above zero', () => {
    const unpriced = realModels(parsed())
      .filter((m) => !m.id.endsWith(':free'))
      .flatMap((m) =>
        m.endpoints.filter((e) => !LOCAL_PROVIDERS.has(e.provider) && e.pricing.prompt === 0).map((e) => `${m.id} @ ${e.provider}`),
      )
    expect(unpriced).toEqual([])
  })

  it('uses whole microdollars for every price', () => {
    const fractional = endpoints(parsed()).filter(({ endpoint }) => !priceValues(endpoint.pricing).every(Number.isInteger))
    expect(fractional.map((x) => x.where)).toEqual([])
    // and on the raw data, before any coercion
    const raw = catalogData.models.flatMap((m) => m.endpoints.flatMap((e) => Object.values(e.pricing)))
    expect(raw.filter((v) => typeof v !== 'number' || !Number.isInteger(v))).toEqual([])
  })

  it('keeps max_output within context_length', () => {
    const bad = endpoints(parsed()).filter(({ endpoint }) => endpoint.max_output > endpoint.context_length)
    expect(bad.map((x) => x.where)).toEqual([])
  })

  it('lists "tools" in supported_parameters exactly when the tools capability is set', () => {
    const bad = endpoints(parsed()).filter(
      ({ endpoint }) => endpoint.capabilities.tools !== endpoint.supported_parameters.includes('tools'),
    )
    expect(bad.map((x) => x.where)).toEqual([])
  })

  it('lists a response_format parameter wherever json_schema is claimed', () => {
    const bad = endpoints(parsed()).filter(
      ({ endpoint }) =>
        endpoint.capabilities.json_schema &&
        !endpoint.supported_parameters.some((p) => p === 'structured_outputs' || p === 'response_format'),
    )
    expect(bad.map((x) => x.where)).toEqual([])
  })

  it('marks every endpoint of a mandatory-reasoning model as reasoning-capable', () => {
    const bad = endpoints(parsed()).filter(({ model, endpoint }) => model.reasoning?.mandatory && !endpoint.capabilities.reasoning)
    expect(bad.map((x) => x.where)).toEqual([])
  })

  it('gives embedding models only embedding output, and chat models text output', () => {
    const c = parsed()
    for (const m of realModels(c)) {
      if (m.output_modalities.includes('embeddings')) expect(m.output_modalities, m.id).toEqual(['embeddings'])
      else expect(m.output_modalities, m.id).toContain('text')
    }
    expect(c.models.some((m) => m.id === 'openai/text-embedding-3-small' && m.output_modalities.includes('embeddings'))).toBe(true)
  })

  it('requires an API key for every real provider except the local ones', () => {
    const c = parsed()
    const real = c.providers.filter((p) => p.protocol !== 'fake')
    expect(real.length).toBeGreaterThanOrEqual(10)
    const bad = real.filter((p) => p.requires_key !== !LOCAL_PROVIDERS.has(p.id))
    expect(bad.map((p) => p.id)).toEqual([])
  })

  it('names a known provider on every endpoint (checked on the raw data too)', () => {
    const known = new Set(catalogData.providers.map((p) => p.id))
    const unknown = catalogData.models.flatMap((m) => m.endpoints.filter((e) => !known.has(e.provider)).map((e) => `${m.id} @ ${e.provider}`))
    expect(unknown).toEqual([])
  })

  it('keeps capabilities and supported_parameters consistent both ways', () => {
    const bad = endpoints(parsed()).flatMap(({ model, endpoint: e, where }) => {
      const params = new Set(e.supported_parameters)
      return [
        e.capabilities.tool_choice && !e.capabilities.tools && `${where}: tool_choice without tools`,
        params.has('tool_choice') !== e.capabilities.tools && `${where}: tool_choice parameter vs tools capability`,
        params.has('structured_outputs') && !e.capabilities.json_schema && `${where}: structured_outputs without json_schema`,
        e.capabilities.reasoning !== params.has('reasoning') && `${where}: reasoning capability vs parameter`,
        e.capabilities.images && !model.input_modalities.includes('image') && `${where}: images on a text-only model`,
      ].filter((x): x is string => typeof x === 'string')
    })
    expect(bad).toEqual([])
  })

  it('cites a price source on every real endpoint', () => {
    const fakes = fakeProviderIds(parsed())
    const untraced = endpoints(parsed()).filter(({ endpoint }) => !fakes.has(endpoint.provider) && !endpoint.price_source)
    expect(untraced.map((x) => x.where)).toEqual([])
  })

  it('has ≥ 300 distinct text models from ≥ 25 providers, and ≥ 40 open models with ≥ 3 endpoints', () => {
    const real = realModels(parsed())
    const text = new Set(real.filter((m) => m.output_modalities.includes('text')).map((m) => m.id.replace(/:free$/, '')))
    expect(text.size).toBeGreaterThanOrEqual(300)
    expect(new Set(real.flatMap((m) => m.endpoints.map((e) => e.provider))).size).toBeGreaterThanOrEqual(25)
    // Open weights: the model names its Hugging Face repository.
    const open = real.filter((m) => m.hugging_face_id && new Set(m.endpoints.map((e) => e.tag ?? e.provider)).size >= 3)
    expect(open.length).toBeGreaterThanOrEqual(40)
  })

  it('puts free endpoints in :free rows only, so the free-model quotas (keyed on the id) apply to them', () => {
    const c = parsed()
    expect(c.models.filter((m) => m.id.endsWith(':free')).length).toBeGreaterThanOrEqual(20)
    const freeInPaid = c.models
      .filter((m) => !m.id.endsWith(':free'))
      .flatMap((m) => m.endpoints.filter((e) => !LOCAL_PROVIDERS.has(e.provider) && priceValues(e.pricing).every((v) => v === 0)).map((e) => `${m.id} @ ${e.provider}`))
    expect(freeInPaid).toEqual([])
  })

  it('has at least one endpoint on every non-local real provider', () => {
    const c = parsed()
    const used = new Set(c.models.flatMap((m) => m.endpoints.map((e) => e.provider)))
    const idle = c.providers.filter((p) => p.protocol !== 'fake' && !LOCAL_PROVIDERS.has(p.id) && !used.has(p.id))
    expect(idle.map((p) => p.id)).toEqual([])
  })
})
