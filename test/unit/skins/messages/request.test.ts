// Reading a Messages request (validation as 400s naming the field) and translating it
// to the canonical chat request, block type by block type.
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../../src/errors.ts'
import { ChatRequest } from '../../../../src/schemas/chat-request.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'

const base = { model: 'claude-sonnet-4-5-20250929', max_tokens: 512 }
const canonical = (body: Record<string, unknown>) => messagesCodec.toCanonical(messagesCodec.decode(JSON.stringify({ ...base, ...body })))
const messagesOf = (...messages: unknown[]) => canonical({ messages }).messages
const user = (content: unknown) => ({ role: 'user', content })
const assistant = (content: unknown) => ({ role: 'assistant', content })
const b64 = 'iVBORw0KGgo='
const ephemeral = { type: 'ephemeral' }
const fmt = 'anthropic-claude-v1'

const rejects = (body: unknown): GatewayError => {
  try {
    messagesCodec.decode(typeof body === 'string' ? body : JSON.stringify(body))
  } catch (e) {
    if (e instanceof GatewayError) return e
    throw e
  }
  throw new Error('accepted')
}

describe('decode: bad input is a 400 naming the field', () => {
  const hi = [user('Hi')]
  it.each([
    ['not JSON', '{"model":', '(body)|Invalid JSON'],
    ['no max_tokens', { model: 'claude-opus-4-1', messages: hi }, 'max_tokens'],
    ['no model', { max_tokens: 5, messages: hi }, 'model'],
    ['no messages', { ...base, messages: [] }, 'messages'],
    ['a role Anthropic does not have', { ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    ['temperature above 1', { ...base, messages: hi, temperature: 1.5 }, 'temperature'],
    ['a text block without text', { ...base, messages: [user([{ type: 'text' }])] }, 'messages.0.content.0.text'],
    ['an image with an unknown source type', { ...base, messages: [user([{ type: 'image', source: { type: 'ftp', url: 'x' } }])] }, 'messages.0.content.0.source.type'],
    ['a Files API source', { ...base, messages: [user([{ type: 'image', source: { type: 'file', file_id: 'file_1' } }])] }, 'messages.0.content.0.source: file sources'],
    ['a tool_result content block that is wrong', { ...base, messages: [user([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 1 }] }])] }, 'messages.0.content.0.content.0.text'],
    ['a thinking budget under 1024', { ...base, messages: hi, thinking: { type: 'enabled', budget_tokens: 100 } }, 'thinking.budget_tokens'],
    ['a tool without input_schema', { ...base, messages: hi, tools: [{ name: 'x' }] }, 'tools.0.input_schema'],
    ['a tool name with spaces', { ...base, messages: hi, tools: [{ name: 'read file', input_schema: {} }] }, 'tools.0.name'],
    ['tool_choice tool without a name', { ...base, messages: hi, tool_choice: { type: 'tool' } }, 'tool_choice.name'],
  ])('%s', (_name, body, field) => {
    const e = rejects(body)
    expect(e.status).toBe(400)
    expect(e.message).toMatch(new RegExp(field.replace(/[.()]/g, (c) => (c === '|' ? c : `\\${c}`))))
  })

  it('unknown fields, unknown block types and Anthropic server tools are tolerated', () => {
    const req = messagesCodec.decode(JSON.stringify({
      ...base,
      future_field: { x: 1 },
      container: 'c_1',
      messages: [
        user([{ type: 'text', text: 'Search', citations: null, future: true }]),
        assistant([{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } }, { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }, { type: 'text', text: 'Found it.' }]),
        user('Thanks'),
      ],
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }, { name: 'Read', input_schema: { type: 'object' }, defer_loading: false }],
    }))
    const out = messagesCodec.toCanonical(req)
    expect(out.messages).toEqual([
      { role: 'user', content: 'Search' },
      { role: 'assistant', content: 'Found it.' },
      { role: 'user', content: 'Thanks' },
    ])
    expect(out.tools?.map((t) => t.function.name)).toEqual(['Read'])
    expect(out).not.toHaveProperty('future_field')
    expect(out).not.toHaveProperty('container')
  })

  it('a request with nothing a model can read is a 400', () => {
    expect(() => canonical({ messages: [user([{ type: 'web_search_tool_result', tool_use_id: 'x', content: [] }])] })).toThrow(/no content/)
  })
})

describe('toCanonical: content blocks', () => {
  it('system as a string, and as blocks with cache_control', () => {
    expect(canonical({ system: 'Be brief.', messages: [user('Hi')] }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' })
    expect(canonical({ system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: ephemeral }], messages: [user('Hi')] }).messages[0])
      .toEqual({ role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: ephemeral }] })
  })

  it('a system turn inside messages stays in place', () => {
    expect(messagesOf(user('a'), { role: 'system', content: 'Now in French.' }, user('b'))).toEqual([
      { role: 'user', content: 'a' }, { role: 'system', content: 'Now in French.' }, { role: 'user', content: 'b' },
    ])
  })

  it.each([
    ['a string', 'Hello', 'Hello'],
    ['one text block', [{ type: 'text', text: 'Hello' }], 'Hello'],
    ['text with cache_control', [{ type: 'text', text: 'Hello', cache_control: { type: 'ephemeral', ttl: '1h' } }], [{ type: 'text', text: 'Hello', cache_control: { type: 'ephemeral', ttl: '1h' } }]],
    ['a base64 image', [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64 }, cache_control: ephemeral }], [
      { type: 'image_url', image_url: { url: `data:image/png;base64,${b64}` }, cache_control: ephemeral },
    ]],
    ['an image url', [{ type: 'text', text: 'What is it?' }, { type: 'image', source: { type: 'url', url: 'https://img.test/a.png' } }], [
      { type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url: 'https://img.test/a.png' } },
    ]],
    ['a base64 PDF', [{ type: 'document', title: 'r.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }], [
      { type: 'file', file: { filename: 'r.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
    ]],
    ['a PDF url', [{ type: 'document', source: { type: 'url', url: 'https://doc.test/a.pdf' }, cache_control: ephemeral }], [
      { type: 'file', file: { file_data: 'https://doc.test/a.pdf' }, cache_control: ephemeral },
    ]],
    ['a plain-text document', [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' } }], 'The grass is green.'],
    ['a content document', [{ type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two' }] }, cache_control: ephemeral }], [
      { type: 'text', text: 'One' }, { type: 'text', text: 'Two', cache_control: ephemeral },
    ]],
    ['a search result', [{ type: 'search_result', source: 'https://kb.test/1', title: 'KB', content: [{ type: 'text', text: 'Fact.' }] }], 'KB (https://kb.test/1)\n\nFact.'],
  ])('user content: %s', (_name, content, want) => {
    expect(messagesOf(user(content))).toEqual([{ role: 'user', content: want }])
  })

  it('assistant: thinking (signed) and redacted thinking become reasoning details; tool_use becomes tool calls', () => {
    expect(messagesOf(user('Weather?'), assistant([
      { type: 'thinking', thinking: 'Need the tool.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'enc-1' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_2', name: 'now', input: {}, cache_control: ephemeral },
    ]))[1]).toEqual({
      role: 'assistant',
      content: 'Checking.',
      reasoning: 'Need the tool.',
      reasoning_details: [
        { type: 'reasoning.text', text: 'Need the tool.', signature: 'sig-1', format: fmt, index: 0 },
        { type: 'reasoning.encrypted', data: 'enc-1', format: fmt, index: 1 },
      ],
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } },
      ],
      cache_control: ephemeral,
    })
  })

  it('an assistant turn of tool calls only has null content', () => {
    expect(messagesOf(user('x'), assistant([{ type: 'tool_use', id: 't', name: 'f', input: { a: [1] } }]))[1])
      .toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":[1]}' } }] })
  })

  it('tool results become tool messages (first, in order), the rest of the turn one user message', () => {
    expect(messagesOf(user([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21°C' },
      { type: 'text', text: 'And tomorrow?' },
      { type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: [{ type: 'text', text: 'clock unavailable' }], cache_control: ephemeral },
      { type: 'tool_result', tool_use_id: 'toolu_3', content: [{ type: 'text', text: 'Chart:' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64 } }] },
      { type: 'tool_result', tool_use_id: 'toolu_4' },
    ]))).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny, 21°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'clock unavailable', is_error: true, cache_control: ephemeral },
      { role: 'tool', tool_call_id: 'toolu_3', content: [{ type: 'text', text: 'Chart:' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${b64}` } }] },
      { role: 'tool', tool_call_id: 'toolu_4', content: [] },
      { role: 'user', content: 'And tomorrow?' },
    ])
  })

  it('a top-level cache_control (automatic caching) marks the last message', () => {
    expect(canonical({ cache_control: ephemeral, messages: [user('a'), assistant('b'), user('c')] }).messages.at(-1))
      .toEqual({ role: 'user', content: 'c', cache_control: ephemeral })
  })
})

describe('toCanonical: parameters', () => {
  const hi = [user('Hi')]

  it('model id, max_tokens, stream, stop sequences, sampling and metadata.user_id', () => {
    expect(canonical({
      messages: hi, stream: true, stop_sequences: ['\n\nHuman:', 'END'], temperature: 0.3, top_p: 0.9, top_k: 40, metadata: { user_id: 'user_abc' },
    })).toEqual({
      model: 'anthropic/claude-sonnet-4.5',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 512,
      stream: true,
      stop: ['\n\nHuman:', 'END'],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      user: 'user_abc',
    })
  })

  it('tools: input_schema is the parameters; cache_control and strict stay', () => {
    const schema = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }
    expect(canonical({ messages: hi, tools: [{ name: 'Read', description: 'Read a file', input_schema: schema, cache_control: ephemeral, strict: true }] }).tools).toEqual([
      { type: 'function', function: { name: 'Read', description: 'Read a file', parameters: schema, strict: true }, cache_control: ephemeral },
    ])
  })

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'auto', disable_parallel_tool_use: true }, { tool_choice: 'auto', parallel_tool_calls: false }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [{ type: 'tool', name: 'Read' }, { tool_choice: { type: 'function', function: { name: 'Read' } } }],
    [{ type: 'none' }, { tool_choice: 'none' }],
  ])('tool_choice %j', (choice, want) => {
    const out = canonical({ messages: hi, tools: [{ name: 'Read', input_schema: { type: 'object' } }], tool_choice: choice })
    expect({ tool_choice: out.tool_choice, ...(out.parallel_tool_calls === undefined ? {} : { parallel_tool_calls: out.parallel_tool_calls }) }).toEqual(want)
  })

  it('tool_choice without translatable tools is left out', () => {
    expect(canonical({ messages: hi, tool_choice: { type: 'any' } })).not.toHaveProperty('tool_choice')
  })

  it.each([
    [{ thinking: { type: 'enabled', budget_tokens: 2048 } }, { max_tokens: 2048 }],
    [{ thinking: { type: 'disabled' } }, { enabled: false }],
    [{ thinking: { type: 'adaptive' } }, { enabled: true }],
    [{ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } }, { enabled: true, effort: 'high' }],
    [{ output_config: { effort: 'low' } }, { effort: 'low' }],
    [{}, undefined],
  ])('reasoning from %j', (fields, want) => {
    expect(canonical({ messages: hi, ...fields }).reasoning).toEqual(want)
  })

  it('output_config.format is a strict json_schema response format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } }
    expect(canonical({ messages: hi, output_config: { format: { type: 'json_schema', schema } } }).response_format)
      .toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } })
  })

  it("OpenRouter's routing fields ride along; fallback model ids are mapped too", () => {
    expect(canonical({ messages: hi, models: ['claude-opus-4-1', 'openai/gpt-4o-mini'], provider: { order: ['anthropic'] }, route: 'fallback', max_cost: 0.5 }))
      .toMatchObject({ models: ['anthropic/claude-opus-4.1', 'openai/gpt-4o-mini'], provider: { order: ['anthropic'] }, route: 'fallback', max_cost: 0.5 })
  })

  it("a Claude Code-sized request (system blocks, 40 tools with large schemas, a long tool loop) is valid canonical chat", () => {
    const tools = Array.from({ length: 40 }, (_, i) => ({
      name: i % 2 ? `mcp__server__tool_${i}` : `Tool${i}`,
      description: 'x'.repeat(2_000),
      input_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`p${k}`, { type: 'string', description: 'y'.repeat(100) }])), additionalProperties: false },
    }))
    const turns = Array.from({ length: 30 }, (_, i) => [
      assistant([{ type: 'text', text: `Step ${i}` }, { type: 'tool_use', id: `toolu_${i}`, name: 'Tool0', input: { p0: String(i) } }]),
      user([{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `ok ${i}` }]),
    ]).flat()
    const out = canonical({
      model: 'claude-opus-4-1',
      system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }, { type: 'text', text: 'z'.repeat(10_000), cache_control: ephemeral }],
      messages: [user('Fix the bug.'), ...turns],
      tools,
      metadata: { user_id: 'user_0123abcd_account__session_4567' },
      stream: true,
    })
    expect(out.model).toBe('anthropic/claude-opus-4.1')
    expect(out.tools).toHaveLength(40)
    expect(out.messages).toHaveLength(2 + 60)
    expect(ChatRequest.safeParse(out).error?.issues).toBeUndefined()
  })
})
