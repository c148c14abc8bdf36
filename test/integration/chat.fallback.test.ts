// Failures before the first byte go to the next endpoint; after it, the stream ends with an error chunk.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { configOf } from '../../src/env.ts'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, generationRow, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

// Try the fake endpoint first, then fake-eu; faults are scoped to one host with on=<label>.
const ordered = { order: ['fake', 'fake-eu'] }
const ask = (directive: string, extra: Record<string, unknown> = {}) => ({
  model: 'fake/echo', provider: ordered, messages: [{ role: 'user', content: `ping ${directive}` }], ...extra,
})

describe('fallback', () => {
  it('moves on after a 500 and charges only the endpoint that served', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, ask('[[fake status=500 on=fake]]'))
    const body = await res.json<any>()
    expect(res.status).toBe(200)
    expect(body.provider).toBe('Switchboard Fake EU')
    expect(res.headers.get('x-provider-region')).toBe('eu')
    // fake-eu prices: $1.5/M prompt, $3/M completion.
    const expected = Math.ceil((body.usage.prompt_tokens * 1_500_000 + body.usage.completion_tokens * 3_000_000) / 1e6)
    expect(Math.round(body.usage.cost * 1e6)).toBe(expected)
    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row?.attempts).toMatchObject([{ provider: 'fake', status: 500 }, { provider: 'fake-eu', status: 200 }])
    expect(row?.costMicro).toBe(expected)
  })

  it('moves on past a hang once the time-to-first-byte limit passes', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, ask('[[fake hang on=fake]]', { stream: true }))
    expect(res.status).toBe(200)
    const { events } = await readSse(res)
    expect(events[0]?.provider).toBe('Switchboard Fake EU')
  })

  // A non-streaming request is streamed from the upstream and assembled, so a hung host is left at the
  // first-byte limit, not after UPSTREAM_TIMEOUT_MS. Bounds are loose (a third of the total) for slow machines.
  it.each([
    ['never answers', 'hang'],
    ['sends its headers, then nothing', 'stall'],
  ])('leaves a host that %s at the first-byte limit, for a client that does not stream', async (_, fault) => {
    const { accountId, key } = await seedAccount()
    const { UPSTREAM_TTFB_TIMEOUT_MS: firstByte, UPSTREAM_TIMEOUT_MS: total } = configOf(env)
    expect(total).toBeGreaterThanOrEqual(firstByte * 10) // vitest.config.ts: otherwise this test proves nothing
    const started = Date.now()
    const res = await chat(key, ask(`[[fake ${fault} on=fake]]`))
    const elapsed = Date.now() - started
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ provider: 'Switchboard Fake EU', choices: [{ message: { content: 'You said: ping', role: 'assistant' }, finish_reason: 'stop' }] })
    expect(elapsed).toBeGreaterThanOrEqual(firstByte)
    expect(elapsed).toBeLessThan(total / 3)
    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row?.attempts).toMatchObject([
      { provider: 'fake', status: null, error: `Upstream timed out: it sent nothing within ${firstByte} ms` },
      { provider: 'fake-eu', status: 200 },
    ])
  }, 30_000)

  it('returns a request error (400) as it is, without fallback', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, ask('[[fake status=400 on=fake]]'))
    const body = await res.json<any>()
    expect(res.status).toBe(400)
    expect(body.error.metadata).toMatchObject({ error_type: 'invalid_request', provider_name: 'Switchboard Fake', raw: { error: { type: 'invalid_request_error' } } })
    await flush(accountId)
    const row = await generationRow(res.headers.get('x-generation-id')!)
    expect(row).toMatchObject({ costMicro: 0, status: 400 })
    expect(row?.attempts).toHaveLength(1)
  })

  it('answers 429 with the smallest Retry-After when every endpoint is rate limited', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const res = await chat(key, ask('[[fake status=429 retry_after=7]]'))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    const snap = await settled(accountId)
    expect(snap.balanceMicro).toBe(1_000_000) // hold released, nothing charged
  })

  it('answers 503 when every endpoint fails with 5xx', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, ask('[[fake status=503]]'))
    expect(res.status).toBe(503)
    expect((await res.json<any>()).error.metadata.provider_name).toBe('Switchboard Fake EU')
  })

  it('answers 503 with the Retry-After the overloaded endpoints gave, streaming or not', async () => {
    const { key } = await seedAccount()
    for (const stream of [false, true]) {
      const res = await chat(key, ask('[[fake status=503 retry_after=5]]', { stream }))
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect((await res.json<any>()).error.metadata.error_type).toBe('provider_overloaded')
    }
  })

  it('does not fall back when allow_fallbacks is false', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { ...ask('[[fake status=500 on=fake]]'), provider: { order: ['fake'], allow_fallbacks: false } })
    expect(res.status).toBe(503)
  })

  it('ends a stream broken after its first byte with an error chunk, and no fallback', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, ask('one two three four [[fake break_after=2]]', { stream: true }))
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    const errorEvent = events.find((e) => e.error)
    expect(errorEvent).toMatchObject({ error: { code: 502, metadata: { error_type: 'provider_unavailable' } }, choices: [{ finish_reason: 'error' }] })
    expect(new Set(events.map((e) => e.provider))).toEqual(new Set(['Switchboard Fake']))
    const usage = events[events.length - 1]!.usage
    expect(usage.cost).toBe(0) // zero-completion insurance: a generation that ended in error is free
    await flush(accountId)
    expect(await generationRow(res.headers.get('x-generation-id')!)).toMatchObject({ finishReason: 'error', costMicro: 0 })
  })

  it('reaches an OpenAI-compatible host over its wire format', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'via openai.test' }], top_k: 5, repetition_penalty: 1.1 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ model: 'openai/gpt-4o-mini', provider: 'OpenAI', choices: [{ message: { content: 'You said: via openai.test' } }] })
  })
})

describe('connections and cancellation', () => {
  it('moves on after a connection reset before the first byte', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, ask('[[fake reset on=fake]]'))
    const body = await res.json<any>()
    expect(res.status).toBe(200)
    expect(body.provider).toBe('Switchboard Fake EU')
    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row?.attempts).toMatchObject([{ provider: 'fake', status: null, error: expect.stringMatching(/connection/) }, { provider: 'fake-eu', status: 200 }])
  })

  it('a client that stops reading cancels the upstream and pays only for what was produced', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, {
      model: 'fake/story', stream: true, provider: { order: ['fake'] }, fake: { tokens: 400, tps: 50 },
      messages: [{ role: 'user', content: 'a long story' }],
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    while (!text.includes('"content"')) text += decoder.decode((await reader.read()).value)
    await reader.cancel()
    await flush(accountId)
    const row = await generationRow(res.headers.get('x-generation-id')!)
    expect(row).toMatchObject({ cancelled: true, status: 200 })
    // Usage was never reported by the upstream, so it is estimated from what was sent: a little, not 400 tokens.
    expect(row!.tokensCompletion).toBeGreaterThan(0)
    expect(row!.tokensCompletion).toBeLessThan(100)
    expect(row!.costMicro).toBeGreaterThan(0)
  })
})
