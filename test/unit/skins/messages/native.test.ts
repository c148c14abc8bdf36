// Anthropic endpoints get the client's Messages body as it is: only the model, max_tokens,
// stream and Switchboard's routing fields change; unknown blocks, tools and fields pass.
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../../src/catalog/lookup.ts'
import { anthropic } from '../../../../src/providers/anthropic.ts'
import { adapterFor } from '../../../../src/providers/registry.ts'
import type { ProviderAdapter, Target } from '../../../../src/providers/types.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'
import { nativeMessages } from '../../../../src/skins/messages/native.ts'
import messageThinking from '../../../fixtures/anthropic/message-thinking.json'

const targetOf = (modelId: string, providerId: string): Target => {
  const index = catalogIndex()
  const model = index.models.get(modelId)
  const endpoint = model?.endpoints.find((e) => e.provider === providerId)
  const provider = index.providers.get(providerId)
  if (!model || !endpoint || !provider) throw new Error(`catalog lacks ${modelId} on ${providerId}`)
  return { model, endpoint, provider, baseUrl: `https://${providerId}.test/v1/`, apiKey: 'sk-test' }
}
const claude = targetOf('anthropic/claude-sonnet-4.5', 'anthropic')
const adapter = (t: Target): ProviderAdapter => {
  const a = adapterFor(t.provider.protocol)
  if (!a) throw new Error('no adapter')
  return a as ProviderAdapter
}

const ephemeral = { type: 'ephemeral' }
/** What Claude Code sends, with blocks and fields this gateway does not know. */
const raw = {
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 32_000,
  system: [{ type: 'text', text: 'You are Claude Code.', cache_control: ephemeral }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Search the docs', citations: null }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Searching.', signature: 'sig-1' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'docs' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://d.test', title: 'D', encrypted_content: 'e' }] },
        { type: 'text', text: 'Found.', citations: [{ type: 'web_search_result_location', url: 'https://d.test', cited_text: 'x' }] },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }, { type: 'tool_reference', tool_name: 'Read' }], is_error: false }] },
  ],
  tools: [{ name: 'Read', input_schema: { type: 'object' } }, { type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
  thinking: { type: 'enabled', budget_tokens: 10_000 },
  context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
  metadata: { user_id: 'user_1' },
  stream: true,
  // Switchboard's (OpenRouter's) routing fields: never sent to Anthropic.
  provider: { order: ['anthropic'] },
  models: ['claude-opus-4-1'],
  max_cost: 2,
}
const req = () => messagesCodec.decode(JSON.stringify(raw))
const sent = (o: { stream: boolean; maxTokens: number | undefined }, target = claude, body = req()) => {
  const up = nativeMessages.build(adapter(target), target, body, o)
  return { ...up, body: JSON.parse(up.body) as Record<string, unknown> }
}

describe('native Messages on Anthropic endpoints', () => {
  it('serves Anthropic endpoints only', () => {
    expect(nativeMessages.serves(adapter(claude), claude)).toBe(true)
    const openai = targetOf('openai/gpt-4o-mini', 'openai')
    expect(nativeMessages.serves(adapter(openai), openai)).toBe(false)
  })

  it('the body is the request as sent, with the upstream model id and without routing fields', () => {
    const { url, headers, body } = sent({ stream: true, maxTokens: undefined })
    expect(url).toBe('https://anthropic.test/v1/messages')
    expect(headers).toEqual({ 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' })
    const { provider: _p, models: _m, max_cost: _c, ...anthropicFields } = raw
    expect(body).toEqual({ ...anthropicFields, model: 'claude-sonnet-4-5-20250929' })
  })

  it('string content is sent as the one text block it means', () => {
    const body = messagesCodec.decode(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }))
    expect(sent({ stream: false, maxTokens: undefined }, claude, body).body).toEqual({
      model: 'claude-sonnet-4-5-20250929', max_tokens: 10, system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    })
  })

  it('stream follows the attempt: a JSON request streamed upstream says so, and the other way round', () => {
    expect(sent({ stream: false, maxTokens: undefined }).body).not.toHaveProperty('stream')
    const json = messagesCodec.decode(JSON.stringify({ ...raw, stream: false }))
    expect(sent({ stream: true, maxTokens: undefined }, claude, json).body.stream).toBe(true)
  })

  it("max_tokens is capped by max_cost's cap and the endpoint's maximum output; the thinking budget stays below it", () => {
    expect(sent({ stream: true, maxTokens: 20_000 }).body).toMatchObject({ max_tokens: 20_000, thinking: { type: 'enabled', budget_tokens: 10_000 } })
    expect(sent({ stream: true, maxTokens: 8_000 }).body).toMatchObject({ max_tokens: 8_000, thinking: { type: 'enabled', budget_tokens: 7_999 } })
    expect(sent({ stream: true, maxTokens: 1_000 }).body).toMatchObject({ max_tokens: 1_000 })
    expect(sent({ stream: true, maxTokens: 1_000 }).body).not.toHaveProperty('thinking')
    const huge = messagesCodec.decode(JSON.stringify({ ...raw, max_tokens: 500_000 }))
    expect(sent({ stream: true, maxTokens: undefined }, claude, huge).body.max_tokens).toBe(claude.endpoint.max_output)
  })

  it("the client's anthropic-beta goes along (well-formed names only, each once); no other header, and no body field named betas", () => {
    const header = (h: Record<string, string>) => (name: string) => h[name]
    const beta = 'claude-code-20250219, context-management-2025-06-27,bad name,\r\nx-api-key: stolen,context-management-2025-06-27'
    const body = messagesCodec.decode(JSON.stringify({ ...raw, betas: ['from-body'] }), header({ 'anthropic-beta': beta, authorization: 'Bearer sk-sb-v1-client' }))
    const { headers, body: wire } = sent({ stream: true, maxTokens: undefined }, claude, body)
    expect(headers).toEqual({
      'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test',
      'anthropic-beta': 'claude-code-20250219,context-management-2025-06-27',
    })
    expect(wire).not.toHaveProperty('betas')
    // Without the header, nothing: a body's `betas` is not a beta.
    const plain = messagesCodec.decode(JSON.stringify({ ...raw, betas: ['from-body'] }))
    expect(plain).not.toHaveProperty('betas')
    expect(sent({ stream: true, maxTokens: undefined }, claude, plain).headers).not.toHaveProperty('anthropic-beta')
  })

  it('answers are read by the anthropic adapter', () => {
    expect(nativeMessages.parse(anthropic, messageThinking)).toEqual(anthropic.fromUpstream(messageThinking))
    expect(nativeMessages.decoder(anthropic)).toBe(anthropic)
  })
})
