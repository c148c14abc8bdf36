// GET /generation, /key, /auth/key, /credits, /activity after real requests.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { apiKeys } from '../../src/db/schema.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { eq } from 'drizzle-orm'

describe('account endpoints', () => {
  it('/generation is 404 until written, then reports the generation with its attempts and attribution', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', provider: { order: ['fake', 'fake-eu'] }, messages: [{ role: 'user', content: 'hi [[fake status=502 on=fake]]' }] }, {
      'HTTP-Referer': 'https://myapp.example', 'X-OpenRouter-Title': 'My App', 'User-Agent': 'test-agent',
    })
    const body = await res.json<any>()
    const early = await call(`/generation?id=${body.id}`, { key })
    if (early.status !== 200) expect(early.status).toBe(404)
    await flush(accountId)
    const gen = await (await call(`/generation?id=${body.id}`, { key })).json<any>()
    expect(gen.data).toMatchObject({
      id: body.id, model: 'fake/echo', provider_name: 'Switchboard Fake EU', total_cost: body.usage.cost, usage: body.usage.cost,
      tokens_prompt: body.usage.prompt_tokens, tokens_completion: body.usage.completion_tokens, finish_reason: 'stop',
      streamed: false, http_referer: 'https://myapp.example', app_title: 'My App', user_agent: 'test-agent', api_type: 'completions',
      provider_responses: [{ provider_name: 'Switchboard Fake', status: 502 }, { provider_name: 'Switchboard Fake EU', status: 200 }],
    })
    // Another account cannot read it.
    const other = await seedAccount()
    expect((await call(`/generation?id=${body.id}`, { key: other.key })).status).toBe(404)
    expect((await call('/generation', { key })).status).toBe(400)
  })

  it('/key usage rises by exactly the request cost; /auth/key is the same body', async () => {
    const { accountId, key, keyHash } = await seedAccount({ balanceMicro: 20_000_000 })
    await createDb(env.DB).update(apiKeys).set({ limitMicro: 5_000_000, limitReset: 'monthly' }).where(eq(apiKeys.hash, keyHash))
    const before = await (await call('/key', { key })).json<any>()
    expect(before.data).toMatchObject({ limit: 5, limit_remaining: 5, limit_reset: 'monthly', usage: 0, is_free_tier: true, is_management_key: false })
    const res = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'spend a little' }] })
    const cost = (await res.json<any>()).usage.cost
    await flush(accountId)
    const after = await (await call('/key', { key })).json<any>()
    expect(after.data.usage).toBeCloseTo(cost, 9)
    expect(after.data.usage_daily).toBeCloseTo(cost, 9)
    expect(after.data.usage_monthly).toBeCloseTo(cost, 9)
    expect(after.data.limit_remaining).toBeCloseTo(5 - cost, 9)
    expect(after.data.free_model_daily_requests).toEqual({ limit: 50, remaining: 50, used: 0 })
    expect(await (await call('/auth/key', { key })).json()).toEqual(after)
  })

  it('/credits reports credits and usage', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 7_000_000 })
    const res = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })
    const cost = (await res.json<any>()).usage.cost
    await flush(accountId)
    const credits = await (await call('/credits', { key })).json<any>()
    expect(credits.data.total_credits).toBe(7)
    expect(credits.data.total_usage).toBeCloseTo(cost, 9)
  })

  it('/activity rolls usage up by day, model, provider and app', async () => {
    const { accountId, key } = await seedAccount()
    for (const content of ['a', 'b']) {
      await chat(key, { model: 'fake/echo', provider: { order: ['fake'], allow_fallbacks: false }, messages: [{ role: 'user', content }] }, { 'X-Title': 'Roller' })
    }
    await flush(accountId)
    const activity = await (await call('/activity', { key })).json<any>()
    expect(activity.data).toHaveLength(1)
    expect(activity.data[0]).toMatchObject({ model: 'fake/echo', provider_name: 'Switchboard Fake', requests: 2, app_title: 'Roller', date: new Date().toISOString().slice(0, 10) })
    expect((await call('/activity?date=yesterday', { key })).status).toBe(400)
  })
})

describe('limits through the gateway', () => {
  it('429 with Retry-After and X-RateLimit-* (reset in epoch ms) naming the limit', async () => {
    const { key, keyHash } = await seedAccount()
    await createDb(env.DB).update(apiKeys).set({ requestsPerMinute: 2 }).where(eq(apiKeys.hash, keyHash))
    const statuses = []
    let limited: Response | undefined
    for (let i = 0; i < 3; i++) {
      const res = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })
      statuses.push(res.status)
      if (res.status === 429) limited = res
    }
    expect(statuses).toEqual([200, 200, 429])
    expect(limited?.headers.get('x-ratelimit-limit')).toBe('2')
    expect(limited?.headers.get('x-ratelimit-remaining')).toBe('0')
    const reset = Number(limited?.headers.get('x-ratelimit-reset'))
    expect(reset).toBeGreaterThan(Date.now())
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const body = await limited!.json<any>()
    expect(body.error).toMatchObject({ code: 429, metadata: { error_type: 'rate_limit_exceeded', limit: 'requests_per_minute', value: 2, max: 2 } })
  })

  it('402 names a key limit with its reset', async () => {
    const { key, keyHash } = await seedAccount()
    await createDb(env.DB).update(apiKeys).set({ limitMicro: 100, limitReset: 'daily' }).where(eq(apiKeys.hash, keyHash))
    const res = await chat(key, { model: 'fake/echo', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] })
    const body = await res.json<any>()
    expect(res.status).toBe(402)
    expect(body.error.message).toMatch(/You requested up to 1000 tokens, but can only afford \d+/)
    expect(body.error.metadata).toMatchObject({ limit: 'key_limit', max: 0.0001, value: 0 })
    expect(body.error.metadata.reset_at).toMatch(/T00:00:00.000Z$/)
  })

  it('max_cost caps the output and the hold, ending with finish_reason length', async () => {
    const { key } = await seedAccount()
    // fake/story at $0.5/M prompt and $1.5/M completion: a $0.0001 cap leaves room for a few dozen tokens.
    const res = await chat(key, { model: 'fake/story', max_cost: 0.0001, fake: { tokens: 500 }, messages: [{ role: 'user', content: 'tell me' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].finish_reason).toBe('length')
    expect(body.usage.cost).toBeLessThanOrEqual(0.0001)
    expect(body.usage.completion_tokens).toBeLessThan(500)
  })
})
