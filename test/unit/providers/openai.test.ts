// The openai adapter against documented OpenAI wire payloads: outgoing requests
// as inline snapshots, fixtures → canonical shapes, SSE fixtures fed through the
// real parser in awkward pieces, errors and Retry-After.
import { describe, expect, it } from 'vitest'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import {
  fromUpstream,
  fromUpstreamEvent,
  mapFinishReason,
  openai,
  parseError,
  retryAfterSeconds,
  toUpstream,
  UpstreamShapeError,
} from '../../../src/providers/openai.ts'
import { ROUTING_FIELDS, type CanonicalChunk, type EventResult, type SseEvent, type Target } from '../../../src/providers/types.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'
import { parseEvents } from '../../../src/streaming/sse.ts'
import chatText from '../../fixtures/openai/chat-text.json'
import chatToolCall from '../../fixtures/openai/chat-tool-call.json'
import chatDeepseek from '../../fixtures/openai/chat-deepseek-reasoning.json'
import error400 from '../../fixtures/openai/error-400.json'
import error429 from '../../fixtures/openai/error-429.json'
import streamText from '../../fixtures/openai/stream-text.chunks.txt?raw'
import streamToolCall from '../../fixtures/openai/stream-tool-call.chunks.txt?raw'
import streamError from '../../fixtures/openai/stream-error.chunks.txt?raw'
import { bytesOf, chunkedStream, drain, splitStream } from '../_helpers/streams.ts'

// --- targets -----------------------------------------------------------------

const ALL_PARAMS = [
  'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'frequency_penalty', 'presence_penalty', 'logit_bias',
  'logprobs', 'top_logprobs', 'tools', 'tool_choice', 'response_format', 'top_k', 'min_p', 'repetition_penalty',
]

const endpointOf = (over: Partial<Endpoint> = {}): Endpoint => ({
  provider: 'acme',
  upstream_id: 'acme-large-2025-06',
  pricing: { prompt: 2_500_000, completion: 10_000_000 },
  context_length: 128_000,
  max_output: 16_384,
  quantization: 'unknown',
  regions: ['us'],
  capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: false },
  supported_parameters: ALL_PARAMS,
  ...over,
})

const providerOf = (over: Partial<Provider> = {}): Provider => ({
  id: 'acme',
  name: 'Acme AI',
  protocol: 'openai',
  base_url: 'https://api.acme.test/v1',
  requires_key: true,
  data_policy: { training: false, retains_prompts: false, zdr: true },
  ...over,
})

const model: Model = {
  id: 'acme/large',
  name: 'Acme: Large',
  created: 1_750_000_000,
  description: 'test model',
  input_modalities: ['text', 'image'],
  output_modalities: ['text'],
  tokenizer: 'Other',
  endpoints: [endpointOf()],
}

const targetOf = (over: { endpoint?: Partial<Endpoint>; provider?: Partial<Provider>; apiKey?: string | undefined; baseUrl?: string } = {}): Target => ({
  model,
  endpoint: endpointOf(over.endpoint),
  provider: providerOf(over.provider),
  baseUrl: over.baseUrl ?? 'https://api.acme.test/v1/',
  apiKey: 'apiKey' in over ? over.apiKey : 'sk-acme-test',
})

/** Parse like the route does (defaults applied), translate, and decode the body for snapshots. */
const outgoing = (request: unknown, target: Target = targetOf()) => {
  const up = toUpstream(ChatRequest.parse(request), target)
  return { url: up.url, headers: up.headers, body: JSON.parse(up.body) as Record<string, unknown> }
}

const hello = [{ role: 'user', content: 'Hello' }]

// --- toUpstream ----------------------------------------------------------------

describe('toUpstream', () => {
  it('plain text: upstream model id, messages, bearer key, /chat/completions without a double slash', () => {
    expect(outgoing({ model: 'acme/large', messages: hello, temperature: 0.2 })).toMatchInlineSnapshot(`
      {
        "body": {
          "messages": [
            {
              "content": "Hello",
              "role": "user",
            },
          ],
          "model": "acme-large-2025-06",
          "temperature": 0.2,
        },
        "headers": {
          "authorization": "Bearer sk-acme-test",
          "content-type": "application/json",
        },
        "url": "https://api.acme.test/v1/chat/completions",
      }
    `)
  })

  it('system + multi-turn conversation keeps order, roles and names', () => {
    expect(
      outgoing({
        model: 'acme/large',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi', name: 'alice' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'How are you?' },
        ],
      }).body,
    ).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "You are terse.",
            "role": "system",
          },
          {
            "content": "Hi",
            "name": "alice",
            "role": "user",
          },
          {
            "content": "Hello.",
            "role": "assistant",
          },
          {
            "content": "Answer in French.",
            "role": "developer",
          },
          {
            "content": "How are you?",
            "role": "user",
          },
        ],
        "model": "acme-large-2025-06",
      }
    `)
  })

  it('images: image_url parts pass through with their detail', () => {
    expect(
      outgoing({
        model: 'acme/large',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these images?' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      }).body.messages,
    ).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "What is in these images?",
              "type": "text",
            },
            {
              "image_url": {
                "detail": "low",
                "url": "https://example.com/cat.png",
              },
              "type": "image_url",
            },
            {
              "image_url": {
                "url": "data:image/png;base64,iVBORw0KGgo=",
              },
              "type": "image_url",
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  it('tools and tool_choice reach an endpoint that supports them', () => {
    expect(
      outgoing({
        model: 'acme/large',
        messages: hello,
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather',
              parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
              strict: true,
            },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
      }).body,
    ).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "Hello",
            "role": "user",
          },
        ],
        "model": "acme-large-2025-06",
        "parallel_tool_calls": false,
        "tool_choice": {
          "function": {
            "name": "get_weather",
          },
          "type": "function",
        },
        "tools": [
          {
            "function": {
              "description": "Current weather",
              "name": "get_weather",
              "parameters": {
                "properties": {
                  "location": {
                    "type": "string",
                  },
                },
                "required": [
                  "location",
                ],
                "type": "object",
              },
              "strict": true,
            },
            "type": "function",
          },
        ],
      }
    `)
  })

  it('tool results: the assistant tool_calls turn and the tool message (tool_call_id, no extras)', () => {
    expect(
      outgoing({
        model: 'acme/large',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            reasoning: 'I should call the tool.',
            tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: '{"temp_c":21}' },
        ],
      }).body.messages,
    ).toMatchInlineSnapshot(`
      [
        {
          "content": "Weather in Paris?",
          "role": "user",
        },
        {
          "content": null,
          "role": "assistant",
          "tool_calls": [
            {
              "function": {
                "arguments": "{"location":"Paris"}",
                "name": "get_weather",
              },
              "id": "call_1",
              "type": "function",
            },
          ],
        },
        {
          "content": "{"temp_c":21}",
          "role": "tool",
          "tool_call_id": "call_1",
        },
      ]
    `)
  })

  it('json_schema response_format passes through unchanged', () => {
    const response_format = {
      type: 'json_schema',
      json_schema: {
        name: 'city',
        strict: true,
        schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
      },
    }
    expect(outgoing({ model: 'acme/large', messages: hello, response_format }).body.response_format).toEqual(response_format)
  })

  it('drops (never rejects) sampling parameters the endpoint does not list', () => {
    const target = targetOf({ endpoint: { supported_parameters: ['temperature', 'max_tokens'] } })
    expect(
      outgoing(
        {
          model: 'acme/large',
          messages: hello,
          temperature: 0.7,
          top_k: 40,
          min_p: 0.05,
          repetition_penalty: 1.1,
          response_format: { type: 'json_object' },
          max_tokens: 256,
        },
        target,
      ).body,
    ).toMatchInlineSnapshot(`
      {
        "max_tokens": 256,
        "messages": [
          {
            "content": "Hello",
            "role": "user",
          },
        ],
        "model": "acme-large-2025-06",
        "temperature": 0.7,
      }
    `)
  })

  it('keeps top_k / min_p / repetition_penalty for an endpoint that lists them', () => {
    const { body } = outgoing({ model: 'acme/large', messages: hello, top_k: 40, min_p: 0.05, repetition_penalty: 1.1 })
    expect(body).toMatchObject({ top_k: 40, min_p: 0.05, repetition_penalty: 1.1 })
  })

  it('max_tokens goes out as max_completion_tokens when the host quirk says so', () => {
    const target = targetOf({ provider: { quirks: { max_tokens_param: 'max_completion_tokens' } } })
    const { body } = outgoing({ model: 'acme/large', messages: hello, max_tokens: 300 }, target)
    expect(body.max_completion_tokens).toBe(300)
    expect(body).not.toHaveProperty('max_tokens')
  })

  it('max_completion_tokens goes out as max_tokens by default and wins over max_tokens', () => {
    const { body } = outgoing({ model: 'acme/large', messages: hello, max_tokens: 100, max_completion_tokens: 200 })
    expect(body.max_tokens).toBe(200)
    expect(body).not.toHaveProperty('max_completion_tokens')
  })

  it('stream: true asks for usage (include_usage) and ignores the client stream_options', () => {
    expect(
      outgoing({ model: 'acme/large', messages: hello, stream: true, stream_options: { include_usage: false } }).body,
    ).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "Hello",
            "role": "user",
          },
        ],
        "model": "acme-large-2025-06",
        "stream": true,
        "stream_options": {
          "include_usage": true,
        },
      }
    `)
  })

  it('stream: no stream_options when the host does not honour them (quirks.stream_usage false)', () => {
    const { body } = outgoing(
      { model: 'acme/large', messages: hello, stream: true },
      targetOf({ provider: { quirks: { stream_usage: false } } }),
    )
    expect(body.stream).toBe(true)
    expect(body).not.toHaveProperty('stream_options')
  })

  it('stream: false is not sent at all', () => {
    const { body } = outgoing({ model: 'acme/large', messages: hello, stream: false })
    expect(body).not.toHaveProperty('stream')
    expect(body).not.toHaveProperty('stream_options')
  })

  it('drop_params quirk removes fields the host rejects, including ones Switchboard adds itself', () => {
    const target = targetOf({ provider: { quirks: { drop_params: ['logit_bias', 'seed', 'stream_options'] } } })
    const { body } = outgoing(
      { model: 'acme/large', messages: hello, logit_bias: { '50256': -100 }, seed: 7, temperature: 1, stream: true },
      target,
    )
    expect(body).not.toHaveProperty('logit_bias')
    expect(body).not.toHaveProperty('seed')
    expect(body).not.toHaveProperty('stream_options')
    expect(body).toMatchObject({ temperature: 1, stream: true })
  })

  it('OpenRouter-only fields never reach the upstream', () => {
    const { body } = outgoing({
      model: 'acme/large',
      models: ['acme/large', 'acme/small'],
      messages: hello,
      provider: { order: ['acme'], allow_fallbacks: false, data_collection: 'deny' },
      route: 'fallback',
      usage: { include: true },
      transforms: ['middle-out'],
      reasoning: { effort: 'high', exclude: true },
      include_reasoning: true,
      debug: { echo_upstream_body: true },
      plugins: [{ id: 'web' }],
      preset: 'my-preset',
      session_id: 'sess-1',
      trace: { trace_id: 't' },
      user: 'user-42',
    })
    for (const field of ROUTING_FIELDS) {
      if (field === 'model') continue
      expect(body, field).not.toHaveProperty(field)
    }
    expect(body).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "Hello",
            "role": "user",
          },
        ],
        "model": "acme-large-2025-06",
        "user": "user-42",
      }
    `)
  })

  it('maps reasoning.effort to reasoning_effort only for a reasoning endpoint that lists it', () => {
    const reasoningTarget = targetOf({
      endpoint: {
        capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: true },
        supported_parameters: [...ALL_PARAMS, 'reasoning_effort'],
      },
    })
    expect(outgoing({ model: 'acme/large', messages: hello, reasoning: { effort: 'xhigh' } }, reasoningTarget).body.reasoning_effort).toBe('high')
    expect(outgoing({ model: 'acme/large', messages: hello, reasoning_effort: 'low' }, reasoningTarget).body.reasoning_effort).toBe('low')
    expect(outgoing({ model: 'acme/large', messages: hello, reasoning: { effort: 'high' } }).body).not.toHaveProperty('reasoning_effort')
  })

  describe('the host\'s reasoning switches (provider.quirks.reasoning)', () => {
    const quirks = { reasoning: { exclude: { include_reasoning: false }, off: { reasoning_effort: 'none' } } }
    const reasoningCaps = { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: true }
    const hybrid = targetOf({ provider: { quirks }, endpoint: { capabilities: reasoningCaps } })
    const bodyFor = (request: Record<string, unknown>, target = hybrid) => outgoing({ model: 'acme/large', messages: hello, ...request }, target).body

    it.each([
      ['reasoning.exclude', { reasoning: { exclude: true } }],
      ['exclude with an effort', { reasoning: { effort: 'high', exclude: true } }],
      ['legacy include_reasoning: false', { include_reasoning: false }],
    ])('hiding reasoning (%s) sends the host\'s exclude fields, never the request\'s own', (_name, request) => {
      const body = bodyFor(request)
      expect(body.include_reasoning).toBe(false)
      expect(body).not.toHaveProperty('reasoning')
    })

    it('turning optional reasoning off sends the host\'s off fields; a model that must reason gets none', () => {
      expect(bodyFor({ reasoning: { effort: 'none' } }).reasoning_effort).toBe('none')
      expect(bodyFor({ reasoning: { enabled: false } }).reasoning_effort).toBe('none')
      const mandatory: Target = { ...hybrid, model: { ...model, reasoning: { mandatory: true } } }
      expect(bodyFor({ reasoning: { effort: 'none' } }, mandatory)).not.toHaveProperty('reasoning_effort')
    })

    it('nothing for a request that does not hide or turn off reasoning, a host without the quirk, or an endpoint that does not reason', () => {
      expect(bodyFor({ reasoning: { effort: 'high' } })).not.toHaveProperty('include_reasoning')
      expect(bodyFor({ include_reasoning: true })).not.toHaveProperty('include_reasoning')
      expect(bodyFor({ reasoning: { exclude: true } }, targetOf({ endpoint: { capabilities: reasoningCaps } }))).not.toHaveProperty('include_reasoning')
      expect(bodyFor({ reasoning: { exclude: true } }, targetOf({ provider: { quirks } }))).not.toHaveProperty('include_reasoning')
    })

    it('the host\'s dropped params win over its reasoning fields', () => {
      const dropping = targetOf({ provider: { quirks: { ...quirks, drop_params: ['include_reasoning'] } }, endpoint: { capabilities: reasoningCaps } })
      expect(bodyFor({ reasoning: { exclude: true } }, dropping)).not.toHaveProperty('include_reasoning')
    })
  })

  it('strips cache_control from content parts', () => {
    const { body } = outgoing({
      model: 'acme/large',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'Long reference document…', cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'text', text: 'Be brief.' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' }, cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Describe it.', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    })
    expect(JSON.stringify(body)).not.toContain('cache_control')
    expect(body.messages).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "Long reference document…",
              "type": "text",
            },
            {
              "text": "Be brief.",
              "type": "text",
            },
          ],
          "role": "system",
        },
        {
          "content": [
            {
              "image_url": {
                "url": "https://example.com/a.png",
              },
              "type": "image_url",
            },
            {
              "text": "Describe it.",
              "type": "text",
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  it('sends no Authorization header when the provider has no key (local hosts)', () => {
    const up = outgoing({ model: 'acme/large', messages: hello }, targetOf({ apiKey: undefined, baseUrl: 'http://localhost:11434/v1' }))
    expect(up.url).toBe('http://localhost:11434/v1/chat/completions')
    expect(up.headers).toEqual({ 'content-type': 'application/json' })
  })
})

// --- fromUpstream ----------------------------------------------------------------

describe('fromUpstream', () => {
  it('chat-text.json: content, refusal/reasoning null, cached and reasoning token counts', () => {
    expect(fromUpstream(chatText)).toEqual({
      upstreamId: 'chatcmpl-BxR4pQ2sVwN8kYt3LmZa6HcE1dF0g',
      systemFingerprint: 'fp_7c5b1d2e9a',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null, reasoning: null },
          finish_reason: 'stop',
          native_finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 1536, completion_tokens: 212, cached_tokens: 1280, cache_write_tokens: 0, reasoning_tokens: 192 },
    })
  })

  it('chat-tool-call.json: both tool calls, null content, finish_reason tool_calls', () => {
    expect(fromUpstream(chatToolCall)).toEqual({
      upstreamId: 'chatcmpl-BxR5aT7uLq0WnE2vYc9Kd4Hs8Jm1b',
      systemFingerprint: 'fp_07871e2ad8',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            reasoning: null,
            tool_calls: [
              {
                id: 'call_7pLwq3ZfJ0aXkR2nV8sYb1Tc',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' },
              },
              {
                id: 'call_Q4mB9eHs2uWd6LzN0yKa3Fv8',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"Tokyo, Japan","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
          native_finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 82, completion_tokens: 51, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    })
  })

  it('chat-deepseek-reasoning.json: reasoning_content → reasoning, prompt_cache_hit_tokens → cached_tokens', () => {
    expect(fromUpstream(chatDeepseek)).toEqual({
      upstreamId: '5f2c9a1e-4b7d-4e0a-9c3f-8d6e1b2a7c40',
      systemFingerprint: 'fp_5417b77867_prod0425fp8',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '9.11 is smaller than 9.8.',
            refusal: null,
            reasoning: 'Compare the tenths digit: 9.11 has 1 tenth, 9.8 has 8 tenths, so 9.8 is larger.',
          },
          finish_reason: 'stop',
          native_finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 1048, completion_tokens: 303, cached_tokens: 1024, cache_write_tokens: 0, reasoning_tokens: 281 },
    })
  })

  it('no usage → null (the caller estimates); unknown finish reasons normalize to stop but stay native', () => {
    const out = fromUpstream({ id: 'x', choices: [{ index: 0, message: { content: 'hi' }, finish_reason: 'eos' }] })
    expect(out.usage).toBeNull()
    expect(out.choices[0]).toMatchObject({ finish_reason: 'stop', native_finish_reason: 'eos' })
  })

  it('a body without choices is an UpstreamShapeError, not a crash later', () => {
    expect(() => fromUpstream({ id: 'x', object: 'chat.completion' })).toThrow(UpstreamShapeError)
    expect(() => fromUpstream('<html>')).toThrow(UpstreamShapeError)
  })
})

// --- fromUpstreamEvent over SSE fixtures ------------------------------------------

type Step = EventResult<null>

/** Parse raw SSE bytes with the real parser, then run every event through the adapter. */
const translate = async (body: ReadableStream<Uint8Array>) => {
  const events = await drain(parseEvents(body))
  const steps: Step[] = events.map((e) => fromUpstreamEvent(e, null))
  return { events, steps }
}

const chunksOf = (steps: Step[]): CanonicalChunk[] => steps.flatMap((s) => (s.kind === 'error' ? [] : s.chunks))

const contentOf = (steps: Step[]) =>
  chunksOf(steps).flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('')

/** Offsets inside multi-byte UTF-8 sequences, where a careless decoder corrupts text. */
const midCharacterOffsets = (data: Uint8Array) => {
  const out: number[] = []
  for (let i = 1; i < data.length; i++) if ((data[i]! & 0xc0) === 0x80) out.push(i)
  return out
}

describe('fromUpstreamEvent over stream-text.chunks.txt', () => {
  const data = bytesOf(streamText)

  it('parses whole: role chunk, content deltas, finish, usage-only chunk, done', async () => {
    const { events, steps } = await translate(chunkedStream(data, [data.length]))
    expect(events).toHaveLength(8)
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'chunks', 'chunks', 'chunks', 'chunks', 'chunks', 'chunks', 'done'])
    expect(chunksOf(steps)).toEqual([
      {
        upstreamId: 'chatcmpl-BxR6fK3nQ8pWz1LsVa5YhD2cE9uTm',
        systemFingerprint: 'fp_34a54ae93c',
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }],
      },
      ...['Bonjour', ' ! Ça', ' va ?', ' ☕'].map((content) => ({
        upstreamId: 'chatcmpl-BxR6fK3nQ8pWz1LsVa5YhD2cE9uTm',
        systemFingerprint: 'fp_34a54ae93c',
        choices: [{ index: 0, delta: { content }, finish_reason: null, native_finish_reason: null, logprobs: null }],
      })),
      {
        upstreamId: 'chatcmpl-BxR6fK3nQ8pWz1LsVa5YhD2cE9uTm',
        systemFingerprint: 'fp_34a54ae93c',
        choices: [{ index: 0, delta: {}, finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }],
      },
      {
        upstreamId: 'chatcmpl-BxR6fK3nQ8pWz1LsVa5YhD2cE9uTm',
        systemFingerprint: 'fp_34a54ae93c',
        choices: [],
        usage: { prompt_tokens: 19, completion_tokens: 10, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
      },
    ])
  })

  it('gives the same result however the bytes are split into reads', async () => {
    const whole = await translate(chunkedStream(data, [data.length]))
    for (const sizes of [[1], [2, 3], [7], [13, 1, 64], [100]]) {
      const split = await translate(chunkedStream(data, sizes))
      expect(split.events, `sizes ${sizes.join(',')}`).toEqual(whole.events)
    }
  })

  it('survives a read boundary inside a multi-byte character and inside "\\n\\n"', async () => {
    const whole = await translate(chunkedStream(data, [data.length]))
    const mid = midCharacterOffsets(data)
    expect(mid.length).toBeGreaterThanOrEqual(3) // Ç is 2 bytes, ☕ is 3
    const newline = streamText.indexOf('\n\n') + 1
    for (const at of [...mid, newline]) {
      const split = await translate(splitStream(data, [at]))
      expect(contentOf(split.steps), `split at ${at}`).toBe('Bonjour ! Ça va ? ☕')
      expect(split.events).toEqual(whole.events)
    }
  })
})

describe('fromUpstreamEvent over stream-tool-call.chunks.txt', () => {
  it('first delta carries index/id/type/name; later ones only argument fragments; finish tool_calls', async () => {
    const data = bytesOf(streamToolCall)
    const { steps } = await translate(chunkedStream(data, [5, 11]))
    expect(steps.at(-1)?.kind).toBe('done')
    const choices = chunksOf(steps).flatMap((c) => c.choices)
    expect(choices[0]?.delta).toEqual({
      role: 'assistant',
      tool_calls: [{ index: 0, id: 'call_7pLwq3ZfJ0aXkR2nV8sYb1Tc', type: 'function', function: { name: 'get_weather', arguments: '' } }],
    })
    const fragments = choices.slice(1, -1).map((c) => c.delta.tool_calls)
    expect(fragments).toHaveLength(6)
    for (const f of fragments) {
      expect(f).toHaveLength(1)
      expect(Object.keys(f![0]!).sort()).toEqual(['function', 'index'])
      expect(Object.keys(f![0]!.function!)).toEqual(['arguments'])
    }
    const args = choices.flatMap((c) => c.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? '').join('')
    expect(JSON.parse(args)).toEqual({ location: 'Paris, France' })
    expect(choices.at(-1)).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_calls', delta: {} })
    expect(chunksOf(steps).at(-1)?.usage).toEqual({ prompt_tokens: 82, completion_tokens: 17, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 })
  })
})

describe('fromUpstreamEvent over stream-error.chunks.txt', () => {
  it('yields the chunks before it, then an error result carrying the upstream body', async () => {
    const data = bytesOf(streamError)
    const { steps } = await translate(chunkedStream(data, [3]))
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'chunks', 'error'])
    const last = steps[2]!
    expect(last.kind === 'error' && last.error).toEqual({
      status: 502,
      message: 'The server had an error while processing your request. Sorry about that!',
      code: 'server_error',
      raw: {
        error: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
      },
    })
  })
})

describe('fromUpstreamEvent edge cases', () => {
  const ev = (data: string): SseEvent => ({ data })

  it('an error event with an HTTP-like numeric code keeps it as the status', () => {
    const out = fromUpstreamEvent(ev('{"error":{"message":"Rate limit exceeded","code":429}}'), null)
    expect(out).toMatchObject({ kind: 'error', error: { status: 429, message: 'Rate limit exceeded', code: '429' } })
  })

  it('malformed JSON is a 502 error result, not an exception', () => {
    expect(fromUpstreamEvent(ev('{"choices": ['), null)).toEqual({
      kind: 'error',
      error: { status: 502, message: 'Upstream sent a malformed stream event' },
      state: null,
    })
  })

  it('a chunk of the wrong shape is a 502 error result', () => {
    expect(fromUpstreamEvent(ev('{"choices":"nope"}'), null)).toMatchObject({ kind: 'error', error: { status: 502 } })
  })

  it('reasoning_content deltas (DeepSeek, vLLM) become reasoning', () => {
    const out = fromUpstreamEvent(ev('{"id":"d","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Hmm"},"finish_reason":null}]}'), null)
    expect(out.kind === 'chunks' && out.chunks[0]?.choices[0]?.delta).toEqual({ reasoning: 'Hmm' })
  })

  it('the adapter object wires the same functions', () => {
    expect(openai.fromUpstreamEvent).toBe(fromUpstreamEvent)
    expect(openai.initialState()).toBeNull()
  })
})

// --- errors -----------------------------------------------------------------------

describe('parseError', () => {
  it('error-429.json with retry-after-ms: message, code, raw body, retry seconds rounded up', () => {
    const headers = new Headers({ 'retry-after-ms': '570', 'retry-after': '1' })
    expect(parseError(429, JSON.stringify(error429), headers)).toEqual({
      status: 429,
      message: error429.error.message,
      code: 'rate_limit_exceeded',
      raw: error429,
      retryAfter: 1,
    })
  })

  it('error-400.json: the error code, no retryAfter key', () => {
    const out = parseError(400, JSON.stringify(error400), new Headers())
    expect(out).toEqual({
      status: 400,
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      code: 'unsupported_parameter',
      raw: error400,
    })
    expect(out).not.toHaveProperty('retryAfter')
  })

  it('falls back to the type when code is null, and accepts a bare string error', () => {
    expect(parseError(500, '{"error":{"message":"boom","type":"server_error","code":null}}', new Headers())).toMatchObject({
      message: 'boom',
      code: 'server_error',
    })
    expect(parseError(503, '{"error":"model is loading"}', new Headers())).toMatchObject({ status: 503, message: 'model is loading' })
  })

  it('a non-JSON body keeps the (truncated) text as raw and a generic message', () => {
    const html = `<html>${'x'.repeat(5000)}</html>`
    const out = parseError(502, html, new Headers({ 'retry-after': '30' }))
    expect(out.message).toBe('Upstream returned HTTP 502')
    expect(out.raw).toBe(html.slice(0, 2000))
    expect(out.retryAfter).toBe(30)
    expect(out).not.toHaveProperty('code')
  })
})

describe('retryAfterSeconds', () => {
  const now = Date.UTC(2025, 6, 29, 12, 0, 0)
  const h = (init: Record<string, string>) => new Headers(init)

  it.each([
    ['retry-after seconds', { 'retry-after': '20' }, 20],
    ['retry-after fractional seconds round up', { 'retry-after': '1.2' }, 2],
    ['retry-after zero', { 'retry-after': '0' }, 0],
    ['retry-after HTTP date 90 s ahead', { 'retry-after': 'Tue, 29 Jul 2025 12:01:30 GMT' }, 90],
    ['retry-after HTTP date in the past clamps to 0', { 'retry-after': 'Tue, 29 Jul 2025 11:00:00 GMT' }, 0],
    ['retry-after-ms wins and rounds up', { 'retry-after-ms': '1500', 'retry-after': '60' }, 2],
    ['retry-after-ms below a second is one second', { 'retry-after-ms': '20' }, 1],
    ['unparseable retry-after-ms falls back to retry-after', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3],
  ] as const)('%s', (_, init, expected) => {
    expect(retryAfterSeconds(h(init), now)).toBe(expected)
  })

  it.each([
    ['no headers', {}],
    ['garbage', { 'retry-after': 'later please' }],
    ['empty', { 'retry-after': '' }],
  ] as const)('%s → undefined', (_, init) => {
    expect(retryAfterSeconds(h(init), now)).toBeUndefined()
  })
})

describe('mapFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['max_tokens', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['error', 'error'],
    ['eos', 'stop'],
    ['end_turn', 'stop'],
    ['', null],
    [null, null],
    [undefined, null],
  ] as const)('%s → %s', (raw, expected) => {
    expect(mapFinishReason(raw)).toBe(expected)
  })
})
