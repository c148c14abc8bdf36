// Legacy POST /completions through the gateway, for every text model: hosts with their
// own /completions (the built-in fake, Together) get the prompt as it is; every other
// endpoint (OpenAI's chat models, Anthropic, Gemini) gets it as one user message. JSON
// and SSE come back in OpenAI's text_completion shape with OpenRouter's usage and cost,
// charged to the microdollar.
import { describe, expect, it } from 'vitest'
import { call, readSse } from '../helpers/gateway.ts'
import { flush, generationRow, ledgerBalance } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const complete = (key: string, body: Record<string, unknown>) => call('/completions', { method: 'POST', key, json: body })
/** Only the `fake` endpoint of fake/echo ($1/M prompt, $2/M completion), so prices are known. */
const FAKE = { model: 'fake/echo', provider: { only: ['fake'] } }
const textOf = (events: Record<string, any>[]) => events.flatMap((e) => e.choices.map((c: any) => c.text)).join('')

describe('POST /completions (happy)', () => {
  it('fake/echo JSON: text_completion with usage and cost, settled as api_type completions', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const res = await complete(key, { ...FAKE, prompt: 'Say hello to the world' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    // Fake usage: prompt ceil(22 / 4) = 6 tokens; "You said: Say hello to the world" = 7 tokens → 6 × 1 + 7 × 2 = 20 µ$.
    expect(body).toEqual({
      id: res.headers.get('x-generation-id'),
      object: 'text_completion',
      created: expect.any(Number),
      model: 'fake/echo',
      provider: 'Switchboard Fake',
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, text: 'You said: Say hello to the world', finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 6,
        completion_tokens: 7,
        total_tokens: 13,
        cost: 20e-6,
        is_byok: false,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
        cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 6e-6, upstream_inference_completions_cost: 14e-6 },
      },
    })
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({
      apiType: 'completions', model: 'fake/echo', providerId: 'fake', status: 200, costMicro: 20, tokensPrompt: 6, tokensCompletion: 7,
      finishReason: 'stop', streamed: false,
    })
    expect(await ledgerBalance(accountId)).toBe(1_000_000 - 20)
  })

  it('honours max_tokens (finish_reason length) and a one-element prompt array', async () => {
    const { key } = await seedAccount()
    const res = await complete(key, { ...FAKE, prompt: ['one two three four'], max_tokens: 3 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0]).toMatchObject({ text: 'You said: one', finish_reason: 'length' })
    expect(body.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, cost: (5 + 3 * 2) / 1e6 })
  })

  it('fake/echo stream: keep-alive, text deltas, exactly one usage chunk (choices []) right before [DONE]', async () => {
    const { accountId, key } = await seedAccount()
    const res = await complete(key, { ...FAKE, prompt: 'stream me now', stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { events, done, comments } = await readSse(res)
    expect(done).toBe(true)
    expect(comments.length).toBeGreaterThan(0)
    const id = res.headers.get('x-generation-id')
    for (const e of events) expect(e).toMatchObject({ id, object: 'text_completion', model: 'fake/echo', provider: 'Switchboard Fake' })
    expect(textOf(events)).toBe('You said: stream me now')
    expect(events.flatMap((e) => e.choices.filter((c: any) => c.finish_reason))).toEqual([
      { index: 0, text: '', finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null },
    ])
    const usage = events.filter((e) => e.usage)
    expect(usage).toHaveLength(1)
    // prompt ceil(13 / 4) = 4, completion 5 → 4 + 10 = 14 µ$.
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 5, cost: 14e-6 } })
    await flush(accountId)
    expect(await generationRow(id!)).toMatchObject({ apiType: 'completions', streamed: true, costMicro: 14, finishReason: 'stop' })
  })

  it('an OpenAI-compatible host (Together via together.test), JSON and stream, priced at its rates', async () => {
    const { key } = await seedAccount()
    const LLAMA = { model: 'meta-llama/llama-3.3-70b-instruct', provider: { only: ['together'] } }
    const res = await complete(key, { ...LLAMA, prompt: 'hello together', temperature: 0.1 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(res.headers.get('x-provider')).toBe('together')
    // prompt ceil(14 / 4) = 4, completion 4: 8 × $0.88/M = 7.04 µ$ → 8 µ$ (rounded up).
    expect(body).toMatchObject({
      object: 'text_completion', model: 'meta-llama/llama-3.3-70b-instruct', provider: 'Together',
      choices: [{ text: 'You said: hello together', finish_reason: 'stop' }],
      usage: { prompt_tokens: 4, completion_tokens: 4, cost: 8e-6 },
    })

    const stream = await complete(key, { ...LLAMA, prompt: 'hello together', stream: true })
    const { events, done } = await readSse(stream)
    expect(done).toBe(true)
    expect(textOf(events)).toBe('You said: hello together')
    expect(events.filter((e) => e.usage)).toEqual([expect.objectContaining({ choices: [], usage: expect.objectContaining({ prompt_tokens: 4, completion_tokens: 4, cost: 8e-6 }) })])
  })

  it('asks a host without a legacy /completions through chat (OpenAI serves it for instruct models only)', async () => {
    const { accountId, key } = await seedAccount()
    const res = await complete(key, { model: 'openai/gpt-4o-mini', provider: { only: ['openai'] }, prompt: 'hello chat host' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(res.headers.get('x-provider')).toBe('openai')
    // Chat's prompt count (4 a message + ceil(15 / 4) = 8), not the text one (4): the host was asked through chat.
    expect(body).toMatchObject({
      object: 'text_completion', model: 'openai/gpt-4o-mini', provider: 'OpenAI',
      choices: [{ index: 0, text: 'You said: hello chat host', finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 8, completion_tokens: 5 },
    })
    expect(body.choices[0]).not.toHaveProperty('message')
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({ apiType: 'completions', providerId: 'openai', tokensPrompt: 8, tokensCompletion: 5 })
  })

  it('hides the reasoning of a model asked through chat (billed, never shown), JSON and stream', async () => {
    const { key } = await seedAccount()
    const ask = { model: 'openai/gpt-4o-mini', provider: { only: ['openai'] }, prompt: 'think first [[fake reasoning]]' }
    const res = await complete(key, ask)
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].text).toBe('You said: think first')
    // "Thinking about: think first" is 4 reasoning tokens, billed with the 4 of the answer.
    expect(body.usage).toMatchObject({ completion_tokens: 8, completion_tokens_details: { reasoning_tokens: 4 } })

    const { events, done } = await readSse(await complete(key, { ...ask, stream: true }))
    expect(done).toBe(true)
    expect(textOf(events)).toBe('You said: think first')
    expect(JSON.stringify(events)).not.toContain('Thinking about')
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 8 } })
  })

  it('ends a stream that fails mid-way with an error chunk, then usage and [DONE]; the record says 502', async () => {
    const { accountId, key } = await seedAccount()
    const res = await complete(key, { ...FAKE, prompt: 'a b c d e f [[fake error_after=3]]', stream: true })
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    expect(textOf(events)).toBe('You said: a')
    const error = events.find((e) => e.error)
    expect(error).toMatchObject({
      object: 'text_completion',
      choices: [{ index: 0, text: '', finish_reason: 'error' }],
      error: { code: 502, message: 'Provider returned error', metadata: { error_type: 'provider_unavailable' } },
    })
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { cost: 0 } })
    await flush(accountId)
    expect(await generationRow(res.headers.get('x-generation-id')!)).toMatchObject({ apiType: 'completions', status: 502, costMicro: 0, finishReason: 'error' })
  })

  it('falls back across models before the first byte', async () => {
    const { key } = await seedAccount()
    const res = await complete(key, { model: 'meta-llama/llama-3.3-70b-instruct', models: ['fake/echo'], provider: { only: ['together', 'fake'] }, prompt: 'again [[fake status=503 on=together]]' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ model: 'fake/echo', provider: 'Switchboard Fake', choices: [{ text: 'You said: again' }] })
  })
})

/**
 * Each fake counts 4 prompt tokens a message plus a token per 4 characters of its content
 * (Anthropic's as JSON text blocks); catalog prices in µ$ per million tokens.
 */
const ANTHROPIC = {
  model: 'anthropic/claude-sonnet-4', wire: 'Anthropic', provider: 'anthropic', name: 'Anthropic', native: 'end_turn', price: [3_000_000, 15_000_000],
  promptTokens: (prompt: string) => 4 + Math.ceil(JSON.stringify([{ type: 'text', text: prompt }]).length / 4),
}
const GEMINI = {
  model: 'google/gemini-2.5-flash', wire: 'Gemini', provider: 'google', name: 'Google AI Studio', native: 'STOP', price: [300_000, 2_500_000],
  promptTokens: (prompt: string) => 4 + Math.ceil(prompt.length / 4),
}
/** Whole microdollars, rounded up once. */
const costMicro = (m: typeof ANTHROPIC, prompt: number, completion: number) => Math.ceil((prompt * m.price[0]! + completion * m.price[1]!) / 1e6)

describe('POST /completions on models without a legacy /completions anywhere', () => {
  it.each([ANTHROPIC, GEMINI])('$wire wire ($model): the prompt as one user message, the answer as choices[].text, JSON', async (m) => {
    const { accountId, key } = await seedAccount()
    const res = await complete(key, { model: m.model, prompt: 'hello every model', max_tokens: 50 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(res.headers.get('x-provider')).toBe(m.provider)
    expect(body).toEqual({
      id: res.headers.get('x-generation-id'),
      object: 'text_completion',
      created: expect.any(Number),
      model: m.model,
      provider: m.name,
      system_fingerprint: null,
      choices: [{ index: 0, text: 'You said: hello every model', finish_reason: 'stop', native_finish_reason: m.native, logprobs: null }],
      usage: expect.objectContaining({ prompt_tokens: m.promptTokens('hello every model'), completion_tokens: 5 }),
    })
    const cost = costMicro(m, m.promptTokens('hello every model'), 5)
    expect(body.usage.cost).toBe(cost / 1e6)
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({
      apiType: 'completions', model: m.model, providerId: m.provider, status: 200, streamed: false, finishReason: 'stop', costMicro: cost, tokensCompletion: 5,
    })
  })

  it.each([ANTHROPIC, GEMINI])('$wire wire ($model): streamed as text_completion chunks, one usage chunk, [DONE]', async (m) => {
    const { accountId, key } = await seedAccount()
    const res = await complete(key, { model: m.model, prompt: 'stream every model', max_tokens: 50, stream: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    const id = res.headers.get('x-generation-id')
    for (const e of events) expect(e).toMatchObject({ id, object: 'text_completion', model: m.model, provider: m.name })
    expect(textOf(events)).toBe('You said: stream every model')
    // Only text and the finish: no role or empty deltas from the chat wire.
    for (const e of events.slice(0, -1)) for (const c of e.choices) expect(c.text !== '' || c.finish_reason !== null).toBe(true)
    expect(events.flatMap((e) => e.choices.filter((c: any) => c.finish_reason))).toEqual([
      { index: 0, text: '', finish_reason: 'stop', native_finish_reason: m.native, logprobs: null },
    ])
    const usage = events.filter((e) => e.usage)
    expect(usage).toHaveLength(1)
    const prompt = m.promptTokens('stream every model')
    const cost = costMicro(m, prompt, 5)
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: prompt, completion_tokens: 5, cost: cost / 1e6 } })
    await flush(accountId)
    expect(await generationRow(id!)).toMatchObject({ apiType: 'completions', providerId: m.provider, streamed: true, status: 200, finishReason: 'stop', costMicro: cost })
  })

  it('falls back from a native host to a chat-only model before the first byte', async () => {
    const { key } = await seedAccount()
    const res = await complete(key, {
      model: 'meta-llama/llama-3.3-70b-instruct', models: [ANTHROPIC.model], provider: { only: ['together', 'anthropic'] },
      prompt: 'again [[fake status=503 on=together]]', max_tokens: 50,
    })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body).toMatchObject({ model: ANTHROPIC.model, provider: 'Anthropic', choices: [{ text: 'You said: again' }] })
  })
})

describe('POST /completions (errors)', () => {
  it('validates the prompt and refuses embedding models', async () => {
    const { key } = await seedAccount()
    expect((await complete(key, { ...FAKE })).status).toBe(400)
    expect((await complete(key, { ...FAKE, prompt: ['a', 'b'] })).status).toBe(400)
    const embed = await complete(key, { model: 'fake/embed', prompt: 'hi' })
    expect(embed.status).toBe(400)
    expect((await embed.json<any>()).error.message).toBe('fake/embed is an embedding model: use /api/v1/embeddings')
  })

  it('serves openrouter/auto with a concrete model, as chat does', async () => {
    const { key } = await seedAccount()
    const res = await complete(key, { model: 'openrouter/auto', prompt: 'pick one' })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.model).not.toBe('openrouter/auto')
    expect(body.choices[0].text).toBe('You said: pick one')
  })

  it('max_cost caps the output of a model asked through chat, as in chat', async () => {
    const { key } = await seedAccount()
    // 10 µ$ on gpt-4o-mini ($0.15/M prompt, $0.60/M completion) leaves room for few output tokens.
    const res = await complete(key, { model: 'openai/gpt-4o-mini', provider: { only: ['openai'] }, prompt: 'one two three four five six seven eight nine ten eleven twelve', max_cost: 0.00001 })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].finish_reason).toBe('length')
    expect(body.usage.cost).toBeLessThanOrEqual(0.00001)
    const refused = await complete(key, { ...FAKE, prompt: 'x', max_cost: 1e-9 })
    expect(refused.status).toBe(402)
  })
})
