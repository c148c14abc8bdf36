// The non-streaming answer: a canonical response → Anthropic's `message` object, as
// the real SDK's messages.create reads it. Anthropic's own answers, through the adapter
// and back, keep their content blocks.
import { describe, expect, it } from 'vitest'
import { fromUpstream } from '../../../../src/providers/anthropic.ts'
import type { CanonicalMessage, CanonicalResponse } from '../../../../src/providers/types.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'
import messageCache from '../../../fixtures/anthropic/message-cache-usage.json'
import messageText from '../../../fixtures/anthropic/message-text.json'
import messageThinking from '../../../fixtures/anthropic/message-thinking.json'
import messageToolUse from '../../../fixtures/anthropic/message-tool-use.json'
import { cost, META, request, sdk, usage } from './_helpers.ts'

const answer = (message: Partial<CanonicalMessage>, finish: CanonicalResponse['choices'][number]['finish_reason'] = 'stop', native: string | null = 'stop'): CanonicalResponse => ({
  upstreamId: 'chatcmpl-1',
  systemFingerprint: null,
  choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, reasoning: null, ...message }, finish_reason: finish, native_finish_reason: native, logprobs: null }],
  usage: null,
})

const encode = (res: CanonicalResponse, req = request({ stream: false })) =>
  messagesCodec.encodeJson(META, res, usage({ prompt_tokens: 1_000, completion_tokens: 50, cached_tokens: 800, cache_write_tokens: 100 }), cost(2_500, 2_000), req) as Record<string, unknown>

describe('the message object', () => {
  it('a text answer, with cache usage split out and cost in USD', () => {
    expect(encode(answer({ content: 'Hello!' }))).toEqual({
      id: META.id,
      type: 'message',
      role: 'assistant',
      model: META.model,
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 100, cache_read_input_tokens: 800, cost: 0.0025 },
      provider: META.provider,
    })
  })

  it('tool calls are tool_use blocks with parsed input (broken JSON becomes {}), stop_reason tool_use', () => {
    const body = encode(answer({
      content: 'On it.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"path":"a.ts"}' } },
        { id: 'call_2', type: 'function', function: { name: 'Bash', arguments: '{"command": "ls' } },
        { id: 'call_3', type: 'function', function: { name: 'Now', arguments: '' } },
      ],
    }, 'tool_calls', 'tool_calls'))
    expect(body.content).toEqual([
      { type: 'text', text: 'On it.' },
      { type: 'tool_use', id: 'call_1', name: 'Read', input: { path: 'a.ts' } },
      { type: 'tool_use', id: 'call_2', name: 'Bash', input: {} },
      { type: 'tool_use', id: 'call_3', name: 'Now', input: {} },
    ])
    expect(body.stop_reason).toBe('tool_use')
  })

  it('plain reasoning from another model is an unsigned thinking block first', () => {
    expect(encode(answer({ content: '42', reasoning: 'Six times seven.' })).content).toEqual([
      { type: 'thinking', thinking: 'Six times seven.', signature: '' },
      { type: 'text', text: '42' },
    ])
  })

  it("another provider's encrypted reasoning and signatures are not passed off as Anthropic's", () => {
    expect(encode(answer({
      content: 'ok',
      reasoning: 'hm',
      reasoning_details: [
        { type: 'reasoning.text', text: 'hm', signature: 'gem-sig', format: 'google-gemini-v1', index: 0 },
        { type: 'reasoning.encrypted', data: 'oai-enc', format: 'openai-responses-v1', index: 1 },
      ],
    })).content).toEqual([{ type: 'thinking', thinking: 'hm', signature: '' }, { type: 'text', text: 'ok' }])
  })

  it.each([
    ['length', 'length', 'max_tokens'],
    ['content_filter', 'content_filter', 'refusal'],
    ['stop', 'end_turn', 'end_turn'],
    ['stop', 'pause_turn', 'pause_turn'],
    [null, null, 'end_turn'],
  ] as const)('finish %s (native %s) → stop_reason %s', (finish, native, want) => {
    expect(encode(answer({ content: 'x' }, finish, native)).stop_reason).toBe(want)
  })

  it('stop_sequence is named when it is the only one asked for', () => {
    const res = answer({ content: 'x' }, 'stop', 'stop_sequence')
    expect(encode(res, request({ stop_sequences: ['END'] }))).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' })
    expect(encode(res, request({ stop_sequences: ['END', 'STOP'] }))).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: null })
  })

  it('a refusal is the text', () => {
    expect(encode(answer({ refusal: 'I cannot help with that.' }, 'content_filter', 'refusal')).content).toEqual([{ type: 'text', text: 'I cannot help with that.' }])
  })
})

describe("Anthropic's answers through the adapter and back", () => {
  it.each([
    ['text', messageText],
    ['thinking, redacted thinking and text', messageThinking],
    ['tool use', messageToolUse],
    ['cache usage, max_tokens', messageCache],
  ])('%s: same content blocks and stop_reason', (_name, fixture) => {
    const body = encode(fromUpstream(fixture))
    expect(body.content).toEqual(fixture.content)
    expect(body.stop_reason).toBe(fixture.stop_reason)
  })
})

describe('read by the Anthropic SDK', () => {
  it('messages.create returns the message, extras included', async () => {
    const body = encode(answer({ content: 'Hi there', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'tool_calls', 'tool_use'))
    const client = sdk(() => Response.json(body))
    const message = await client.messages.create({ model: 'anthropic/claude-sonnet-4.5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] })
    expect(message).toEqual(body)
    expect(message.content[1]).toEqual({ type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } })
  })
})
