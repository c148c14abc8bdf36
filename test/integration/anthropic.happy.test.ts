// Anthropic models through the gateway: requests reach the fake Anthropic upstream
// (test/fakes/anthropic.ts, which speaks the Messages wire format and is as strict as
// the real API) and come back in the exact OpenAI/OpenRouter shapes, priced from the
// catalog to the microdollar.
import { describe, expect, it } from 'vitest'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, generationRow } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const HAIKU = 'anthropic/claude-3.5-haiku'
const SONNET = 'anthropic/claude-sonnet-4'
/** Catalog prices, µ$ per million tokens. */
const PRICES = {
  [HAIKU]: { prompt: 800_000, completion: 4_000_000, cache_read: 80_000, cache_write: 1_000_000 },
  [SONNET]: { prompt: 3_000_000, completion: 15_000_000, cache_read: 300_000, cache_write: 3_750_000 },
}

/** Cost in whole microdollars, rounded up once (docs/compatibility.md#cost), as the gateway must compute it. */
const expectedMicro = (model: keyof typeof PRICES, u: { prompt_tokens: number; completion_tokens: number; cached?: number; written?: number }) => {
  const p = PRICES[model]
  const cached = u.cached ?? 0
  const written = u.written ?? 0
  const pico = (u.prompt_tokens - cached - written) * p.prompt + cached * p.cache_read + written * p.cache_write + u.completion_tokens * p.completion
  return Math.ceil(pico / 1e6)
}
const micros = (dollars: number) => Math.round(dollars * 1e6)

/** The fake's prompt count: 4 per message plus a token per 4 characters of its JSON content. */
const promptTokensOf = (...contents: unknown[]) => contents.reduce<number>((n, c) => n + 4 + Math.ceil(JSON.stringify(c).length / 4), 0)
const text = (t: string) => [{ type: 'text', text: t }]

const weather = [{
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { text: { type: 'string' } } } },
}]

describe('anthropic (happy)', () => {
  it('answers a completion in the OpenRouter shape, priced from the catalog', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, messages: [{ role: 'user', content: 'hello claude' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(res.headers.get('x-provider')).toBe('anthropic')
    const prompt = promptTokensOf(text('hello claude'))
    expect(body).toEqual({
      id: res.headers.get('x-generation-id'),
      object: 'chat.completion',
      created: expect.any(Number),
      model: HAIKU,
      provider: 'Anthropic',
      system_fingerprint: null,
      choices: [{
        index: 0,
        logprobs: null,
        finish_reason: 'stop',
        native_finish_reason: 'end_turn',
        message: { role: 'assistant', content: 'You said: hello claude', refusal: null, reasoning: null },
      }],
      usage: expect.objectContaining({
        prompt_tokens: prompt,
        completion_tokens: 4,
        total_tokens: prompt + 4,
        prompt_tokens_details: expect.objectContaining({ cached_tokens: 0, cache_write_tokens: 0 }),
      }),
    })
    expect(micros(body.usage.cost)).toBe(expectedMicro(HAIKU, { prompt_tokens: prompt, completion_tokens: 4 }))
  })

  it('streams chunks, a finish chunk, one usage chunk and [DONE]', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, stream: true, messages: [{ role: 'user', content: 'one two three' }] })
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    const id = res.headers.get('x-generation-id')
    for (const e of events) expect(e).toMatchObject({ id, object: 'chat.completion.chunk', model: HAIKU, provider: 'Anthropic' })
    expect(events[0]?.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null })
    expect(events.flatMap((e) => e.choices.map((c: any) => c.delta.content ?? '')).join('')).toBe('You said: one two three')
    expect(events.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop', native_finish_reason: 'end_turn', logprobs: null }])
    const usage = events.at(-1)!.usage
    expect(events.at(-1)!.choices).toEqual([])
    expect(events.filter((e) => e.usage)).toHaveLength(1)
    const prompt = promptTokensOf(text('one two three'))
    expect(usage).toMatchObject({ prompt_tokens: prompt, completion_tokens: 5, total_tokens: prompt + 5 })
    expect(micros(usage.cost)).toBe(expectedMicro(HAIKU, { prompt_tokens: prompt, completion_tokens: 5 }))
  })

  it('round-trips a tool call: tool_calls out, assistant tool_calls + tool message back', async () => {
    const { key } = await seedAccount()
    const ask = { role: 'user', content: 'weather in Paris' }
    const first = await chat(key, { model: HAIKU, tools: weather, tool_choice: 'required', messages: [ask] })
    const one = await first.json<any>()
    expect(first.status, JSON.stringify(one)).toBe(200)
    expect(one.choices[0]).toEqual({
      index: 0,
      logprobs: null,
      finish_reason: 'tool_calls',
      native_finish_reason: 'tool_use',
      message: {
        role: 'assistant', content: null, refusal: null, reasoning: null,
        tool_calls: [{ id: 'toolu_fake_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"text":"weather in Paris"}' } }],
      },
    })
    const second = await chat(key, {
      model: HAIKU,
      tools: weather,
      messages: [ask, one.choices[0].message, { role: 'tool', tool_call_id: 'toolu_fake_get_weather', content: '18°C and cloudy' }],
    })
    const two = await second.json<any>()
    expect(second.status, JSON.stringify(two)).toBe(200)
    expect(two.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'The tool returned: 18°C and cloudy' } })
  })

  it('streams a tool call whose deltas reassemble into the call', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: HAIKU, stream: true, tools: weather, tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [{ role: 'user', content: 'Lyon please' }],
    })
    const { events } = await readSse(res)
    const calls = events.flatMap((e) => e.choices.flatMap((c: any) => c.delta.tool_calls ?? []))
    expect(calls[0]).toEqual({ index: 0, id: 'toolu_fake_get_weather', type: 'function', function: { name: 'get_weather', arguments: '' } })
    expect(calls.every((c: any) => c.index === 0)).toBe(true)
    expect(JSON.parse(calls.map((c: any) => c.function?.arguments ?? '').join(''))).toEqual({ text: 'Lyon please' })
    expect(events.at(-2)?.choices[0]).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_use' })
  })

  it('sends images as image blocks (base64 from data URLs, url sources from https)', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: HAIKU,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      }],
    })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].message.content).toBe('You said: what is this [2 images]')
  })

  it('thinks when asked, and sends the signed thinking back so a tool round trip continues', async () => {
    const { key } = await seedAccount()
    const ask = { role: 'user', content: 'use get_weather for Oslo' }
    const common = { model: SONNET, tools: weather, reasoning: { effort: 'low' }, max_tokens: 2000 }
    const first = await chat(key, { ...common, messages: [ask] })
    const one = await first.json<any>()
    expect(first.status, JSON.stringify(one)).toBe(200)
    const message = one.choices[0].message
    expect(message).toMatchObject({
      reasoning: 'Thinking about: use get_weather for Oslo',
      reasoning_details: [{ type: 'reasoning.text', text: 'Thinking about: use get_weather for Oslo', signature: expect.any(String), format: 'anthropic-claude-v1', index: 0 }],
      tool_calls: [{ function: { name: 'get_weather' } }],
    })
    expect(micros(one.usage.cost)).toBe(expectedMicro(SONNET, one.usage))
    const result = { role: 'tool', tool_call_id: message.tool_calls[0].id, content: '-3°C' }
    const second = await chat(key, { ...common, messages: [ask, message, result] })
    expect(second.status, await second.clone().text()).toBe(200)
    expect((await second.json<any>()).choices[0].message.content).toBe('The tool returned: -3°C')
    // Control: without the thinking block, the (strict) upstream refuses and its 400 is relayed.
    const { reasoning_details: _, ...bare } = message
    const refused = await chat(key, { ...common, messages: [ask, bare, result] })
    expect(refused.status).toBe(400)
    expect((await refused.json<any>()).error.metadata).toMatchObject({ provider_name: 'Anthropic', provider_code: 'invalid_request_error' })
  })

  it('reports a cache write, then a cache read, and prices each at its own rate', async () => {
    const { key } = await seedAccount()
    const system = { role: 'system', content: [{ type: 'text', text: `Policy ${crypto.randomUUID()} `.repeat(40), cache_control: { type: 'ephemeral' } }] }
    const ask = (q: string) => chat(key, { model: HAIKU, messages: [system, { role: 'user', content: q }] })
    const first = await (await ask('first?')).json<any>()
    const second = await (await ask('second?')).json<any>()
    const written = first.usage.prompt_tokens_details.cache_write_tokens
    expect(written).toBeGreaterThan(100)
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0)
    expect(second.usage.prompt_tokens_details).toMatchObject({ cached_tokens: written, cache_write_tokens: 0 })
    expect(micros(first.usage.cost)).toBe(expectedMicro(HAIKU, { ...first.usage, written }))
    expect(micros(second.usage.cost)).toBe(expectedMicro(HAIKU, { ...second.usage, cached: written }))
    expect(second.usage.cost).toBeLessThan(first.usage.cost)
  })
})

describe('anthropic (errors)', () => {
  it('529 overloaded with nowhere else to go → 503', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, messages: [{ role: 'user', content: 'hi [[fake status=529]]' }] })
    expect(res.status).toBe(503)
    expect((await res.json<any>()).error.metadata).toMatchObject({ provider_name: 'Anthropic', raw: { type: 'error', error: { type: 'overloaded_error' } } })
  })

  it('529 overloaded falls back to the next model, which alone is charged', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, models: ['fake/echo'], messages: [{ role: 'user', content: 'hi [[fake status=529 on=anthropic]]' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    // fake/echo has two load-balanced endpoints (fake, fake-eu): either may serve.
    expect(body).toMatchObject({ model: 'fake/echo', provider: expect.stringMatching(/^Switchboard Fake/), choices: [{ message: { content: 'You said: hi' } }] })
    await flush(accountId)
    const row = await generationRow(body.id)
    expect(row?.attempts).toMatchObject([{ provider: 'anthropic', status: 529 }, { provider: expect.stringMatching(/^fake/), status: 200 }])
    expect(row?.providerId).toMatch(/^fake/)
    expect(row?.costMicro).toBe(micros(body.usage.cost))
  })

  it('429 with Retry-After is relayed as 429 with the hint', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, messages: [{ role: 'user', content: 'hi [[fake status=429 retry_after=9]]' }] })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('9')
  })

  it('an error event after the first token ends the stream with an error chunk, free of charge', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: HAIKU, stream: true, messages: [{ role: 'user', content: 'one two three four [[fake error_after=2]]' }] })
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    expect(events.flatMap((e) => e.choices.map((c: any) => c.delta.content ?? '')).join('')).toBe('You said:')
    expect(events.find((e) => e.error)).toMatchObject({ error: { code: 529 }, choices: [{ finish_reason: 'error' }], provider: 'Anthropic' })
    expect(events.at(-1)!.usage.cost).toBe(0)
  })
})
