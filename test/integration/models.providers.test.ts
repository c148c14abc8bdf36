// The Models page's provider filter (GET /models?provider=) and each endpoint's data policy
// (data_policy on /models/:author/:slug/endpoints), against the catalog.
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../src/catalog/lookup.ts'
import { call } from '../helpers/gateway.ts'

const index = catalogIndex()
const ids = async (query: string) => (await (await call(`/models?output_modalities=all${query}`)).json<{ data: { id: string }[] }>()).data.map((m) => m.id).sort()
const servedBy = (...providers: string[]) =>
  index.catalog.models.filter((m) => m.endpoints.some((e) => providers.includes(e.provider))).map((m) => m.id).sort()

describe('GET /models?provider=', () => {
  it('keeps exactly the models with an endpoint at one of the providers', async () => {
    expect(await ids('&provider=fake-eu')).toEqual(servedBy('fake-eu'))
    expect(await ids('&provider=fake-eu')).toContain('fake/echo')
    expect(await ids('&provider=fake-eu')).not.toContain('fake/story')
    const two = await ids('&provider=fake-eu,groq')
    expect(two).toEqual(servedBy('fake-eu', 'groq'))
    expect(two.length).toBeGreaterThan((await ids('&provider=fake-eu')).length)
    // Combined with the other filters (an AND).
    expect(await ids('&provider=groq&zdr=true')).toEqual(servedBy('groq').filter((id) => index.models.get(id)?.endpoints.some((e) => index.providers.get(e.provider)?.data_policy.zdr)))
  })

  it('an unknown provider is a 400 naming it', async () => {
    const res = await call('/models?provider=fake,nope')
    expect(res.status).toBe(400)
    expect((await res.json<{ error: { message: string } }>()).error.message).toBe('Invalid query parameter provider: no provider nope')
  })
})

describe('endpoint data policy', () => {
  it('each endpoint carries its provider\'s training, retention and ZDR policy', async () => {
    const res = await (await call('/models/fake/echo/endpoints')).json<{ data: { endpoints: { tag: string; data_policy: unknown }[] } }>()
    expect(res.data.endpoints.length).toBeGreaterThan(0)
    for (const e of res.data.endpoints) {
      const p = index.providers.get(e.tag)?.data_policy
      expect(e.data_policy).toEqual({ training: p?.training, retains_prompts: p?.retains_prompts, zdr: p?.zdr })
    }
  })
})
