// The gemini adapter against documented Gemini wire payloads: outgoing requests as
// inline snapshots, fixtures → canonical shapes, SSE fixtures (no [DONE]) fed
// through the real parser in awkward pieces, errors and retry hints.
import { describe, expect, it } from 'vitest'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import {
  fromUpstream, fromUpstreamEvent, gemini, mapFinishReason, parseError, toUpstream, type GeminiStreamState,
} from '../../../src/providers/gemini.ts'
import { toGeminiSchema } from '../../../src/providers/gemini-schema.ts'
import { UpstreamShapeError } from '../../../src/providers/openai.ts'
import type { CanonicalChunk, EventResult, Target } from '../../../src/providers/types.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'
import { parseEvents } from '../../../src/streaming/sse.ts'
import error400 from '../../fixtures/gemini/error-400.json'
import error429 from '../../fixtures/gemini/error-429.json'
import error503 from '../../fixtures/gemini/error-503.json'
import generateFunctionCall from '../../fixtures/gemini/generate-function-call.json'
import generatePromptBlocked from '../../fixtures/gemini/generate-prompt-blocked.json'
import generateSafety from '../../fixtures/gemini/generate-safety.json'
import generateText from '../../fixtures/gemini/generate-text.json'
import generateThinking from '../../fixtures/gemini/generate-thinking.json'
import streamError from '../../fixtures/gemini/stream-error.chunks.txt?raw'
import streamFunctionCall from '../../fixtures/gemini/stream-function-call.chunks.txt?raw'
import streamText from '../../fixtures/gemini/stream-text.chunks.txt?raw'
import streamThinking from '../../fixtures/gemini/stream-thinking.chunks.txt?raw'
import { bytesOf, chunkedStream, drain, splitStream } from '../_helpers/streams.ts'

// --- targets -----------------------------------------------------------------

const GEMINI_PARAMS = [
  'max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'response_format', 'structured_outputs', 'tools', 'tool_choice',
  'reasoning', 'include_reasoning',
]

const endpointOf = (over: Partial<Endpoint> = {}): Endpoint => ({
  provider: 'google',
  upstream_id: 'gemini-2.5-flash',
  pricing: { prompt: 300_000, completion: 2_500_000, cache_read: 30_000 },
  context_length: 1_048_576,
  max_output: 65_535,
  quantization: 'unknown',
  regions: ['us'],
  capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: true },
  supported_parameters: GEMINI_PARAMS,
  ...over,
})

const provider: Provider = {
  id: 'google',
  name: 'Google AI Studio',
  protocol: 'gemini',
  base_url: 'https://generativelanguage.googleapis.com/v1beta',
  requires_key: true,
  data_policy: { training: false, retains_prompts: true, zdr: false },
}

const modelOf = (over: Partial<Model> = {}): Model => ({
  id: 'google/gemini-2.5-flash',
  name: 'Google: Gemini 2.5 Flash',
  created: 1_750_118_400,
  description: 'test model',
  input_modalities: ['text', 'image'],
  output_modalities: ['text'],
  tokenizer: 'Gemini',
  reasoning: { mandatory: false },
  endpoints: [endpointOf()],
  ...over,
})

const targetOf = (over: { endpoint?: Partial<Endpoint>; model?: Partial<Model>; apiKey?: string | undefined; baseUrl?: string } = {}): Target => ({
  model: modelOf(over.model),
  endpoint: endpointOf(over.endpoint),
  provider,
  baseUrl: over.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta/',
  apiKey: 'apiKey' in over ? over.apiKey : 'goog-unit',
})

/** A target that does not think (gemini-2.0-flash): no thinkingConfig, so bodies stay small. */
const plain = targetOf({
  endpoint: { upstream_id: 'gemini-2.0-flash-001', capabilities: { tools: true, tool_choice: true, json_schema: true, images: true, reasoning: false } },
})

/** Parse like the route does (defaults applied), translate, and decode the body for snapshots. */
const outgoing = (request: Record<string, unknown>, target: Target = plain) => {
  const up = toUpstream(ChatRequest.parse({ model: 'google/gemini-2.5-flash', ...request }), target)
  return { url: up.url, headers: up.headers, body: JSON.parse(up.body) as Record<string, any> }
}

const hello = [{ role: 'user', content: 'Hello' }]

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and country' },
        unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit', null] },
        email: { type: 'string', format: 'email' },
        when: { type: 'string', format: 'date-time' },
        days: { anyOf: [{ type: 'integer', minimum: 1, maximum: 7 }, { type: 'null' }] },
        place: { $ref: '#/$defs/Place' },
        tags: { type: 'array', items: { type: 'string', const: 'x' } },
      },
      required: ['location', 'ghost'],
      additionalProperties: false,
      $defs: { Place: { type: 'object', properties: { lat: { type: 'number' } }, additionalProperties: false } },
    },
    strict: true,
  },
}
const noArgsTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }

// --- toUpstream ----------------------------------------------------------------

describe('toUpstream', () => {
  it('plain text: generateContent URL without a double slash, x-goog-api-key, user turn, thoughts on by default', () => {
    expect(outgoing({ messages: hello, temperature: 0.2 }, targetOf())).toMatchInlineSnapshot(`
      {
        "body": {
          "contents": [
            {
              "parts": [
                {
                  "text": "Hello",
                },
              ],
              "role": "user",
            },
          ],
          "generationConfig": {
            "temperature": 0.2,
            "thinkingConfig": {
              "includeThoughts": true,
            },
          },
        },
        "headers": {
          "content-type": "application/json",
          "x-goog-api-key": "goog-unit",
        },
        "url": "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
      }
    `)
  })

  it('streaming uses streamGenerateContent?alt=sse; no key means no key header', () => {
    const up = outgoing({ messages: hello, stream: true }, targetOf({ apiKey: undefined, baseUrl: 'https://gemini.test/v1beta' }))
    expect(up.url).toBe('https://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(up.headers).toEqual({ 'content-type': 'application/json' })
    expect(up.body).not.toHaveProperty('stream')
  })

  it('system and developer messages become systemInstruction; roles user/model; names prefixed; same-role turns merged', () => {
    expect(
      outgoing({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
          { role: 'user', content: 'Hi', name: 'alice' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'How are you?' },
          { role: 'user', content: [{ type: 'text', text: 'And the weather?' }] },
          { role: 'assistant', content: '' },
        ],
      }).body,
    ).toMatchInlineSnapshot(`
      {
        "contents": [
          {
            "parts": [
              {
                "text": "alice: Hi",
              },
            ],
            "role": "user",
          },
          {
            "parts": [
              {
                "text": "Hello.",
              },
            ],
            "role": "model",
          },
          {
            "parts": [
              {
                "text": "How are you?",
              },
              {
                "text": "And the weather?",
              },
            ],
            "role": "user",
          },
        ],
        "systemInstruction": {
          "parts": [
            {
              "text": "You are terse.",
            },
            {
              "text": "Answer in French.",
            },
          ],
        },
      }
    `)
  })

  it('images: data: URLs → inlineData, http(s) URLs → fileData with a guessed mimeType; audio and PDF files too', () => {
    expect(
      outgoing({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
              { type: 'image_url', image_url: { url: 'https://example.com/photo' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'mp3' } },
              { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
              { type: 'image_url', image_url: { url: 'ftp://example.com/x.png' } },
            ],
          },
        ],
      }).body.contents,
    ).toMatchInlineSnapshot(`
      [
        {
          "parts": [
            {
              "text": "What is in these?",
            },
            {
              "inlineData": {
                "data": "iVBORw0KGgo=",
                "mimeType": "image/png",
              },
            },
            {
              "fileData": {
                "fileUri": "https://example.com/cat.webp?size=large",
                "mimeType": "image/webp",
              },
            },
            {
              "fileData": {
                "fileUri": "https://example.com/photo",
                "mimeType": "image/jpeg",
              },
            },
            {
              "inlineData": {
                "data": "UklGRg==",
                "mimeType": "audio/mp3",
              },
            },
            {
              "inlineData": {
                "data": "JVBERi0=",
                "mimeType": "application/pdf",
              },
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  it('tools → functionDeclarations with the schema reduced to what Gemini accepts', () => {
    expect(outgoing({ messages: hello, tools: [weatherTool, noArgsTool] }).body.tools).toMatchInlineSnapshot(`
      [
        {
          "functionDeclarations": [
            {
              "description": "Current weather",
              "name": "get_weather",
              "parameters": {
                "properties": {
                  "days": {
                    "maximum": 7,
                    "minimum": 1,
                    "nullable": true,
                    "type": "integer",
                  },
                  "email": {
                    "type": "string",
                  },
                  "location": {
                    "description": "City and country",
                    "type": "string",
                  },
                  "place": {
                    "properties": {
                      "lat": {
                        "type": "number",
                      },
                    },
                    "type": "object",
                  },
                  "tags": {
                    "items": {
                      "enum": [
                        "x",
                      ],
                      "type": "string",
                    },
                    "type": "array",
                  },
                  "unit": {
                    "enum": [
                      "celsius",
                      "fahrenheit",
                    ],
                    "nullable": true,
                    "type": "string",
                  },
                  "when": {
                    "format": "date-time",
                    "type": "string",
                  },
                },
                "required": [
                  "location",
                ],
                "type": "object",
              },
            },
            {
              "name": "get_time",
            },
          ],
        },
      ]
    `)
  })

  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'function', function: { name: 'get_weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
  ] as const)('tool_choice %j → toolConfig %j', (tool_choice, toolConfig) => {
    expect(outgoing({ messages: hello, tools: [weatherTool], tool_choice }).body.toolConfig).toEqual(toolConfig)
  })

  it('no toolConfig without tool_choice, and neither without tools', () => {
    expect(outgoing({ messages: hello, tools: [weatherTool] }).body).not.toHaveProperty('toolConfig')
    expect(outgoing({ messages: hello, tool_choice: 'required' }).body).not.toHaveProperty('toolConfig')
  })

  it('tool results: functionCall parts, then functionResponse parts in one user turn, named from the earlier call', () => {
    expect(
      outgoing({
        messages: [
          { role: 'user', content: 'Weather in Paris and London?' },
          {
            role: 'assistant',
            content: 'Checking.',
            reasoning: 'I should call the tool twice.',
            tool_calls: [
              { id: 'toolu_a', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'toolu_b', function: { name: 'get_weather', arguments: 'not json' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_a', content: '{"temp_c":21}' },
          { role: 'tool', tool_call_id: 'toolu_b', content: [{ type: 'text', text: 'Rainy, 14 °C' }] },
          { role: 'tool', tool_call_id: 'unknown', name: 'get_time', content: '[1,2]' },
          { role: 'tool', tool_call_id: 'call_3_get_date', content: '' },
        ],
      }).body.contents,
    ).toMatchInlineSnapshot(`
      [
        {
          "parts": [
            {
              "text": "Weather in Paris and London?",
            },
          ],
          "role": "user",
        },
        {
          "parts": [
            {
              "text": "Checking.",
            },
            {
              "functionCall": {
                "args": {
                  "location": "Paris",
                },
                "name": "get_weather",
              },
            },
            {
              "functionCall": {
                "args": {},
                "name": "get_weather",
              },
            },
          ],
          "role": "model",
        },
        {
          "parts": [
            {
              "functionResponse": {
                "name": "get_weather",
                "response": {
                  "temp_c": 21,
                },
              },
            },
            {
              "functionResponse": {
                "name": "get_weather",
                "response": {
                  "content": "Rainy, 14 °C",
                },
              },
            },
            {
              "functionResponse": {
                "name": "get_time",
                "response": {
                  "content": "[1,2]",
                },
              },
            },
            {
              "functionResponse": {
                "name": "get_date",
                "response": {
                  "content": "",
                },
              },
            },
          ],
          "role": "user",
        },
      ]
    `)
  })

  it('Gemini 3: replays a google-gemini-v1 signature by call id; otherwise sends the documented bypass on the first call', () => {
    const target = targetOf({ endpoint: { upstream_id: 'gemini-3-pro-preview' } })
    const call = (id: string) => ({ id, function: { name: 'get_weather', arguments: '{}' } })
    const contents = outgoing({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [call('c1')],
          reasoning_details: [
            { type: 'reasoning.encrypted', data: 'SIG-C1', id: 'c1', format: 'google-gemini-v1' },
            { type: 'reasoning.encrypted', data: 'ANTHROPIC', id: 'c1', format: 'anthropic-claude-v1' },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'assistant', content: null, tool_calls: [call('c2'), call('c3')] },
      ],
    }, target).body.contents as any[]
    expect(contents[1].parts).toEqual([{ functionCall: { name: 'get_weather', args: {} }, thoughtSignature: 'SIG-C1' }])
    expect(contents[3].parts).toEqual([
      { functionCall: { name: 'get_weather', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { name: 'get_weather', args: {} } },
    ])
    // Gemini 2.5 does not validate signatures: nothing is invented for it.
    const flash = outgoing({ messages: [{ role: 'assistant', content: null, tool_calls: [call('c9')] }] }, targetOf()).body.contents as any[]
    expect(flash[0].parts).toEqual([{ functionCall: { name: 'get_weather', args: {} } }])
  })

  it('response_format json_object → responseMimeType; json_schema → + converted responseSchema', () => {
    expect(outgoing({ messages: hello, response_format: { type: 'json_object' } }).body.generationConfig).toEqual({
      responseMimeType: 'application/json',
    })
    const response_format = {
      type: 'json_schema',
      json_schema: {
        name: 'city',
        strict: true,
        schema: { type: 'object', properties: { name: { type: 'string' }, pop: { type: 'integer' } }, required: ['name'], additionalProperties: false },
      },
    }
    expect(outgoing({ messages: hello, response_format }).body.generationConfig).toMatchInlineSnapshot(`
      {
        "responseMimeType": "application/json",
        "responseSchema": {
          "properties": {
            "name": {
              "type": "string",
            },
            "pop": {
              "type": "integer",
            },
          },
          "required": [
            "name",
          ],
          "type": "object",
        },
      }
    `)
  })

  it('sampling, length and stop parameters land in generationConfig', () => {
    expect(
      outgoing({ messages: hello, temperature: 0.7, top_p: 0.9, max_completion_tokens: 300, max_tokens: 999, seed: 7, stop: 'END' }).body.generationConfig,
    ).toEqual({ temperature: 0.7, topP: 0.9, maxOutputTokens: 300, seed: 7, stopSequences: ['END'] })
    expect(outgoing({ messages: hello, stop: ['a', 'b'] }).body.generationConfig).toEqual({ stopSequences: ['a', 'b'] })
    expect(outgoing({ messages: hello, stop: [] }).body).not.toHaveProperty('generationConfig')
  })

  it('drops parameters the endpoint does not list, and never sends OpenRouter-only fields', () => {
    const target = targetOf({ endpoint: { supported_parameters: ['temperature'], capabilities: { tools: false, tool_choice: false, json_schema: false, images: true, reasoning: false } } })
    expect(
      outgoing(
        {
          messages: hello,
          temperature: 1,
          top_p: 0.5,
          top_k: 40,
          max_tokens: 10,
          seed: 1,
          stop: 'x',
          frequency_penalty: 0.5,
          presence_penalty: 0.5,
          logit_bias: { '1': 2 },
          logprobs: true,
          response_format: { type: 'json_object' },
          tools: [weatherTool],
          tool_choice: 'auto',
          parallel_tool_calls: false,
          reasoning: { effort: 'high' },
          models: ['google/gemini-2.5-pro'],
          provider: { order: ['google'] },
          plugins: [{ id: 'web' }],
          usage: { include: true },
          transforms: ['middle-out'],
          session_id: 's1',
          user: 'u1',
          metadata: { a: 'b' },
          fake: { status: 500 },
        },
        target,
      ).body,
    ).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }], generationConfig: { temperature: 1 } })
  })
})

describe('toUpstream reasoning → thinkingConfig (effort ratios against the output limit)', () => {
  const thinking = (request: Record<string, unknown>, target = targetOf()) =>
    outgoing({ messages: hello, ...request }, target).body.generationConfig?.thinkingConfig

  it.each([
    ['high with max_tokens 10000 → 0.8', { reasoning: { effort: 'high' }, max_tokens: 10_000 }, { thinkingBudget: 8000, includeThoughts: true }],
    ['medium → 0.5', { reasoning_effort: 'medium', max_tokens: 10_000 }, { thinkingBudget: 5000, includeThoughts: true }],
    ['low → 0.2', { reasoning: { effort: 'low' }, max_tokens: 10_000 }, { thinkingBudget: 2000, includeThoughts: true }],
    ['minimal → 0.1, raised to the 1024 floor', { reasoning: { effort: 'minimal' }, max_tokens: 10_000 }, { thinkingBudget: 1024, includeThoughts: true }],
    ['xhigh without max_tokens: 0.95 × max_output, capped at 24576', { reasoning: { effort: 'xhigh' } }, { thinkingBudget: 24_576, includeThoughts: true }],
    ['enabled alone means medium', { reasoning: { enabled: true }, max_tokens: 4000 }, { thinkingBudget: 2000, includeThoughts: true }],
    ['max_tokens used as given', { reasoning: { max_tokens: 3000 } }, { thinkingBudget: 3000, includeThoughts: true }],
    ['max_tokens below the floor', { reasoning: { max_tokens: 100 } }, { thinkingBudget: 1024, includeThoughts: true }],
    ['exclude: thinks, returns no thoughts', { reasoning: { effort: 'low', exclude: true }, max_tokens: 10_000 }, { thinkingBudget: 2000, includeThoughts: false }],
    ['legacy include_reasoning false', { include_reasoning: false }, { includeThoughts: false }],
    ['none → budget 0 when the model allows it', { reasoning: { effort: 'none' } }, { thinkingBudget: 0, includeThoughts: false }],
    ['enabled false → budget 0', { reasoning: { enabled: false } }, { thinkingBudget: 0, includeThoughts: false }],
    ['nothing asked: model default budget, thoughts returned', {}, { includeThoughts: true }],
  ] as const)('%s', (_, request, expected) => {
    expect(thinking(request)).toEqual(expected)
  })

  it('none on a model that must think sends no budget (it cannot be turned off)', () => {
    expect(thinking({ reasoning: { effort: 'none' } }, targetOf({ model: { reasoning: { mandatory: true } } }))).toEqual({ includeThoughts: false })
  })

  it('no thinkingConfig for an endpoint that does not reason or does not list the parameter', () => {
    expect(thinking({ reasoning: { effort: 'high' } }, plain)).toBeUndefined()
    expect(thinking({ reasoning: { effort: 'high' } }, targetOf({ endpoint: { supported_parameters: ['temperature'] } }))).toBeUndefined()
  })
})

describe('toGeminiSchema', () => {
  it('keeps real unions as anyOf, splits multi-type arrays, drops non-string enums, and drops a $ref where it recurs', () => {
    const node = { $ref: '#/definitions/Node' }
    expect(
      toGeminiSchema({
        type: 'object',
        properties: {
          id: { oneOf: [{ type: 'string' }, { type: 'integer', format: 'int64' }] },
          size: { type: ['number', 'string'], exclusiveMinimum: 0 },
          tree: node,
          level: { type: 'integer', enum: [1, 2, 3] },
        },
        definitions: { Node: { type: 'object', properties: { child: node, label: { type: 'string' } } } },
      }),
    ).toMatchInlineSnapshot(`
      {
        "properties": {
          "id": {
            "anyOf": [
              {
                "type": "string",
              },
              {
                "format": "int64",
                "type": "integer",
              },
            ],
          },
          "level": {
            "type": "integer",
          },
          "size": {
            "anyOf": [
              {
                "type": "number",
              },
              {
                "type": "string",
              },
            ],
          },
          "tree": {
            "properties": {
              "label": {
                "type": "string",
              },
            },
            "type": "object",
          },
        },
        "type": "object",
      }
    `)
  })

  it('is undefined for anything but a schema object', () => {
    expect(toGeminiSchema(undefined)).toBeUndefined()
    expect(toGeminiSchema([{ type: 'string' }])).toBeUndefined()
    expect(toGeminiSchema({ $ref: '#/$defs/Missing' })).toBeUndefined()
  })
})

// --- fromUpstream ----------------------------------------------------------------

describe('fromUpstream', () => {
  it('generate-text.json: text, cached tokens, thoughts counted as completion and reasoning tokens', () => {
    expect(fromUpstream(generateText)).toEqual({
      upstreamId: 'hHmJaM2aKfyz1MkP8qu5sQo',
      systemFingerprint: null,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null, reasoning: null },
        finish_reason: 'stop',
        native_finish_reason: 'STOP',
        logprobs: null,
      }],
      usage: { prompt_tokens: 2310, completion_tokens: 102, cached_tokens: 2048, cache_write_tokens: 0, reasoning_tokens: 94 },
    })
  })

  it('generate-function-call.json: both calls with generated ids, null content, STOP → tool_calls', () => {
    expect(fromUpstream(generateFunctionCall)).toEqual({
      upstreamId: 'kXmJaO7cB8uK1MkPyoXJ0Qc',
      systemFingerprint: null,
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          reasoning: null,
          tool_calls: [
            { id: 'call_0_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' } },
            { id: 'call_1_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"location":"London, UK","unit":"celsius"}' } },
          ],
        },
        finish_reason: 'tool_calls',
        native_finish_reason: 'STOP',
        logprobs: null,
      }],
      usage: { prompt_tokens: 96, completion_tokens: 115, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 77 },
    })
  })

  it('generate-thinking.json: thought parts become reasoning, apart from the content', () => {
    const out = fromUpstream(generateThinking)
    expect(out.choices[0]?.message).toEqual({
      role: 'assistant',
      content: 'There are 8 primes below 20: 2, 3, 5, 7, 11, 13, 17 and 19.',
      refusal: null,
      reasoning: '**Counting the primes**\n\nI list the numbers below 20 and keep those with no divisor other than 1 and themselves.\n',
    })
    expect(out.usage).toEqual({ prompt_tokens: 11, completion_tokens: 442, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 411 })
  })

  it('generate-safety.json: a candidate with no content → content_filter, empty content', () => {
    expect(fromUpstream(generateSafety)).toEqual({
      upstreamId: 'snmJaJjUE7ak1MkPnrWQ4As',
      systemFingerprint: null,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: '', refusal: null, reasoning: null },
        finish_reason: 'content_filter',
        native_finish_reason: 'SAFETY',
        logprobs: null,
      }],
      usage: { prompt_tokens: 14, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    })
  })

  it('generate-prompt-blocked.json: no candidates, blockReason → content_filter with the reason as native', () => {
    expect(fromUpstream(generatePromptBlocked)).toEqual({
      upstreamId: 'wHmJaKqVC4ez1MkPgbm0-Q0',
      systemFingerprint: null,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: '', refusal: null, reasoning: null },
        finish_reason: 'content_filter',
        native_finish_reason: 'PROHIBITED_CONTENT',
        logprobs: null,
      }],
      usage: { prompt_tokens: 17, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    })
  })

  it('MALFORMED_FUNCTION_CALL is an error finish; no usageMetadata is usage null', () => {
    const out = fromUpstream({ candidates: [{ content: { parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL' }] })
    expect(out.choices[0]).toMatchObject({ finish_reason: 'error', native_finish_reason: 'MALFORMED_FUNCTION_CALL', message: { content: '' } })
    expect(out.usage).toBeNull()
  })

  it('a body with neither candidates nor a block reason is an UpstreamShapeError', () => {
    expect(() => fromUpstream({ usageMetadata: { promptTokenCount: 3 } })).toThrow(UpstreamShapeError)
    expect(() => fromUpstream({ candidates: 'nope' })).toThrow(UpstreamShapeError)
    expect(() => fromUpstream('<html>')).toThrow(UpstreamShapeError)
  })
})

describe('mapFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['UNEXPECTED_TOOL_CALL', false, 'error'],
    ['LANGUAGE', false, 'stop'],
    ['OTHER', true, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
    [null, false, null],
    ['', false, null],
  ] as const)('%s (tool calls: %s) → %s', (raw, tools, expected) => {
    expect(mapFinishReason(raw, tools)).toBe(expected)
  })
})

// --- fromUpstreamEvent over SSE fixtures ------------------------------------------

type Step = EventResult<GeminiStreamState>

/** Parse raw SSE bytes with the real parser, then run every event through the adapter, threading state. */
const translate = async (body: ReadableStream<Uint8Array>) => {
  const events = await drain(parseEvents(body))
  let state = gemini.initialState()
  const steps: Step[] = []
  for (const event of events) {
    const step = fromUpstreamEvent(event, state)
    steps.push(step)
    state = step.state
  }
  return { events, steps }
}

const chunksOf = (steps: Step[]): CanonicalChunk[] => steps.flatMap((s) => (s.kind === 'error' ? [] : s.chunks))
const deltas = (steps: Step[]) => chunksOf(steps).flatMap((c) => c.choices.map((ch) => ch.delta))

const finalUsage = { prompt_tokens: 9, completion_tokens: 43, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 31 }
const choice = (delta: object, finish: string | null = null, native: string | null = null) =>
  ({ index: 0, delta, finish_reason: finish, native_finish_reason: native, logprobs: null })

describe('fromUpstreamEvent over stream-text.chunks.txt', () => {
  const data = bytesOf(streamText)
  const id = 'AdVRaMmDCYekqtsPrb_-iAw'

  it('is framed with CRLF, as the Gemini API sends it', () => {
    expect(streamText).toContain('}\r\n\r\ndata: ')
  })

  it('role on the first delta, content deltas, a separate finish chunk with the last usage, then done', async () => {
    const { events, steps } = await translate(chunkedStream(data, [data.length]))
    expect(events).toHaveLength(4)
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'chunks', 'chunks', 'done'])
    expect(chunksOf(steps)).toEqual([
      { upstreamId: id, choices: [choice({ role: 'assistant', content: 'Bonjour' })] },
      { upstreamId: id, choices: [choice({ content: ' ! Ça va ?' })] },
      { upstreamId: id, choices: [choice({ content: ' Un café ☕' })] },
      { upstreamId: id, choices: [choice({ content: ' ?' })] },
      { upstreamId: id, choices: [choice({}, 'stop', 'STOP')], usage: finalUsage },
    ])
  })

  it('gives the same text when cut inside multi-byte characters and CRLF pairs', async () => {
    const offsets: number[] = []
    for (let i = 1; i < data.length; i++) if ((data[i]! & 0xc0) === 0x80 || data[i] === 0x0a) offsets.push(i)
    const { steps } = await translate(splitStream(data, offsets))
    expect(deltas(steps).map((d) => d.content ?? '').join('')).toBe('Bonjour ! Ça va ? Un café ☕ ?')
    expect(steps.at(-1)?.kind).toBe('done')
  })
})

describe('fromUpstreamEvent over stream-function-call.chunks.txt', () => {
  it('each functionCall is one complete tool_calls delta (index, id, type, name, arguments); STOP → tool_calls', async () => {
    const data = bytesOf(streamFunctionCall)
    const { steps } = await translate(chunkedStream(data, [7, 13]))
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'done'])
    expect(chunksOf(steps).map((c) => c.choices[0])).toEqual([
      choice({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_0_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' } }] }),
      choice({ tool_calls: [{ index: 1, id: 'call_1_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"location":"London, UK","unit":"celsius"}' } }] }),
      choice({}, 'tool_calls', 'STOP'),
    ])
    expect(chunksOf(steps).at(-1)?.usage).toEqual({ prompt_tokens: 96, completion_tokens: 115, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 77 })
  })
})

describe('fromUpstreamEvent over stream-thinking.chunks.txt', () => {
  it('thought parts are reasoning deltas, then content; usage once, on the finish chunk', async () => {
    const data = bytesOf(streamThinking)
    const { steps } = await translate(chunkedStream(data, [64]))
    expect(deltas(steps)).toEqual([
      { role: 'assistant', reasoning: '**Counting the primes**\n\nI list the numbers below 20 ' },
      { reasoning: 'and keep those with no other divisor.\n' },
      { content: 'There are 8 primes below 20: ' },
      { content: '2, 3, 5, 7, 11, 13, 17 and 19.' },
      {},
    ])
    const withUsage = chunksOf(steps).filter((c) => c.usage)
    expect(withUsage).toHaveLength(1)
    expect(withUsage[0]?.usage).toEqual({ prompt_tokens: 11, completion_tokens: 442, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 411 })
  })
})

describe('fromUpstreamEvent over stream-error.chunks.txt', () => {
  it('yields the chunks before it, then an error result with the Gemini status as code', async () => {
    const { steps } = await translate(chunkedStream(bytesOf(streamError), [5]))
    expect(steps.map((s) => s.kind)).toEqual(['chunks', 'chunks', 'error'])
    const last = steps[2]!
    expect(last.kind === 'error' && last.error).toEqual({
      status: 503,
      message: 'The model is overloaded. Please try again later.',
      code: 'UNAVAILABLE',
      raw: { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
    })
  })
})

describe('fromUpstreamEvent edge cases', () => {
  const start = () => gemini.initialState()
  const ev = (body: unknown) => ({ data: JSON.stringify(body) })

  it('malformed JSON and wrong shapes are 502 error results, not exceptions', () => {
    expect(fromUpstreamEvent({ data: '{"candidates": [' }, start())).toMatchObject({ kind: 'error', error: { status: 502 } })
    expect(fromUpstreamEvent(ev({ candidates: 'nope' }), start())).toMatchObject({ kind: 'error', error: { status: 502 } })
  })

  it('an event with only a signature part sends nothing and keeps the role for the first real delta', () => {
    const first = fromUpstreamEvent(ev({ candidates: [{ content: { parts: [{ text: '', thoughtSignature: 'abc' }] } }] }), start())
    expect(first).toMatchObject({ kind: 'chunks', chunks: [], state: { started: false } })
    const second = fromUpstreamEvent(ev({ candidates: [{ content: { parts: [{ text: 'Hi' }] } }] }), first.state)
    expect(second.kind === 'chunks' && second.chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: 'Hi' })
  })

  it('a finish with nothing before it still opens the message; usage from an earlier event is kept', () => {
    const a = fromUpstreamEvent(ev({ candidates: [], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 0 } }), start())
    const b = fromUpstreamEvent(ev({ candidates: [{ finishReason: 'SAFETY' }] }), a.state)
    expect(b).toMatchObject({
      kind: 'done',
      chunks: [{ choices: [choice({ role: 'assistant', content: '' }, 'content_filter', 'SAFETY')], usage: { prompt_tokens: 5 } }],
    })
  })

  it('a blocked prompt mid-stream ends with content_filter', () => {
    const out = fromUpstreamEvent(ev({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 8 } }), start())
    expect(out).toMatchObject({ kind: 'done', chunks: [{ choices: [{ finish_reason: 'content_filter', native_finish_reason: 'SAFETY' }] }] })
  })

  it('MAX_TOKENS ends the stream with length', () => {
    const out = fromUpstreamEvent(ev({ candidates: [{ content: { parts: [{ text: 'cut' }] }, finishReason: 'MAX_TOKENS' }] }), start())
    expect(out.kind === 'done' && out.chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, 'length'])
  })
})

// --- parseError --------------------------------------------------------------------

describe('parseError', () => {
  it('error-429.json: RESOURCE_EXHAUSTED, retry hint from RetryInfo when there is no header', () => {
    expect(parseError(429, JSON.stringify(error429), new Headers())).toEqual({
      status: 429,
      message: error429.error.message,
      code: 'RESOURCE_EXHAUSTED',
      raw: error429,
      retryAfter: 37,
    })
  })

  it('a Retry-After header wins over RetryInfo', () => {
    expect(parseError(429, JSON.stringify(error429), new Headers({ 'retry-after': '5' })).retryAfter).toBe(5)
  })

  it('error-400.json: INVALID_ARGUMENT, no retryAfter key', () => {
    const out = parseError(400, JSON.stringify(error400), new Headers())
    expect(out).toEqual({ status: 400, message: error400.error.message, code: 'INVALID_ARGUMENT', raw: error400 })
    expect(out).not.toHaveProperty('retryAfter')
  })

  it('error-503.json: UNAVAILABLE', () => {
    expect(parseError(503, JSON.stringify(error503), new Headers())).toEqual({
      status: 503, message: 'The model is overloaded. Please try again later.', code: 'UNAVAILABLE', raw: error503,
    })
  })

  it('an array-wrapped error (non-SSE streaming) and a non-JSON body', () => {
    expect(parseError(500, JSON.stringify([{ error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } }]), new Headers()))
      .toMatchObject({ status: 500, message: 'Internal error encountered.', code: 'INTERNAL' })
    expect(parseError(502, '<html>Bad Gateway</html>', new Headers())).toEqual({ status: 502, message: 'Upstream returned HTTP 502', raw: '<html>Bad Gateway</html>' })
  })
})
