// The anthropic adapter against documented Messages API payloads: outgoing bodies
// as inline snapshots (and checked against the strict request schema), fixtures →
// canonical shapes, SSE fixtures through the real parser and the stream reducer,
// and error bodies.
import { describe, expect, it } from 'vitest'
import type { Cost } from '../../../src/billing/pricing.ts'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import { micro } from '../../../src/lib/money.ts'
import {
  anthropic,
  fromUpstream,
  fromUpstreamEvent,
  initialState,
  mapFinishReason,
  parseError,
  toUpstream,
} from '../../../src/providers/anthropic.ts'
import { reasoningTokensOf, type AnthropicStreamState } from '../../../src/providers/anthropic-stream.ts'
import { UpstreamShapeError } from '../../../src/providers/openai.ts'
import { adapterFor } from '../../../src/providers/registry.ts'
import type { CanonicalChunk, EventResult, SseEvent, Target } from '../../../src/providers/types.ts'
import { MessagesRequest } from '../../../src/providers/wire/anthropic.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'
import { chatStreamEncoder } from '../../../src/skins/chat/render.ts'
import { parseEvents } from '../../../src/streaming/sse.ts'
import { translateStream, type StreamEnd } from '../../../src/streaming/translate.ts'
import error400 from '../../fixtures/anthropic/error-400-invalid-request.json'
import error429 from '../../fixtures/anthropic/error-429-rate-limit.json'
import error529 from '../../fixtures/anthropic/error-529-overloaded.json'
import messageCache from '../../fixtures/anthropic/message-cache-usage.json'
import messageText from '../../fixtures/anthropic/message-text.json'
import messageThinking from '../../fixtures/anthropic/message-thinking.json'
import messageToolUse from '../../fixtures/anthropic/message-tool-use.json'
import streamError from '../../fixtures/anthropic/stream-error.chunks.txt?raw'
import streamText from '../../fixtures/anthropic/stream-text.chunks.txt?raw'
import streamThinking from '../../fixtures/anthropic/stream-thinking.chunks.txt?raw'
import streamToolUse from '../../fixtures/anthropic/stream-tool-use.chunks.txt?raw'
import { bytesOf, chunkedStream, drain } from '../_helpers/streams.ts'

// --- targets -----------------------------------------------------------------

const PARAMS = ['max_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'tools', 'tool_choice', 'reasoning', 'include_reasoning']

const endpointOf = (over: Partial<Endpoint> = {}): Endpoint => ({
  provider: 'anthropic',
  upstream_id: 'claude-sonnet-4-20250514',
  pricing: { prompt: 3_000_000, completion: 15_000_000, cache_read: 300_000, cache_write: 3_750_000 },
  context_length: 200_000,
  max_output: 64_000,
  quantization: 'unknown',
  regions: ['us'],
  capabilities: { tools: true, tool_choice: true, json_schema: false, images: true, reasoning: true },
  supported_parameters: PARAMS,
  ...over,
})

const provider: Provider = {
  id: 'anthropic',
  name: 'Anthropic',
  protocol: 'anthropic',
  base_url: 'https://api.anthropic.com/v1',
  requires_key: true,
  data_policy: { training: false, retains_prompts: true, zdr: false },
}

const model: Model = {
  id: 'anthropic/claude-sonnet-4',
  name: 'Anthropic: Claude Sonnet 4',
  created: 1_747_872_000,
  description: 'test model',
  input_modalities: ['text', 'image', 'file'],
  output_modalities: ['text'],
  tokenizer: 'Claude',
  endpoints: [endpointOf()],
}

const targetOf = (over: { endpoint?: Partial<Endpoint>; apiKey?: string | undefined } = {}): Target => ({
  model,
  endpoint: endpointOf(over.endpoint),
  provider,
  baseUrl: 'https://api.anthropic.com/v1/',
  apiKey: 'apiKey' in over ? over.apiKey : 'sk-ant-unit',
})

/** The haiku-like endpoint: no extended thinking, 8k output. */
const haiku = { endpoint: { upstream_id: 'claude-3-5-haiku-20241022', max_output: 8192, capabilities: { ...endpointOf().capabilities, reasoning: false } } }

/** Parse like the route does, translate, check the body against the strict wire schema, decode it for snapshots. */
const outgoing = (request: Record<string, unknown>, target: Target = targetOf()) => {
  const up = toUpstream(ChatRequest.parse({ model: 'anthropic/claude-sonnet-4', ...request }), target)
  const body = JSON.parse(up.body) as Record<string, unknown>
  const checked = MessagesRequest.safeParse(body)
  if (!checked.success) throw new Error(`outgoing body breaks the wire schema: ${JSON.stringify(checked.error.issues)}`)
  return { url: up.url, headers: up.headers, body }
}
const bodyOf = (request: Record<string, unknown>, target?: Target) => outgoing(request, target).body

const hello = [{ role: 'user', content: 'Hello' }]

// --- toUpstream ----------------------------------------------------------------

describe('toUpstream', () => {
  it('text: POST /messages with the upstream id, x-api-key, anthropic-version, and max_tokens from the endpoint', () => {
    expect(outgoing({ messages: hello })).toMatchInlineSnapshot(`
      {
        "body": {
          "max_tokens": 64000,
          "messages": [
            {
              "content": [
                {
                  "text": "Hello",
                  "type": "text",
                },
              ],
              "role": "user",
            },
          ],
          "model": "claude-sonnet-4-20250514",
        },
        "headers": {
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          "x-api-key": "sk-ant-unit",
        },
        "url": "https://api.anthropic.com/v1/messages",
      }
    `)
  })

  it('sends no x-api-key without a key', () => {
    expect(outgoing({ messages: hello }, targetOf({ apiKey: undefined })).headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
    })
  })

  it('system and developer messages become one system string', () => {
    expect(
      bodyOf({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hi' },
        ],
      }),
    ).toMatchInlineSnapshot(`
      {
        "max_tokens": 64000,
        "messages": [
          {
            "content": [
              {
                "text": "Hi",
                "type": "text",
              },
            ],
            "role": "user",
          },
        ],
        "model": "claude-sonnet-4-20250514",
        "system": "You are terse.

      Answer in French.",
      }
    `)
  })

  it('system parts with cache_control become text blocks that keep it', () => {
    const body = bodyOf({
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'You answer questions about the contract below.' },
            { type: 'text', text: 'CONTRACT TEXT …', cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
        },
        { role: 'user', content: 'What is the notice period?' },
      ],
    })
    expect(body.system).toMatchInlineSnapshot(`
      [
        {
          "text": "You answer questions about the contract below.",
          "type": "text",
        },
        {
          "cache_control": {
            "ttl": "1h",
            "type": "ephemeral",
          },
          "text": "CONTRACT TEXT …",
          "type": "text",
        },
      ]
    `)
  })

  it('multi-turn: alternating turns, same-role turns merged, names prefixed, prefill trimmed', () => {
    expect(
      bodyOf({
        messages: [
          { role: 'user', content: 'Hi', name: 'alice' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Two questions.' },
          { role: 'user', content: [{ type: 'text', text: 'First: why?', cache_control: { type: 'ephemeral' } }] },
          { role: 'assistant', content: 'Because ' },
        ],
      }).messages,
    ).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "alice: Hi",
              "type": "text",
            },
          ],
          "role": "user",
        },
        {
          "content": [
            {
              "text": "Hello.",
              "type": "text",
            },
          ],
          "role": "assistant",
        },
        {
          "content": [
            {
              "text": "Two questions.",
              "type": "text",
            },
            {
              "cache_control": {
                "type": "ephemeral",
              },
              "text": "First: why?",
              "type": "text",
            },
          ],
          "role": "user",
        },
        {
          "content": [
            {
              "text": "Because",
              "type": "text",
            },
          ],
          "role": "assistant",
        },
      ]
    `)
  })

  it('images: data URLs as base64 sources, http(s) URLs as url sources, others dropped; PDFs as documents', () => {
    expect(
      bodyOf({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'ftp://example.com/nope.gif' } },
              { type: 'file', file: { filename: 'terms.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' } },
              { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
            ],
          },
        ],
      }).messages,
    ).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "What is in these?",
              "type": "text",
            },
            {
              "source": {
                "data": "iVBORw0KGgo=",
                "media_type": "image/png",
                "type": "base64",
              },
              "type": "image",
            },
            {
              "source": {
                "type": "url",
                "url": "https://example.com/cat.jpg",
              },
              "type": "image",
            },
            {
              "source": {
                "data": "JVBERi0x",
                "media_type": "application/pdf",
                "type": "base64",
              },
              "title": "terms.pdf",
              "type": "document",
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  describe('tools', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'function', function: { name: 'get_time' } },
    ]

    it('become name/description/input_schema, keeping cache_control; no tool_choice when not asked', () => {
      const body = bodyOf({ messages: hello, tools })
      expect(body.tools).toMatchInlineSnapshot(`
        [
          {
            "cache_control": {
              "type": "ephemeral",
            },
            "description": "Weather for a city",
            "input_schema": {
              "properties": {
                "city": {
                  "type": "string",
                },
              },
              "required": [
                "city",
              ],
              "type": "object",
            },
            "name": "get_weather",
          },
          {
            "input_schema": {
              "properties": {},
              "type": "object",
            },
            "name": "get_time",
          },
        ]
      `)
      expect(body).not.toHaveProperty('tool_choice')
    })

    it.each([
      ['auto', { type: 'auto' }],
      ['none', { type: 'none' }],
      ['required', { type: 'any' }],
      [{ type: 'function', function: { name: 'get_time' } }, { type: 'tool', name: 'get_time' }],
    ])('tool_choice %j → %j', (choice, expected) => {
      expect(bodyOf({ messages: hello, tools, tool_choice: choice }).tool_choice).toEqual(expected)
    })

    it('parallel_tool_calls: false → disable_parallel_tool_use (with auto when no choice was given)', () => {
      expect(bodyOf({ messages: hello, tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true })
      expect(bodyOf({ messages: hello, tools, tool_choice: 'required', parallel_tool_calls: false }).tool_choice)
        .toEqual({ type: 'any', disable_parallel_tool_use: true })
    })

    it('tool_choice without tools is not sent (Anthropic rejects it)', () => {
      expect(bodyOf({ messages: hello, tool_choice: 'auto' })).not.toHaveProperty('tool_choice')
    })
  })

  it('tool calls and results: tool_use blocks ({} for bad JSON), consecutive results merged into one user turn', () => {
    expect(
      bodyOf({
        messages: [
          { role: 'user', content: 'Weather and time in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: 'not json' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18°C, cloudy' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '14:05' }] },
          { role: 'user', content: 'Thanks!' },
        ],
      }).messages,
    ).toMatchInlineSnapshot(`
      [
        {
          "content": [
            {
              "text": "Weather and time in Paris?",
              "type": "text",
            },
          ],
          "role": "user",
        },
        {
          "content": [
            {
              "id": "toolu_1",
              "input": {
                "city": "Paris",
              },
              "name": "get_weather",
              "type": "tool_use",
            },
            {
              "id": "toolu_2",
              "input": {},
              "name": "get_time",
              "type": "tool_use",
            },
          ],
          "role": "assistant",
        },
        {
          "content": [
            {
              "content": "18°C, cloudy",
              "tool_use_id": "toolu_1",
              "type": "tool_result",
            },
            {
              "content": [
                {
                  "text": "14:05",
                  "type": "text",
                },
              ],
              "tool_use_id": "toolu_2",
              "type": "tool_result",
            },
            {
              "text": "Thanks!",
              "type": "text",
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  it('json_schema: asked for in the system prompt (after any system text), never sent as a field', () => {
    const response_format = {
      type: 'json_schema',
      json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } },
    }
    const body = bodyOf({ messages: [{ role: 'system', content: 'Be exact.' }, ...hello], response_format })
    expect(body.system).toMatchInlineSnapshot(`
      "Be exact.

      Respond only with JSON (no prose, no code fences) that conforms to the JSON schema "answer":
      {"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"
    `)
    expect(body).not.toHaveProperty('response_format')
    const cached = bodyOf({
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Be exact.', cache_control: { type: 'ephemeral' } }] }, ...hello],
      response_format: { type: 'json_object' },
    })
    expect(cached.system).toMatchInlineSnapshot(`
      [
        {
          "cache_control": {
            "type": "ephemeral",
          },
          "text": "Be exact.",
          "type": "text",
        },
        {
          "text": "Respond only with a valid JSON object: no prose, no code fences.",
          "type": "text",
        },
      ]
    `)
  })

  describe('reasoning → thinking', () => {
    const thinkingOf = (request: Record<string, unknown>, target?: Target) => {
      const body = bodyOf({ messages: hello, ...request }, target)
      return { max_tokens: body.max_tokens, thinking: body.thinking }
    }

    it.each([
      ['effort high, no max_tokens', { reasoning: { effort: 'high' } }, 64_000, 51_200],
      ['effort medium with max_tokens', { reasoning: { effort: 'medium' }, max_tokens: 10_000 }, 10_000, 5_000],
      ['reasoning_effort minimal → at least 1024', { reasoning_effort: 'minimal', max_tokens: 4_000 }, 4_000, 1_024],
      ['enabled alone = medium', { reasoning: { enabled: true }, max_completion_tokens: 8_000 }, 8_000, 4_000],
      ['explicit budget used as given', { reasoning: { max_tokens: 3_000 }, max_tokens: 20_000 }, 20_000, 3_000],
      // Hidden reasoning is still done (the gateway removes it from the answer).
      ['exclude with an effort thinks', { reasoning: { effort: 'high', exclude: true }, max_tokens: 10_000 }, 10_000, 8_000],
      ['include_reasoning false with an effort thinks', { include_reasoning: false, reasoning_effort: 'medium', max_tokens: 10_000 }, 10_000, 5_000],
      ['exclude with enabled thinks at medium', { reasoning: { enabled: true, exclude: true }, max_tokens: 10_000 }, 10_000, 5_000],
    ])('%s', (_name, request, maxTokens, budget) => {
      expect(thinkingOf(request)).toEqual({ max_tokens: maxTokens, thinking: { type: 'enabled', budget_tokens: budget } })
    })

    it('raises max_tokens above the budget when it is not already', () => {
      expect(thinkingOf({ reasoning: { effort: 'low' }, max_tokens: 1_000 })).toEqual({ max_tokens: 2_024, thinking: { type: 'enabled', budget_tokens: 1_024 } })
      // An explicit budget past the endpoint's limit is cut to fit under it.
      expect(thinkingOf({ reasoning: { max_tokens: 100_000 } })).toEqual({ max_tokens: 64_000, thinking: { type: 'enabled', budget_tokens: 63_999 } })
    })

    it.each([
      ['exclude alone (nothing asked, nothing shown)', { reasoning: { exclude: true } }],
      ['include_reasoning false alone', { include_reasoning: false }],
      ['effort none', { reasoning: { effort: 'none' } }],
      ['reasoning_effort none', { reasoning_effort: 'none' }],
      ['enabled false', { reasoning: { enabled: false, effort: 'high' } }],
      ['a zero budget', { reasoning: { max_tokens: 0 } }],
      ['not asked', {}],
    ])('no thinking: %s', (_name, request) => {
      expect(thinkingOf(request)).toEqual({ max_tokens: 64_000, thinking: undefined })
    })

    it('no thinking on an endpoint without reasoning, or when a tool is forced', () => {
      expect(thinkingOf({ reasoning: { effort: 'high' } }, targetOf(haiku))).toEqual({ max_tokens: 8192, thinking: undefined })
      const forced = { reasoning: { effort: 'high' }, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }
      expect(thinkingOf(forced).thinking).toBeUndefined()
    })

    it('with thinking, temperature and top_k are dropped and top_p kept only from 0.95', () => {
      const body = bodyOf({ messages: hello, reasoning: { effort: 'low' }, temperature: 0.3, top_k: 40, top_p: 0.97 })
      expect(body).toMatchObject({ top_p: 0.97 })
      expect(body).not.toHaveProperty('temperature')
      expect(body).not.toHaveProperty('top_k')
      expect(bodyOf({ messages: hello, reasoning: { effort: 'low' }, top_p: 0.5 })).not.toHaveProperty('top_p')
    })

    it('reasoning_details sent back become signed thinking blocks before the tool_use (fragments joined)', () => {
      const assistant = {
        role: 'assistant',
        content: '',
        reasoning_details: [
          { type: 'reasoning.text', text: 'I should call ', format: 'anthropic-claude-v1', index: 0 },
          { type: 'reasoning.text', text: 'the tool.', format: 'anthropic-claude-v1', index: 0 },
          { type: 'reasoning.text', signature: 'sig-abc', format: 'anthropic-claude-v1', index: 0 },
          { type: 'reasoning.encrypted', data: 'redacted-xyz', format: 'anthropic-claude-v1', index: 1 },
          { type: 'reasoning.text', text: 'from gemini', signature: 'other', format: 'google-gemini-v1', index: 2 },
          { type: 'reasoning.text', text: 'unsigned', index: 3 },
        ],
        tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'f', arguments: '{}' } }],
      }
      const messages = [...hello, assistant, { role: 'tool', tool_call_id: 'toolu_9', content: 'ok' }]
      expect(bodyOf({ messages, reasoning: { effort: 'low' } }).messages).toMatchInlineSnapshot(`
        [
          {
            "content": [
              {
                "text": "Hello",
                "type": "text",
              },
            ],
            "role": "user",
          },
          {
            "content": [
              {
                "signature": "sig-abc",
                "thinking": "I should call the tool.",
                "type": "thinking",
              },
              {
                "data": "redacted-xyz",
                "type": "redacted_thinking",
              },
              {
                "id": "toolu_9",
                "input": {},
                "name": "f",
                "type": "tool_use",
              },
            ],
            "role": "assistant",
          },
          {
            "content": [
              {
                "content": "ok",
                "tool_use_id": "toolu_9",
                "type": "tool_result",
              },
            ],
            "role": "user",
          },
        ]
      `)
      // Without thinking this turn, the blocks are left out (they would be ignored anyway).
      const plain = bodyOf({ messages }).messages as { content: { type: string }[] }[]
      expect(plain[1]?.content.map((b) => b.type)).toEqual(['tool_use'])
    })
  })

  it('stop (string or array) → stop_sequences; user → metadata.user_id; stream → stream: true', () => {
    expect(bodyOf({ messages: hello, stop: 'END', user: 'user-42', stream: true })).toMatchObject({
      stop_sequences: ['END'], metadata: { user_id: 'user-42' }, stream: true,
    })
    expect(bodyOf({ messages: hello, stop: ['a', 'b'] }).stop_sequences).toEqual(['a', 'b'])
    expect(bodyOf({ messages: hello, stream: false })).not.toHaveProperty('stream')
  })

  it('drops OpenAI/OpenRouter-only and unsupported parameters; clamps temperature to Anthropic’s 0–1', () => {
    const body = bodyOf({
      messages: hello,
      models: ['anthropic/claude-sonnet-4'],
      provider: { order: ['anthropic'] },
      route: 'fallback',
      transforms: [],
      usage: { include: true },
      plugins: [{ id: 'web' }],
      stream_options: { include_usage: true },
      frequency_penalty: 0.5,
      presence_penalty: 0.5,
      seed: 7,
      logit_bias: { '42': 1 },
      logprobs: true,
      top_logprobs: 2,
      max_tokens: 500,
      temperature: 1.6,
      top_k: 5,
    })
    expect(body).toEqual({ model: 'claude-sonnet-4-20250514', max_tokens: 500, temperature: 1, top_k: 5, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }] })
    const bare = bodyOf({ messages: hello, temperature: 0.2, top_p: 0.9, stop: 'x' }, targetOf({ endpoint: { supported_parameters: ['max_tokens'] } }))
    expect(Object.keys(bare).sort()).toEqual(['max_tokens', 'messages', 'model'])
  })

  it('max_tokens above the endpoint limit is capped to it', () => {
    expect(bodyOf({ messages: hello, max_tokens: 100_000 }, targetOf(haiku)).max_tokens).toBe(8192)
  })
})

// --- fromUpstream ----------------------------------------------------------------

describe('fromUpstream', () => {
  it('message-text.json', () => {
    expect(fromUpstream(messageText)).toEqual({
      upstreamId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      systemFingerprint: null,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: 'Bonjour ! Ça va ? ☕', refusal: null, reasoning: null },
        finish_reason: 'stop',
        native_finish_reason: 'end_turn',
        logprobs: null,
      }],
      usage: { prompt_tokens: 12, completion_tokens: 11, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    })
  })

  it('message-tool-use.json: text plus two tool_calls with JSON-encoded input', () => {
    expect(fromUpstream(messageToolUse).choices).toEqual([{
      index: 0,
      message: {
        role: 'assistant',
        content: "I'll check the weather and the local time.",
        refusal: null,
        reasoning: null,
        tool_calls: [
          { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
          { id: 'toolu_01BzR7yVcXmP2nQk8sTfLw4D', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
      native_finish_reason: 'tool_use',
      logprobs: null,
    }])
  })

  it('message-thinking.json: reasoning text plus signed and redacted reasoning_details', () => {
    const thinking = messageThinking.content[0]!
    expect(fromUpstream(messageThinking).choices[0]?.message).toEqual({
      role: 'assistant',
      content: '27 × 453 = 12,231.',
      refusal: null,
      reasoning: thinking.thinking,
      reasoning_details: [
        { type: 'reasoning.text', text: thinking.thinking, signature: thinking.signature, format: 'anthropic-claude-v1', index: 0 },
        { type: 'reasoning.encrypted', data: messageThinking.content[1]!.data, format: 'anthropic-claude-v1', index: 1 },
      ],
    })
  })

  it('message-thinking.json: reasoning_tokens is output_tokens less the visible text (Anthropic reports no split)', () => {
    // 312 output tokens; the answer "27 × 453 = 12,231." is 18 characters, about 5 tokens.
    expect(fromUpstream(messageThinking).usage).toMatchObject({ completion_tokens: 312, reasoning_tokens: 307 })
  })

  describe('reasoningTokensOf', () => {
    it.each([
      ['no thinking: 0', 500, { thinking: false, thinkingChars: 0, visibleChars: 40 }, 0],
      ['summarized thinking: the rest of the output after the visible text', 1_000, { thinking: true, thinkingChars: 400, visibleChars: 400 }, 900],
      ['redacted thinking (no text) still counts', 300, { thinking: true, thinkingChars: 0, visibleChars: 80 }, 280],
      ['visible estimate overshoots: the thinking text estimate, capped at the output', 10, { thinking: true, thinkingChars: 20, visibleChars: 400 }, 5],
      ['never more than the output', 3, { thinking: true, thinkingChars: 4_000, visibleChars: 400 }, 3],
      ['no output: 0', 0, { thinking: true, thinkingChars: 40, visibleChars: 0 }, 0],
    ])('%s', (_name, output, seen, expected) => {
      expect(reasoningTokensOf(output, seen)).toBe(expected)
    })
  })

  it('message-cache-usage.json: prompt_tokens counts cache reads and writes; max_tokens → length', () => {
    const out = fromUpstream(messageCache)
    expect(out.usage).toEqual({ prompt_tokens: 21 + 248 + 1800, completion_tokens: 24, cached_tokens: 1800, cache_write_tokens: 248, reasoning_tokens: 0 })
    expect(out.choices[0]).toMatchObject({ finish_reason: 'length', native_finish_reason: 'max_tokens' })
  })

  it('keeps unknown block types out of the message, and joins text blocks', () => {
    const out = fromUpstream({
      ...messageText,
      content: [{ type: 'text', text: 'A' }, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }, { type: 'text', text: 'B' }],
    })
    expect(out.choices[0]?.message).toEqual({ role: 'assistant', content: 'AB', refusal: null, reasoning: null })
  })

  it('a body that is not a message is an UpstreamShapeError', () => {
    expect(() => fromUpstream(error529)).toThrow(UpstreamShapeError)
    expect(() => fromUpstream('<html>')).toThrow(UpstreamShapeError)
  })
})

describe('mapFinishReason', () => {
  it.each([
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['pause_turn', 'stop'], ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'], ['refusal', 'content_filter'], [null, null], ['something_new', 'stop'],
  ])('%s → %s', (raw, expected) => {
    expect(mapFinishReason(raw)).toBe(expected)
  })
})

// --- stream reducer ----------------------------------------------------------------

type Step = EventResult<AnthropicStreamState>

/** Parse raw SSE bytes with the real parser (in awkward pieces), then fold the events through the reducer. */
const run = async (text: string, sizes = [7, 64]) => {
  const events = await drain(parseEvents(chunkedStream(bytesOf(text), sizes)))
  const steps: Step[] = []
  let state = initialState()
  for (const event of events) {
    const step = fromUpstreamEvent(event, state)
    steps.push(step)
    state = step.state
  }
  return { events, steps }
}

const chunksOf = (steps: Step[]): CanonicalChunk[] => steps.flatMap((s) => (s.kind === 'error' ? [] : s.chunks))
const deltasOf = (steps: Step[]) => chunksOf(steps).flatMap((c) => c.choices.map((ch) => ch.delta))
const choice = (delta: object, finish: string | null = null, native: string | null = null) =>
  ({ index: 0, delta, finish_reason: finish, native_finish_reason: native, logprobs: null })

describe('fromUpstreamEvent over stream-text.chunks.txt', () => {
  it('role chunk, content deltas, finish chunk, usage-only chunk, then done', async () => {
    const { events, steps } = await run(streamText)
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_delta',
      'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ])
    expect(steps.map((s) => s.kind)).toEqual([...Array(9).fill('chunks'), 'done'])
    expect(chunksOf(steps)).toEqual([
      { upstreamId: 'msg_01StreamTextBonjour00', choices: [choice({ role: 'assistant', content: '' })] },
      ...['Bonjour', ' ! Ça', ' va ?', ' ☕'].map((content) => ({ choices: [choice({ content })] })),
      { choices: [choice({}, 'stop', 'end_turn')] },
      { choices: [], usage: { prompt_tokens: 25, completion_tokens: 15, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 } },
    ])
  })

  it('gives the same events however the bytes are split', async () => {
    const whole = await run(streamText, [1 << 20])
    for (const sizes of [[1], [2, 3], [13, 1, 64]]) expect((await run(streamText, sizes)).events).toEqual(whole.events)
  })
})

describe('fromUpstreamEvent over stream-tool-use.chunks.txt', () => {
  it('tool_use start → first tool delta (index, id, type, name); input_json_delta → argument fragments', async () => {
    const { steps } = await run(streamToolUse)
    expect(steps.at(-1)?.kind).toBe('done')
    const deltas = deltasOf(steps)
    const tools = deltas.filter((d) => d.tool_calls)
    expect(tools[0]).toEqual({ tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] })
    // The empty first partial_json sends nothing; the five others are fragments only.
    expect(tools.slice(1)).toHaveLength(5)
    for (const t of tools.slice(1)) expect(Object.keys(t.tool_calls![0]!).sort()).toEqual(['function', 'index'])
    const args = tools.map((t) => t.tool_calls![0]!.function!.arguments).join('')
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' })
    expect(deltas.map((d) => d.content ?? '').join('')).toBe("Okay, let's check the weather for San Francisco, CA:")
    expect(chunksOf(steps).at(-2)?.choices).toEqual([choice({}, 'tool_calls', 'tool_use')])
    expect(chunksOf(steps).at(-1)?.usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 })
  })

  it('a second tool gets index 1, and a tool with no streamed input gets "{}" at its block stop', async () => {
    const ev = (data: object): SseEvent => ({ data: JSON.stringify(data) })
    let state = initialState()
    const step = (data: object) => {
      const r = fromUpstreamEvent(ev(data), state)
      state = r.state
      return r.kind === 'error' ? [] : r.chunks.flatMap((c) => c.choices.map((ch) => ch.delta))
    }
    step({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't0', name: 'a', input: {} } })
    step({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } })
    expect(step({ type: 'content_block_stop', index: 0 })).toEqual([])
    expect(step({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't1', name: 'b', input: {} } }))
      .toEqual([{ tool_calls: [{ index: 1, id: 't1', type: 'function', function: { name: 'b', arguments: '' } }] }])
    expect(step({ type: 'content_block_stop', index: 1 })).toEqual([{ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }])
  })
})

describe('fromUpstreamEvent over stream-thinking.chunks.txt', () => {
  it('thinking_delta → reasoning (+ detail), signature_delta → signed detail, cache reads in usage', async () => {
    const { steps } = await run(streamThinking)
    const deltas = deltasOf(steps)
    expect(deltas.slice(1, 4)).toEqual([
      {
        reasoning: 'Let me solve this step by step:\n\n1. First break down 27 * 453',
        reasoning_details: [{ type: 'reasoning.text', text: 'Let me solve this step by step:\n\n1. First break down 27 * 453', format: 'anthropic-claude-v1', index: 0 }],
      },
      { reasoning: '\n2. 453 = 400 + 50 + 3', reasoning_details: [{ type: 'reasoning.text', text: '\n2. 453 = 400 + 50 + 3', format: 'anthropic-claude-v1', index: 0 }] },
      { reasoning_details: [{ type: 'reasoning.text', signature: expect.stringMatching(/^EqQBCgIYAhIM/), format: 'anthropic-claude-v1', index: 0 }] },
    ])
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('27 * 453 = 12,231')
    // Thinking is output_tokens less the visible text's estimate: 312 − ⌈17 / 4⌉.
    expect(chunksOf(steps).at(-1)?.usage).toEqual({ prompt_tokens: 46 + 2048, completion_tokens: 312, cached_tokens: 2048, cache_write_tokens: 0, reasoning_tokens: 307 })
  })
})

describe('fromUpstreamEvent over stream-error.chunks.txt', () => {
  it('yields the text before it, then an error with the status of its type (overloaded → 529)', async () => {
    const { steps } = await run(streamError)
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'chunks', 'chunks', 'chunks', 'error'])
    expect(steps.at(-1)).toMatchObject({
      kind: 'error',
      error: { status: 529, message: 'Overloaded', code: 'overloaded_error', raw: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
    })
  })

  it.each([
    ['rate_limit_error', 429], ['api_error', 500], ['invalid_request_error', 400], ['authentication_error', 401],
    ['permission_error', 403], ['not_found_error', 404], ['request_too_large', 413], ['mystery_error', 502],
  ])('%s → %i', (type, status) => {
    const r = fromUpstreamEvent({ event: 'error', data: JSON.stringify({ type: 'error', error: { type, message: 'm' } }) }, initialState())
    expect(r.kind === 'error' && r.error.status).toBe(status)
  })
})

describe('fromUpstreamEvent edge cases', () => {
  it('skips unknown event types, and does not change the state it was given', () => {
    const state = initialState()
    expect(fromUpstreamEvent({ event: 'future_event', data: '{"type":"future_event"}' }, state)).toEqual({ kind: 'chunks', chunks: [], state })
    fromUpstreamEvent({ data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' }, state)
    expect(state).toEqual(initialState())
  })

  it('malformed JSON and a known event with the wrong shape are 502 errors', () => {
    expect(fromUpstreamEvent({ data: '{"type":' }, initialState())).toMatchObject({ kind: 'error', error: { status: 502 } })
    expect(fromUpstreamEvent({ data: '{"type":"content_block_delta"}' }, initialState())).toMatchObject({ kind: 'error', error: { status: 502 } })
  })

  it('is the registered adapter for the anthropic protocol', () => {
    expect(adapterFor('anthropic')).toBe(anthropic)
    expect(anthropic.fromUpstreamEvent).toBe(fromUpstreamEvent)
  })
})

describe('through translateStream (the public SSE the client sees)', () => {
  const translate = async (text: string) => {
    let ended: StreamEnd | undefined
    const zero: Cost = { total: micro(0), prompt: micro(0), completion: micro(0) }
    const out = translateStream({
      events: parseEvents(chunkedStream(bytesOf(text), [5, 31])),
      adapter: anthropic,
      encoder: chatStreamEncoder({ id: 'gen-1-abc', created: 1, model: 'anthropic/claude-3.5-haiku', provider: 'Anthropic' }),
      keepaliveMs: 60_000,
      price: (end) => ({ usage: end.reportedUsage ?? { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }, cost: zero }),
      onEnd: (end) => (ended = end),
      now: () => 0,
    })
    const body = new TextDecoder().decode(new Uint8Array(await new Response(out).arrayBuffer()))
    const data = body.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => b.slice(6))
    return { ended: ended!, data, events: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>) }
  }

  it('a text stream ends with finish stop/end_turn, one usage chunk and [DONE]', async () => {
    const { ended, data, events } = await translate(streamText)
    expect(data.at(-1)).toBe('[DONE]')
    expect(events.map((e) => e.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour ! Ça va ? ☕')
    expect(events.at(-2)?.choices).toEqual([choice({}, 'stop', 'end_turn')])
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 25, completion_tokens: 15 } })
    expect(ended).toMatchObject({ outcome: 'completed', finish: 'stop', nativeFinish: 'end_turn', upstreamId: 'msg_01StreamTextBonjour00' })
  })

  it('an error event becomes the terminal error chunk', async () => {
    const { ended, events } = await translate(streamError)
    // The public message for 5xx is translate.ts's business; the code is the upstream's status.
    expect(events.find((e) => e.error)).toMatchObject({ error: { code: 529 }, choices: [{ finish_reason: 'error' }] })
    expect(events.map((e) => e.choices[0]?.delta.content ?? '').join('')).toBe('Hello there')
    expect(ended).toMatchObject({ outcome: 'error', error: { status: 529, message: 'Overloaded', code: 'overloaded_error' } })
  })
})

// --- parseError ----------------------------------------------------------------

describe('parseError', () => {
  it('529 overloaded: message and type from the body', () => {
    expect(parseError(529, JSON.stringify(error529), new Headers())).toEqual({ status: 529, message: 'Overloaded', code: 'overloaded_error', raw: error529 })
  })

  it('429 rate limit carries Retry-After', () => {
    expect(parseError(429, JSON.stringify(error429), new Headers({ 'retry-after': '17' }))).toEqual({
      status: 429, message: error429.error.message, code: 'rate_limit_error', raw: error429, retryAfter: 17,
    })
  })

  it('400 invalid request', () => {
    expect(parseError(400, JSON.stringify(error400), new Headers())).toMatchObject({ status: 400, code: 'invalid_request_error', message: expect.stringContaining('max_tokens: 100000 > 8192') })
  })

  it('a non-JSON body keeps its text as raw and gets a generic message', () => {
    expect(parseError(502, '<html>Bad Gateway</html>', new Headers())).toEqual({ status: 502, message: 'Upstream returned HTTP 502', raw: '<html>Bad Gateway</html>' })
  })
})
