// Legacy POST /completions through the gateway: the built-in fake and OpenAI
// (openai.test), JSON and SSE, in OpenAI's text_completion shape with OpenRouter's
// usage and cost, charged to the microdollar; models without an OpenAI-compatible
// endpoint are refused.
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

  it('skips hosts without a legacy /completions (OpenAI serves it for instruct models only)', async () => {
    const { key } = await seedAccount()
    const res = await complete(key, { model: 'openai/gpt-4o-mini', prompt: 'x' })
    expect(res.status).toBe(400)
    expect((await res.json<any>()).error.message).toMatch(/none can serve this request/)
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

describe('POST /completions (errors)', () => {
  it('refuses a model served only by non-OpenAI protocols, pointing at /chat/completions', async () => {
    const { key } = await seedAccount()
    for (const model of ['anthropic/claude-sonnet-4', 'google/gemini-2.5-flash']) {
      const res = await complete(key, { model, prompt: 'hi' })
      expect(res.status).toBe(400)
      expect((await res.json<any>()).error.message).toBe(
        `${model}: /completions supports OpenAI-compatible providers only, and none can serve this request; use /api/v1/chat/completions`)
    }
  })

  it('validates the prompt and refuses the auto router', async () => {
    const { key } = await seedAccount()
    expect((await complete(key, { ...FAKE })).status).toBe(400)
    expect((await complete(key, { ...FAKE, prompt: ['a', 'b'] })).status).toBe(400)
    const auto = await complete(key, { model: 'openrouter/auto', prompt: 'hi' })
    expect(auto.status).toBe(400)
    expect((await auto.json<any>()).error.message).toBe('openrouter/auto routes chat requests only: use /api/v1/chat/completions')
  })
})
