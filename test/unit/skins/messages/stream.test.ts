// The Messages stream encoder: canonical chunks → Anthropic's SSE events. Each sequence
// is also parsed by the real Anthropic SDK (its SSE reader and MessageStream), the
// contract the Claude clients hold us to.
import { describe, expect, it } from 'vitest'
import { anthropic } from '../../../../src/providers/anthropic.ts'
import type { AnthropicStreamState } from '../../../../src/providers/anthropic-stream.ts'
import type { CanonicalChunk, Usage } from '../../../../src/providers/types.ts'
import type { SseOut, StreamFinish } from '../../../../src/skins/skin.ts'
import { parseEvents } from '../../../../src/streaming/sse.ts'
import streamText from '../../../fixtures/anthropic/stream-text.chunks.txt?raw'
import streamThinking from '../../../fixtures/anthropic/stream-thinking.chunks.txt?raw'
import streamToolUse from '../../../fixtures/anthropic/stream-tool-use.chunks.txt?raw'
import { bytesOf, chunkedStream, drain } from '../../_helpers/streams.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'
import { chunk, cost, encode, META, request, sdk, sseResponse, types, usage } from './_helpers.ts'

const finished = (over: Partial<StreamFinish> = {}): StreamFinish => ({
  usage: usage({ prompt_tokens: 30, completion_tokens: 7, cached_tokens: 20, cache_write_tokens: 4 }),
  cost: cost(1234, 1000),
  finish: 'stop',
  nativeFinish: 'stop',
  ...over,
})

const streamed = (events: SseOut[]) =>
  sdk(() => sseResponse(events)).messages.stream({ model: 'anthropic/claude-sonnet-4.5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] })

const dataOf = (events: SseOut[], type: string) => events.filter((e) => e.event === type).map((e) => e.data)

describe('text only', () => {
  const chunks = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo ☕' }), chunk({}, 'stop', 'stop'), { choices: [], usage: usage({ prompt_tokens: 30 }) }]

  it('message_start and a ping, one text block, message_delta with usage and cost, message_stop', () => {
    const events = encode(chunks, finished())
    expect(types(events)).toEqual([
      'message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ])
    expect(events.map((e) => (e.data as { type: string }).type)).toEqual(types(events))
    expect(events[0]?.data).toEqual({
      type: 'message_start',
      message: {
        id: META.id, type: 'message', role: 'assistant', model: META.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    })
    expect(events.slice(2, 6).map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo ☕' } },
      { type: 'content_block_stop', index: 0 },
    ])
    expect(dataOf(events, 'message_delta')).toEqual([{
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 6, output_tokens: 7, cache_creation_input_tokens: 4, cache_read_input_tokens: 20, cost: 0.001234 },
    }])
  })

  it('the SDK assembles the message, with the final usage from message_delta', async () => {
    const message = await streamed(encode(chunks, finished())).finalMessage()
    expect(message).toMatchObject({
      id: META.id,
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello ☕' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 6, output_tokens: 7, cache_creation_input_tokens: 4, cache_read_input_tokens: 20 },
    })
  })

  it("message_start carries the admission's prompt estimate; message_delta's counts replace it in the SDK's message", async () => {
    const encoder = messagesCodec.streamEncoder({ ...META, promptTokens: 42 }, request())
    const events = [...encoder.start(), ...chunks.flatMap((c) => encoder.chunk(c)), ...encoder.end(finished())]
    expect(dataOf(events, 'message_start')[0]).toMatchObject({ message: { usage: { input_tokens: 42, output_tokens: 0 } } })
    const message = await streamed(events).finalMessage()
    expect(message.usage).toMatchObject({ input_tokens: 6, output_tokens: 7 })
  })

  it('top-level extras from the gateway ride on message_stop', () => {
    const events = encode(chunks, finished({ extra: { openrouter_metadata: { attempts: 1 } } }))
    expect(events.at(-1)?.data).toEqual({ type: 'message_stop', openrouter_metadata: { attempts: 1 } })
  })

  it('length → max_tokens; a single stop sequence is named', () => {
    expect(dataOf(encode(chunks, finished({ finish: 'length', nativeFinish: 'length' })), 'message_delta')[0]).toMatchObject({ delta: { stop_reason: 'max_tokens' } })
    const req = request({ stop_sequences: ['###'] })
    expect(dataOf(encode(chunks, finished({ finish: 'stop', nativeFinish: 'stop_sequence' }), req), 'message_delta')[0])
      .toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: '###' } })
  })
})

describe('thinking then text', () => {
  // As an OpenAI-wire reasoning model streams it: plain reasoning text, no signature.
  const plain = [chunk({ role: 'assistant', reasoning: 'Think' }), chunk({ reasoning: 'ing.' }), chunk({ content: 'Answer' }), chunk({}, 'stop', 'stop')]

  it('plain reasoning is one unsigned thinking block, closed when text starts', async () => {
    const events = encode(plain, finished())
    expect(events.slice(2, -2).map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Think' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'ing.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Answer' } },
      { type: 'content_block_stop', index: 1 },
    ])
    expect((await streamed(events).finalMessage()).content).toEqual([
      { type: 'thinking', thinking: 'Thinking.', signature: '' },
      { type: 'text', text: 'Answer' },
    ])
  })

  it('signed thinking, a redacted block and a second thinking block keep their boundaries and signatures', async () => {
    const fmt = 'anthropic-claude-v1'
    const chunks: CanonicalChunk[] = [
      chunk({ reasoning: 'A', reasoning_details: [{ type: 'reasoning.text', text: 'A', format: fmt, index: 0 }] }),
      chunk({ reasoning_details: [{ type: 'reasoning.text', signature: 'sig-A', format: fmt, index: 0 }] }),
      chunk({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'opaque', format: fmt, index: 1 }] }),
      chunk({ reasoning: 'B', reasoning_details: [{ type: 'reasoning.text', text: 'B', format: fmt, index: 2 }] }),
      chunk({ reasoning_details: [{ type: 'reasoning.text', signature: 'sig-B', format: fmt, index: 2 }] }),
      chunk({ content: 'Done' }),
      chunk({}, 'stop', 'end_turn'),
    ]
    const events = encode(chunks, finished({ nativeFinish: 'end_turn' }))
    expect(types(events).slice(2, -2)).toEqual([
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_stop',
    ])
    expect((await streamed(events).finalMessage()).content).toEqual([
      { type: 'thinking', thinking: 'A', signature: 'sig-A' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'thinking', thinking: 'B', signature: 'sig-B' },
      { type: 'text', text: 'Done' },
    ])
  })

  it("another provider's signature and encrypted reasoning are not passed off as Anthropic's", () => {
    const events = encode([
      chunk({ reasoning_details: [{ type: 'reasoning.text', text: 'x', signature: 'gemini-sig', format: 'google-gemini-v1', index: 0 }] }),
      chunk({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'enc', format: 'openai-responses-v1', index: 1 }] }),
    ], finished())
    expect(events.map((e) => JSON.stringify(e.data)).join('')).not.toMatch(/gemini-sig|"enc"|signature_delta|redacted/)
  })
})

describe('tool use', () => {
  // As OpenAI-wire hosts stream parallel calls: id and name first, then argument fragments, one call after the other.
  const chunks = [
    chunk({ content: 'Let me look.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
    chunk({}, 'tool_calls', 'tool_calls'),
  ]

  it('each call is a tool_use block filled by input_json_delta; stop_reason tool_use', () => {
    const events = encode(chunks, finished({ finish: 'tool_calls', nativeFinish: 'tool_calls' }))
    expect(events.slice(5, -2).map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 2 },
    ])
    expect(dataOf(events, 'message_delta')[0]).toMatchObject({ delta: { stop_reason: 'tool_use' } })
  })

  it('the SDK parses the inputs', async () => {
    const message = await streamed(encode(chunks, finished({ finish: 'tool_calls', nativeFinish: 'tool_calls' }))).finalMessage()
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
    ])
    expect(message.stop_reason).toBe('tool_use')
  })

  it('a host that ends tool calls with "stop" still says tool_use', () => {
    expect(dataOf(encode(chunks, finished()), 'message_delta')[0]).toMatchObject({ delta: { stop_reason: 'tool_use' } })
  })
})

describe('error mid-stream', () => {
  const chunks = [chunk({ content: 'Hello' }), chunk({ content: ' there' })]

  it('is one error event after the content so far (no block stop, no message_stop)', () => {
    const events = encode(chunks, { error: { status: 529, message: 'Overloaded', code: 'overloaded_error' } })
    expect(types(events)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'error'])
    expect(events.at(-1)?.data).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })
  })

  it("the error type follows the status when the upstream's code is not Anthropic's", () => {
    expect(encode(chunks, { error: { status: 502, message: 'Upstream sent a malformed stream event' } }).at(-1)?.data)
      .toEqual({ type: 'error', error: { type: 'api_error', message: 'Upstream sent a malformed stream event' } })
    expect(encode(chunks, { error: { status: 429, message: 'slow down', code: 'rate_limited' } }).at(-1)?.data)
      .toMatchObject({ error: { type: 'rate_limit_error' } })
  })

  it('the SDK raises it as an APIError of that type', async () => {
    const stream = streamed(encode(chunks, { error: { status: 529, message: 'Overloaded', code: 'overloaded_error' } }))
    await expect(stream.finalMessage()).rejects.toMatchObject({ type: 'overloaded_error', error: { error: { message: 'Overloaded' } } })
  })
})

/**
 * Anthropic's own streams, through the anthropic adapter's reducer and back out through
 * this encoder: the content events come back as Anthropic sent them (the adapter drops
 * only empty input_json_delta fragments, and the ping moves to after message_start).
 */
describe('round trip of Anthropic streams', () => {
  const contentEvents = (events: { type: string }[]) =>
    events.filter((e) => e.type.startsWith('content_block') && !(e.type === 'content_block_delta' && JSON.stringify(e).includes('"partial_json":""')))

  const relay = async (fixture: string) => {
    const upstream = await drain(parseEvents(chunkedStream(bytesOf(fixture), [7, 64])))
    let state: AnthropicStreamState = anthropic.initialState() as AnthropicStreamState
    const chunks: CanonicalChunk[] = []
    let reported: Usage | undefined
    for (const e of upstream) {
      const r = anthropic.fromUpstreamEvent(e, state)
      if (r.kind === 'error') throw new Error(r.error.message)
      state = r.state as AnthropicStreamState
      chunks.push(...r.chunks)
      for (const c of r.chunks) reported = c.usage ?? reported
    }
    const last = chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason).at(-1)
    const events = encode(chunks, { usage: reported ?? usage(), cost: cost(0), finish: last?.finish_reason ?? null, nativeFinish: last?.native_finish_reason ?? null })
    return { upstream: upstream.map((e) => JSON.parse(e.data) as { type: string }), events }
  }

  it.each([['text', streamText], ['thinking with a signature', streamThinking], ['tool use', streamToolUse]])('%s', async (_name, fixture) => {
    const { upstream, events } = await relay(fixture)
    expect(contentEvents(events.map((e) => e.data as { type: string }))).toEqual(contentEvents(upstream))
    const stop = (list: { type: string }[]) => list.filter((e) => e.type === 'message_delta').map((e) => (e as { delta?: { stop_reason?: string } }).delta?.stop_reason)
    expect(stop(events.map((e) => e.data as { type: string }))).toEqual(stop(upstream))
    // And the SDK reads both into the same content.
    const ours = await streamed(events).finalMessage()
    const theirs = await streamed(upstream.map((data) => ({ event: data.type, data }))).finalMessage()
    expect(ours.content).toEqual(theirs.content)
    expect(ours.stop_reason).toBe(theirs.stop_reason)
  })
})
