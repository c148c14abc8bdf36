// Routing through the gateway: the breaker, region headers, the auto router and
// explainable routing (X-OpenRouter-Metadata).
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { healthFor } from '../../src/objects/clients.ts'
import { refreshStale, resetHealthCache } from '../../src/routing/health.ts'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, generationRow } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const META = { 'X-OpenRouter-Metadata': 'enabled' }
const user = (content: string) => [{ role: 'user', content }]

/** Waits for the fire-and-forget health reports of earlier requests to land. */
const breakerOf = async (key: string, want: string) => {
  for (let i = 0; i < 100; i++) {
    const h = await healthFor(env, key).snapshot()
    if (h.breaker === want) return h
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${key} never became ${want}`)
}

describe('circuit breaker through the gateway', () => {
  it('opens after repeated failures (skipped without trying), half-opens by alarm, and a probe closes it', async () => {
    const { accountId, key } = await seedAccount()
    const provider = { order: ['fake', 'fake-eu'] }
    for (let i = 0; i < 5; i++) {
      const res = await chat(key, { model: 'fake/echo', provider, messages: user('x [[fake status=500 on=fake]]') })
      expect(res.status).toBe(200)
    }
    await breakerOf('fake/echo@fake', 'open')
    // Let the isolate learn the breaker (reports cache the returned snapshot).
    await new Promise((r) => setTimeout(r, 50))
    const skipped = await chat(key, { model: 'fake/echo', provider, messages: user('healthy again') }, META)
    const body = await skipped.json<any>()
    expect(body.provider).toBe('Switchboard Fake EU')
    expect(body.openrouter_metadata.skipped).toContainEqual({ model: 'fake/echo', provider: 'fake', reason: 'breaker_open' })
    await flush(accountId)
    expect((await generationRow(body.id))?.attempts).toHaveLength(1) // never tried

    // The cooldown ends by alarm: half-open lets one probe through; its success closes the breaker.
    expect(await runDurableObjectAlarm(healthFor(env, 'fake/echo@fake'))).toBe(true)
    await breakerOf('fake/echo@fake', 'half_open')
    // Isolates trust an open breaker until its openUntil; this one learns the early half-open by a refresh.
    resetHealthCache()
    await refreshStale(env, ['fake/echo@fake'], Date.now())
    const probe = await (await chat(key, { model: 'fake/echo', provider, messages: user('probe') })).json<any>()
    expect(probe.provider).toBe('Switchboard Fake')
    await breakerOf('fake/echo@fake', 'closed')
  })
})

describe('regions', () => {
  it('X-Provider-Region prefers, X-Provider-Region-Only requires, and the response names the region', async () => {
    const { key } = await seedAccount()
    for (let i = 0; i < 5; i++) {
      const res = await chat(key, { model: 'fake/echo', messages: user('x') }, { 'X-Provider-Region': 'eu' })
      expect(res.headers.get('x-provider-region')).toBe('eu')
    }
    const de = await chat(key, { model: 'fake/echo', messages: user('x') }, { 'X-Provider-Region-Only': 'de' })
    expect(de.headers.get('x-provider')).toBe('fake-eu')
    const us = await chat(key, { model: 'fake/echo', messages: user('x'), provider: { region_only: ['na'] } })
    expect(us.headers.get('x-provider')).toBe('fake')
  })

  it('a required region nothing serves is a 404 naming it; a bad code is a 400', async () => {
    const { key } = await seedAccount()
    const none = await chat(key, { model: 'fake/echo', messages: user('x') }, { 'X-Provider-Region-Only': 'jp' })
    const body = await none.json<any>()
    expect(none.status).toBe(404)
    expect(body.error.message).toMatch(/in required region jp/)
    expect(body.error.metadata.required_regions).toEqual(['jp'])
    const bad = await chat(key, { model: 'fake/echo', messages: user('x') }, { 'X-Provider-Region': 'europe' })
    expect(bad.status).toBe(400)
  })

  it('never routes outside a required region, even when that endpoint fails', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', messages: user('x [[fake status=500 on=fake-eu]]') }, { 'X-Provider-Region-Only': 'eu' })
    expect(res.status).toBe(503)
  })
})

describe('auto router and metadata', () => {
  it('openrouter/auto answers with a concrete model and says how it chose', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'openrouter/auto', messages: user('pick one') }, META)
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.model).not.toBe('openrouter/auto')
    expect(body.openrouter_metadata).toMatchObject({ requested: 'openrouter/auto', strategy: 'auto', attempt: 1, is_byok: false })
    expect(body.openrouter_metadata.endpoints.available.filter((e: any) => e.selected)).toHaveLength(1)
  })

  it('streams carry the metadata on the final chunk; errors carry it beside the error', async () => {
    const { key } = await seedAccount()
    const { events } = await readSse(await chat(key, { model: 'fake/echo', stream: true, messages: user('x') }, META))
    expect(events.at(-1)?.openrouter_metadata).toMatchObject({ requested: 'fake/echo', strategy: 'direct' })
    const failed = await chat(key, { model: 'fake/echo', messages: user('x [[fake status=503]]') }, META)
    const body = await failed.json<any>()
    expect(body.error.code).toBe(503)
    expect(body.openrouter_metadata.attempts).toHaveLength(2)
    const plain = await (await chat(key, { model: 'fake/echo', messages: user('x') })).json<any>()
    expect(plain.openrouter_metadata).toBeUndefined()
  })

  it('models[] falls back to the next model and bills at its price', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/story', models: ['fake/echo'], messages: user('x [[fake status=500 on=fake]]') }, META)
    const body = await res.json<any>()
    expect(res.status).toBe(200)
    expect(body).toMatchObject({ model: 'fake/echo', provider: 'Switchboard Fake EU', openrouter_metadata: { strategy: 'fallback' } })
    expect(body.openrouter_metadata.attempts[0]).toMatchObject({ model: 'fake/story', status: 500 })
    const expected = Math.ceil((body.usage.prompt_tokens * 1_500_000 + body.usage.completion_tokens * 3_000_000) / 1e6)
    expect(Math.round(body.usage.cost * 1e6)).toBe(expected)
    expect((await chat(key, { models: ['acme/missing'], model: 'fake/echo', messages: user('x') })).status).toBe(400)
  })
})
