// Zero-data-retention discovery: GET /endpoints/zdr lists the endpoints whose provider
// keeps no data, and /models?zdr=true keeps the models that have one. (That
// @openrouter/sdk parses both is checked against npm start, in test/e2e.)
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../src/catalog/lookup.ts'
import { call } from '../helpers/gateway.ts'

const index = catalogIndex()
const zdrProviders = new Set(index.catalog.providers.filter((p) => p.data_policy.zdr).map((p) => p.id))
const providerNamed = (name: string) => index.catalog.providers.find((p) => p.name === name)

describe('GET /endpoints/zdr', () => {
  it('lists exactly the endpoints whose provider has zero data retention', async () => {
    const res = await (await call('/endpoints/zdr')).json<{ data: { model_id: string; tag: string; provider_name: string }[] }>()
    const expected = index.catalog.models.flatMap((m) =>
      m.endpoints.filter((e) => zdrProviders.has(e.provider)).map((e) => `${m.canonical_slug ?? m.id} ${e.tag ?? e.provider}`),
    )
    expect(expected.length).toBeGreaterThan(0)
    expect(res.data.map((e) => `${e.model_id} ${e.tag}`).sort()).toEqual(expected.sort())
    for (const e of res.data) expect(providerNamed(e.provider_name)?.data_policy.zdr).toBe(true)
    // DeepSeek R1 is on Fireworks (no retention) and Together (retains nothing, but no ZDR policy): only the first is listed.
    const r1 = res.data.filter((e) => e.model_id.startsWith('deepseek/deepseek-r1') && !e.model_id.endsWith('0528')).map((e) => e.tag)
    expect(r1).toContain('fireworks')
    expect(r1).not.toContain('together')
  })

  it('rows have the shape of a model endpoints list (the same row for the same endpoint)', async () => {
    const zdr = await (await call('/endpoints/zdr')).json<{ data: Record<string, unknown>[] }>()
    const list = await (await call('/models/fake/echo/endpoints')).json<{ data: { endpoints: Record<string, unknown>[] } }>()
    const fromList = list.data.endpoints.find((e) => e.tag === 'fake-eu')
    const fromZdr = zdr.data.find((e) => e.model_id === 'fake/echo' && e.tag === 'fake-eu')
    expect(fromZdr).toBeDefined()
    expect(Object.keys(fromZdr!).sort()).toEqual(Object.keys(fromList!).sort())
    const { uptime_last_5m: _a, uptime_last_30m: _b, uptime_last_1d: _c, latency_last_30m: _d, throughput_last_30m: _e, ...stable } = fromList!
    expect(fromZdr).toMatchObject(stable)
  })
})

describe('GET /models?zdr=true', () => {
  it('keeps only models with at least one ZDR endpoint', async () => {
    const all = await (await call('/models?output_modalities=all')).json<{ data: { id: string }[] }>()
    const page = await (await call('/models?zdr=true&output_modalities=all')).json<{ data: { id: string }[] }>()
    const ids = page.data.map((m) => m.id)
    const expected = index.catalog.models.filter((m) => m.endpoints.some((e) => zdrProviders.has(e.provider))).map((m) => m.id)
    expect(ids.sort()).toEqual(expected.sort())
    expect(ids).toContain('fake/echo')
    // Models served only by retaining providers are dropped.
    expect(ids.length).toBeLessThan(all.data.length)
    expect(ids).not.toContain('openai/gpt-4o-mini')
  })

  it('zdr=false (or none) filters nothing; another value is a 400 in the error envelope', async () => {
    const all = await (await call('/models')).json<{ data: unknown[] }>()
    const off = await (await call('/models?zdr=false')).json<{ data: unknown[] }>()
    expect(off.data.length).toBe(all.data.length)
    const bad = await call('/models?zdr=yes')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 400, message: expect.stringMatching(/zdr/), metadata: { error_type: 'invalid_request' } } })
  })
})
