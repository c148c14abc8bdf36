// A Messages request → canonical → the anthropic adapter's upstream body gives back
// the same Anthropic request: thinking blocks with their signatures, redacted thinking,
// cache_control on every kind of block, tool_result's is_error, tools and tool_choice.
// (The adapter's body is also checked against its strict wire schema.)
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../../src/catalog/lookup.ts'
import { toUpstream } from '../../../../src/providers/anthropic.ts'
import type { Target } from '../../../../src/providers/types.ts'
import { MessagesRequest as WireRequest } from '../../../../src/providers/wire/anthropic.ts'
import { ChatRequest } from '../../../../src/schemas/chat-request.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'

const target = (): Target => {
  const index = catalogIndex()
  const model = index.models.get('anthropic/claude-sonnet-4.5')
  const endpoint = model?.endpoints.find((e) => e.provider === 'anthropic')
  const provider = index.providers.get('anthropic')
  if (!model || !endpoint || !provider) throw new Error('catalog lacks anthropic/claude-sonnet-4.5 on Anthropic')
  return { model, endpoint, provider, baseUrl: 'https://api.anthropic.test/v1', apiKey: 'sk-ant-test' }
}

/** Through the codec, the canonical schema (as the pipeline plans it) and the adapter. */
const upstreamBody = (body: Record<string, unknown>) => {
  const canonical = ChatRequest.parse(messagesCodec.toCanonical(messagesCodec.decode(JSON.stringify(body))))
  const sent = JSON.parse(toUpstream(canonical, target()).body) as Record<string, unknown>
  const checked = WireRequest.safeParse(sent)
  if (!checked.success) throw new Error(`adapter body breaks the wire schema: ${JSON.stringify(checked.error.issues)}`)
  return sent
}

const ephemeral = { type: 'ephemeral' }
const png = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' }

describe('Messages request → canonical → anthropic adapter', () => {
  it('a thinking tool loop comes back block for block, signatures and breakpoints included', () => {
    const system = [{ type: 'text', text: 'You are a coding agent.' }, { type: 'text', text: 'Project rules…', cache_control: ephemeral }]
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'What is in the screenshot?' }, { type: 'image', source: png, cache_control: ephemeral }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should look at the file first.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' },
          { type: 'text', text: 'Reading it.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { path: 'a.ts' } },
        ],
      },
      {
        role: 'user',
        content: [
          // (One text block would come back as the equivalent string: canonical sends plain text as a string.)
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'ENOENT', is_error: true, cache_control: ephemeral },
        ],
      },
    ]
    const tools = [
      { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } }, cache_control: ephemeral },
    ]
    const sent = upstreamBody({
      model: 'claude-sonnet-4-5-20250929', max_tokens: 16_000, system, messages, tools,
      tool_choice: { type: 'auto' }, thinking: { type: 'enabled', budget_tokens: 4_000 }, stop_sequences: ['</done>'], metadata: { user_id: 'user_1' }, stream: true,
    })
    expect(sent).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 16_000,
      system,
      messages,
      tools,
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 4_000 },
      stop_sequences: ['</done>'],
      metadata: { user_id: 'user_1' },
      stream: true,
    })
  })

  it('sampling, tool_choice and a breakpoint on the last tool_use survive without thinking', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'Go' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' }, cache_control: ephemeral }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.ts\nb.ts' }, { type: 'text', text: 'Now run the tests.' }] },
    ]
    const tools = [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }]
    expect(upstreamBody({
      model: 'claude-sonnet-4-5', max_tokens: 1_000, messages, tools, tool_choice: { type: 'tool', name: 'Bash', disable_parallel_tool_use: true },
      temperature: 0.2, top_p: 0.8, top_k: 20,
    })).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1_000,
      messages,
      tools,
      tool_choice: { type: 'tool', name: 'Bash', disable_parallel_tool_use: true },
      temperature: 0.2,
      top_p: 0.8,
      top_k: 20,
    })
  })

  it('a PDF document and a system string come back as sent', () => {
    const messages = [{
      role: 'user',
      content: [
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' }, title: 'spec.pdf', cache_control: ephemeral },
        { type: 'text', text: 'Summarize.' },
      ],
    }]
    expect(upstreamBody({ model: 'claude-sonnet-4-5', max_tokens: 100, system: 'Be brief.', messages })).toEqual({
      model: 'claude-sonnet-4-5-20250929', max_tokens: 100, system: 'Be brief.', messages,
    })
  })
})
