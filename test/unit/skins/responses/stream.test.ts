// The Responses skin's stream encoder: canonical chunks → the named SSE events, checked
// three ways: the exact event sequence, invariants every sequence keeps (sequence numbers,
// item ids and indexes, nothing after an item is done), and the real `openai` SDK's
// ResponseStream, which refuses out-of-order or mismatched events, parsing the bytes. The
// streamed final response carries the same output as the JSON answer of the same chunks.
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import type { Cost } from '../../../../src/billing/pricing.ts'
import { micro } from '../../../../src/lib/money.ts'
import type { CanonicalChunk, ChunkDelta, FinishReason, Usage } from '../../../../src/providers/types.ts'
import { responsesCodec } from '../../../../src/skins/responses/index.ts'
import type { SkinMeta, SseOut, StreamFinish } from '../../../../src/skins/skin.ts'
import { assembleChat } from '../../../../src/streaming/assemble.ts'

const META: SkinMeta = { id: 'gen-1700000000-AbCdEfGhIjKlMnOpQrSt', created: 1_700_000_000, model: 'anthropic/claude-sonnet-4.5', provider: 'Anthropic' }
const USAGE: Usage = { prompt_tokens: 40, completion_tokens: 9, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 4 }
const COST: Cost = { total: micro(321), prompt: micro(120), completion: micro(201) }
const finishOf = (finish: FinishReason | null = 'stop'): StreamFinish => ({ usage: USAGE, cost: COST, finish, nativeFinish: finish })

const delta = (d: ChunkDelta, finish: FinishReason | null = null): CanonicalChunk => ({
  choices: [{ index: 0, delta: d, finish_reason: finish, native_finish_reason: finish, logprobs: null }],
})
const usageChunk: CanonicalChunk = { choices: [], usage: USAGE }

const WEATHER = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }
const reqOf = (body: Record<string, unknown> = {}) => responsesCodec.decode(JSON.stringify({ model: META.model, input: 'q', stream: true, ...body }))

/** One whole stream through the encoder: start, every chunk, then end (or error). */
const run = (chunks: CanonicalChunk[], o: { body?: Record<string, unknown>; finish?: StreamFinish; fail?: { status: number; message: string; errorType: string } } = {}) => {
  const encoder = responsesCodec.streamEncoder(META, reqOf(o.body))
  const events: SseOut[] = [...encoder.start(), ...chunks.flatMap((c) => encoder.chunk(c))]
  const finish = o.finish ?? finishOf(chunks.flatMap((c) => c.choices).findLast((c) => c.finish_reason)?.finish_reason ?? 'stop')
  events.push(...(o.fail ? encoder.error(o.fail, finish) : encoder.end(finish)))
  return events.map((e) => ({ event: e.event, data: e.data as Record<string, unknown> & { type: string; sequence_number: number } }))
}
type Events = ReturnType<typeof run>

const typesOf = (events: Events) => events.map((e) => e.data.type)
const sseText = (events: Events) => events.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('')

/** What every event sequence keeps, whatever the chunks. */
const expectWellFormed = (events: Events) => {
  const added = new Map<string, number>()
  const finished = new Set<string>()
  events.forEach((e, k) => {
    expect(e.event).toBe(e.data.type)
    expect(e.data.sequence_number).toBe(k)
    const d = e.data as { item?: { id: string }; item_id?: string; output_index?: number }
    if (e.data.type === 'response.output_item.added') {
      expect(added.has(d.item!.id)).toBe(false)
      expect(d.output_index).toBe(added.size)
      added.set(d.item!.id, d.output_index!)
    } else if (e.data.type === 'response.output_item.done') {
      expect(added.get(d.item!.id)).toBe(d.output_index)
      finished.add(d.item!.id)
    } else if (d.item_id !== undefined) {
      expect(added.get(d.item_id)).toBe(d.output_index)
      expect(finished.has(d.item_id)).toBe(false)
    }
  })
  expect(typesOf(events).slice(0, 2)).toEqual(['response.created', 'response.in_progress'])
}

const sdk = (events: Events) =>
  new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'https://gateway.test/api/v1',
    maxRetries: 0,
    fetch: async () => new Response(sseText(events), { headers: { 'content-type': 'text/event-stream' } }),
  })

/** The SDK's own accumulation of the stream: what `responses.stream(...).finalResponse()` gives. */
const sdkFinal = (events: Events) => sdk(events).responses.stream({ model: META.model, input: 'q' }).finalResponse()

/** The JSON answer of the same chunks, for comparison with the streamed final response. */
const jsonOf = (chunks: CanonicalChunk[], body: Record<string, unknown> = {}) =>
  JSON.parse(JSON.stringify(responsesCodec.encodeJson(META, assembleChat(chunks), USAGE, COST, reqOf(body)))) as { output: unknown[] }

const lastResponse = (events: Events) => events[events.length - 1]!.data.response as Record<string, unknown> & { output: Record<string, unknown>[] }

describe('stream encoder', () => {
  it('text: one message item, its output_text part filled by deltas, then response.completed with usage and cost', async () => {
    const chunks = [delta({ role: 'assistant', content: '' }), delta({ content: 'Hello' }), delta({ content: ' world' }), delta({}, 'stop'), usageChunk]
    const events = run(chunks)
    expectWellFormed(events)
    expect(typesOf(events)).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.delta', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done',
      'response.completed',
    ])
    expect(events[0]!.data.response).toMatchObject({ id: 'resp_1700000000-AbCdEfGhIjKlMnOpQrSt', status: 'in_progress', output: [], usage: null })
    expect(events.find((e) => e.data.type === 'response.output_text.done')!.data).toMatchObject({ text: 'Hello world', content_index: 0, output_index: 0 })
    const done = lastResponse(events)
    expect(done).toMatchObject({ status: 'completed', output_text: 'Hello world', usage: { input_tokens: 40, output_tokens: 9, total_tokens: 49, cost: 0.000321 } })
    expect(done.output).toEqual(jsonOf(chunks).output)

    const final = await sdkFinal(events)
    expect(final.output_text).toBe('Hello world')
    expect(final.status).toBe('completed')
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(4)
  })

  it('function calls: each call item announced with its name, arguments in deltas, .done with the whole arguments', async () => {
    const chunks = [
      delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }),
      delta({}, 'tool_calls'),
    ]
    const events = run(chunks, { body: { tools: [WEATHER] } })
    expectWellFormed(events)
    expect(typesOf(events)).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
      'response.output_item.added', 'response.function_call_arguments.delta',
      'response.function_call_arguments.done', 'response.output_item.done',
      'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ])
    expect(events[2]!.data.item).toEqual({ type: 'function_call', id: 'fc_1700000000-AbCdEfGhIjKlMnOpQrSt_0', call_id: 'call_1', name: 'get_weather', arguments: '', status: 'in_progress' })
    expect(events.filter((e) => e.data.type === 'response.function_call_arguments.done').map((e) => e.data.arguments)).toEqual(['{"city":"Paris"}', '{"city":"Rome"}'])
    expect(lastResponse(events).output).toEqual(jsonOf(chunks, { tools: [WEATHER] }).output)

    const final = await sdkFinal(events)
    expect(final.output.map((o) => (o.type === 'function_call' ? [o.call_id, o.arguments] : o.type))).toEqual([
      ['call_1', '{"city":"Paris"}'], ['call_2', '{"city":"Rome"}'],
    ])
  })

  it('a call whose name comes after its first arguments is announced once named, with what came before', () => {
    const events = run([
      delta({ tool_calls: [{ index: 0, id: 'call_1', function: { arguments: '{"a"' } }] }),
      delta({ tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: ':1}' } }] }),
    ], { body: { tools: [WEATHER] } })
    expectWellFormed(events)
    expect(events.filter((e) => e.data.type === 'response.function_call_arguments.delta').map((e) => e.data.delta)).toEqual(['{"a":1}'])
    expect(lastResponse(events).output[0]).toMatchObject({ name: 'get_weather', arguments: '{"a":1}', call_id: 'call_1' })
  })

  it('text then a call: the message is closed before the call is added', async () => {
    const chunks = [delta({ content: 'Checking.' }), delta({ tool_calls: [{ index: 0, id: 'c', function: { name: 'get_weather', arguments: '{}' } }] }, 'tool_calls')]
    const events = run(chunks, { body: { tools: [WEATHER] } })
    expectWellFormed(events)
    expect(typesOf(events).slice(2)).toEqual([
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ])
    expect(lastResponse(events).output).toEqual(jsonOf(chunks, { tools: [WEATHER] }).output)
    expect((await sdkFinal(events)).output_text).toBe('Checking.')
  })

  it('reasoning then text: a reasoning item with a summary part filled by deltas, its details sealed at .done, then the message', async () => {
    // As the Anthropic adapter streams thinking: text fragments, then the block's signature.
    const chunks = [
      delta({ reasoning: 'Think', reasoning_details: [{ type: 'reasoning.text', text: 'Think', format: 'anthropic-claude-v1', index: 0 }] }),
      delta({ reasoning: 'ing…', reasoning_details: [{ type: 'reasoning.text', text: 'ing…', format: 'anthropic-claude-v1', index: 0 }] }),
      delta({ reasoning_details: [{ type: 'reasoning.text', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }] }),
      delta({ content: 'Answer' }),
      delta({}, 'stop'),
    ]
    const events = run(chunks)
    expectWellFormed(events)
    expect(typesOf(events)).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done',
      'response.completed',
    ])
    const reasoningDone = events[8]!.data.item as Record<string, unknown>
    expect(reasoningDone).toMatchObject({ type: 'reasoning', id: 'rs_1700000000-AbCdEfGhIjKlMnOpQrSt_0', summary: [{ type: 'summary_text', text: 'Thinking…' }] })
    expect(lastResponse(events).output).toEqual(jsonOf(chunks).output)

    // Sent back next turn, the sealed details are the merged, signed thinking block.
    const next = responsesCodec.toCanonical(responsesCodec.decode(JSON.stringify({ input: [{ role: 'user', content: 'q' }, ...lastResponse(events).output, { role: 'user', content: 'more' }] })))
    expect(next.messages[1]).toMatchObject({
      role: 'assistant', content: 'Answer', reasoning_details: [{ type: 'reasoning.text', text: 'Thinking…', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }],
    })

    const final = await sdkFinal(events)
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message'])
    expect(final.output_text).toBe('Answer')
  })

  it('a custom tool call: its free-form input sent whole when the call closes', async () => {
    const body = { tools: [{ type: 'custom', name: 'apply_patch' }] }
    const events = run([
      delta({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'apply_patch', arguments: '{"input":"*** Begin' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: ' Patch"}' } }] }, 'tool_calls'),
    ], { body })
    expectWellFormed(events)
    expect(typesOf(events).slice(2)).toEqual([
      'response.output_item.added', 'response.custom_tool_call_input.delta', 'response.custom_tool_call_input.done', 'response.output_item.done', 'response.completed',
    ])
    expect(events[4]!.data.input).toBe('*** Begin Patch')
    const final = await sdkFinal(events)
    expect(final.output[0]).toMatchObject({ type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' })
  })

  it('cut at the output limit: items and the response end incomplete (response.incomplete)', async () => {
    const events = run([delta({ content: 'Once upon' }, 'length')])
    expectWellFormed(events)
    expect(typesOf(events).at(-1)).toBe('response.incomplete')
    expect(lastResponse(events)).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })
    expect(events.at(-2)!.data.item).toMatchObject({ type: 'message', status: 'incomplete' })
    const final = await sdkFinal(events)
    expect(final.status).toBe('incomplete')
  })

  it('an empty answer still has its (empty) message; usage-only chunks send nothing', async () => {
    const encoder = responsesCodec.streamEncoder(META, reqOf())
    encoder.start()
    expect(encoder.chunk(usageChunk)).toEqual([])
    const events = run([usageChunk])
    expectWellFormed(events)
    expect(lastResponse(events).output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: '' })] })])
    expect((await sdkFinal(events)).output_text).toBe('')
  })

  it("the gateway's extra fields ride on the last event; nothing is sent after the end", () => {
    const encoder = responsesCodec.streamEncoder(META, reqOf())
    encoder.start()
    encoder.chunk(delta({ content: 'x' }))
    const end = encoder.end({ ...finishOf('stop'), extra: { openrouter_metadata: { attempts: 1 } } })
    expect(end.at(-1)!.data).toMatchObject({ type: 'response.completed', openrouter_metadata: { attempts: 1 } })
    expect(encoder.chunk(delta({ content: 'late' }))).toEqual([])
    expect(encoder.end(finishOf())).toEqual([])
  })

  it('a failure mid-stream: response.failed with the output so far and the error, then an error event; the SDK throws', async () => {
    const events = run([delta({ content: 'Partial' })], { fail: { status: 502, message: 'The provider stopped responding', errorType: 'provider_unavailable' } })
    expectWellFormed(events)
    expect(typesOf(events).slice(-2)).toEqual(['response.failed', 'error'])
    expect(lastResponse(events.slice(0, -1))).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The provider stopped responding' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Partial' }] }],
      usage: { output_tokens: 9 },
    })
    expect(events.at(-1)!.data).toMatchObject({ type: 'error', code: 'server_error', message: 'The provider stopped responding', param: null })

    // A raw stream yields every event up to response.failed, then throws the error event.
    const seen: string[] = []
    const stream = await sdk(events).responses.create({ model: META.model, input: 'q', stream: true })
    const thrown = await (async () => {
      for await (const event of stream) seen.push(event.type)
    })().catch((e: unknown) => e)
    expect(seen.at(-1)).toBe('response.failed')
    expect(thrown).toBeInstanceOf(OpenAI.APIError)
    expect((thrown as Error).message).toContain('The provider stopped responding')
    await expect(sdkFinal(events)).rejects.toThrow(/The provider stopped responding/)
  })

  it.each([
    ['rate_limit_exceeded', 'rate_limit_exceeded'],
    ['context_length_exceeded', 'context_length_exceeded'],
    ['payment_required', 'insufficient_quota'],
    ['provider_overloaded', 'server_is_overloaded'],
  ])('a mid-stream %s is code %s (what Codex CLI acts on)', (errorType, code) => {
    const events = run([], { fail: { status: 429, message: 'm', errorType } })
    expect(lastResponse(events.slice(0, -1)).error).toEqual({ code, message: 'm' })
    expect(events.at(-1)!.data.code).toBe(code)
  })
})
