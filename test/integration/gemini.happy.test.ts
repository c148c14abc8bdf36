// google/* models through the gateway to the fake Gemini API (test/fakes/gemini.ts),
// back in exact OpenAI/OpenRouter shapes, priced from the catalog to the microdollar.
import { describe, expect, it } from 'vitest'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, generationRow } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

// google/gemini-2.5-flash has one endpoint (Google AI Studio): $0.30/M prompt, $2.50/M completion.
const MODEL = 'google/gemini-2.5-flash'
const micro = (prompt: number, completion: number) => Math.ceil((prompt * 300_000 + completion * 2_500_000) / 1e6)

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
  },
}
const timeTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }

const textOf = (events: Record<string, any>[]) => events.flatMap((e) => e.choices.map((c: any) => c.delta.content ?? '')).join('')

describe('gemini provider (happy)', () => {
  it('answers a completion in the OpenRouter shape with usage and cost from catalog prices', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, { model: MODEL, messages: [{ role: 'user', content: 'hello gemini' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    // Fake usage: prompt 4 + ceil(12 / 4) = 7; completion "You said: hello gemini" = 4 tokens.
    expect(body).toEqual({
      id: res.headers.get('x-generation-id'),
      object: 'chat.completion',
      created: expect.any(Number),
      model: MODEL,
      provider: 'Google AI Studio',
      system_fingerprint: null,
      choices: [{
        index: 0,
        logprobs: null,
        finish_reason: 'stop',
        native_finish_reason: 'STOP',
        message: { role: 'assistant', content: 'You said: hello gemini', refusal: null, reasoning: null },
      }],
      usage: {
        prompt_tokens: 7,
        completion_tokens: 4,
        total_tokens: 11,
        cost: micro(7, 4) / 1e6,
        is_byok: false,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
        cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 3e-6, upstream_inference_completions_cost: 10e-6 },
      },
    })
    expect(micro(7, 4)).toBe(13) // 2.1 µ$ + 10 µ$, rounded up once
    await flush(accountId)
    expect(await generationRow(body.id)).toMatchObject({ providerId: 'google', costMicro: 13, tokensPrompt: 7, tokensCompletion: 4, nativeFinishReason: 'STOP' })
  })

  it('streams chunks from streamGenerateContent (no [DONE] upstream) and ends with one usage chunk and [DONE]', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: MODEL, stream: true, messages: [{ role: 'user', content: 'one two three' }] })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    const id = res.headers.get('x-generation-id')
    for (const e of events) expect(e).toMatchObject({ id, object: 'chat.completion.chunk', model: MODEL, provider: 'Google AI Studio' })
    expect(events[0]?.choices[0].delta).toEqual({ role: 'assistant', content: 'You' })
    expect(textOf(events)).toBe('You said: one two three')
    const finishes = events.flatMap((e) => e.choices.filter((c: any) => c.finish_reason))
    expect(finishes).toEqual([{ index: 0, delta: {}, finish_reason: 'stop', native_finish_reason: 'STOP', logprobs: null }])
    const usageEvents = events.filter((e) => e.usage)
    expect(usageEvents).toHaveLength(1)
    // prompt 4 + ceil(13 / 4) = 8; completion 5 words.
    expect(usageEvents[0]).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13, cost: micro(8, 5) / 1e6 } })
    expect(events.at(-1)).toBe(usageEvents[0])
  })

  it('round-trips a tool call: required → functionCall; the tool result goes back as a functionResponse', async () => {
    const { key } = await seedAccount()
    const ask = [{ role: 'user', content: 'weather in Paris' }]
    const first = await chat(key, { model: MODEL, messages: ask, tools: [weatherTool], tool_choice: 'required' })
    const body = await first.json<any>()
    expect(first.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0]).toEqual({
      index: 0,
      logprobs: null,
      finish_reason: 'tool_calls',
      native_finish_reason: 'STOP',
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning: null,
        tool_calls: [{ id: 'call_0_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"text":"weather in Paris"}' } }],
      },
    })

    const call = body.choices[0].message.tool_calls[0]
    const second = await chat(key, {
      model: MODEL,
      tools: [weatherTool],
      messages: [...ask, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' }],
    })
    const answer = await second.json<any>()
    expect(second.status, JSON.stringify(answer)).toBe(200)
    expect(answer.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'The tool returned: {"temp_c":21}' } })
  })

  it('streams a tool call as one complete delta for the function tool_choice names', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'weather in Oslo' }],
      tools: [timeTool, weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    const choices = events.flatMap((e) => e.choices)
    expect(choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_0_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"text":"weather in Oslo"}' } }] },
        finish_reason: null,
        native_finish_reason: null,
        logprobs: null,
      },
      { index: 0, delta: {}, finish_reason: 'tool_calls', native_finish_reason: 'STOP', logprobs: null },
    ])
  })

  it('sends images as inlineData (data: URL) and fileData (https URL)', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: MODEL,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      }],
    })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].message.content).toBe('You said: what is this? [inlineData image/png] [fileData image/jpeg https://example.com/cat.jpg]')
  })

  it('returns thoughts as reasoning and bills thought tokens as completion tokens', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: MODEL, max_tokens: 2000, reasoning: { effort: 'low' }, messages: [{ role: 'user', content: 'think' }] })
    const body = await res.json<any>()
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.choices[0].message).toMatchObject({ content: 'You said: think', reasoning: 'Thinking about: think' })
    // prompt 4 + 2 = 6; completion 3 words + 3 thought tokens.
    expect(body.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 6, completion_tokens_details: { reasoning_tokens: 3 }, cost: micro(6, 6) / 1e6 })
  })

  it('relays a 429 as 429 with Retry-After (one endpoint, so no fallback)', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: MODEL, messages: [{ role: 'user', content: 'hi [[fake status=429 retry_after=7]]' }] })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    const body = await res.json<any>()
    expect(body.error).toMatchObject({
      code: 429,
      metadata: { error_type: 'rate_limit_exceeded', provider_name: 'Google AI Studio', raw: { error: { status: 'RESOURCE_EXHAUSTED' } } },
    })
  })

  it('relays a 400 INVALID_ARGUMENT with the Gemini status as provider_code', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: MODEL, messages: [{ role: 'user', content: 'hi [[fake status=400]]' }] })
    expect(res.status).toBe(400)
    expect((await res.json<any>()).error.metadata).toMatchObject({ provider_name: 'Google AI Studio', provider_code: 'INVALID_ARGUMENT' })
  })

  it('ends a stream broken mid-way with an error chunk, free of charge', async () => {
    const { accountId, key } = await seedAccount()
    const res = await chat(key, { model: MODEL, stream: true, messages: [{ role: 'user', content: 'one two three four [[fake break_after=2]]' }] })
    expect(res.status).toBe(200)
    const { events, done } = await readSse(res)
    expect(done).toBe(true)
    expect(textOf(events)).toBe('You said:')
    expect(events.find((e) => e.error)).toMatchObject({
      provider: 'Google AI Studio',
      error: { code: 502, metadata: { error_type: 'provider_unavailable' } },
      choices: [{ finish_reason: 'error' }],
    })
    expect(events.at(-1)?.usage.cost).toBe(0)
    await flush(accountId)
    expect(await generationRow(res.headers.get('x-generation-id')!)).toMatchObject({ finishReason: 'error', costMicro: 0 })
  })

  it('turns an in-stream Gemini error event into an error chunk with its code', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: MODEL, stream: true, messages: [{ role: 'user', content: 'one two three [[fake error_after=1]]' }] })
    const { events } = await readSse(res)
    expect(textOf(events)).toBe('You')
    expect(events.find((e) => e.error)?.error).toMatchObject({ code: 500 })
  })
})
