// translateStream with the openai adapter over the SSE fixtures (docs/compatibility.md#streaming):
// framing, chunk identity, the single usage chunk, mid-stream failures,
// cancellation, and that chunks are not buffered.
import { describe, expect, it } from 'vitest'
import { costOf } from '../../../src/billing/pricing.ts'
import type { Pricing } from '../../../src/catalog/schema.ts'
import { openai } from '../../../src/providers/openai.ts'
import type { ChunkDelta, ProviderAdapter, SseEvent, Usage } from '../../../src/providers/types.ts'
import { chatStreamEncoder, type GenerationMeta } from '../../../src/skins/chat/render.ts'
import { parseEvents } from '../../../src/streaming/sse.ts'
import { translateStream, type StreamEnd, type TranslateOptions } from '../../../src/streaming/translate.ts'
import streamText from '../../fixtures/openai/stream-text.chunks.txt?raw'
import streamToolCall from '../../fixtures/openai/stream-tool-call.chunks.txt?raw'
import streamError from '../../fixtures/openai/stream-error.chunks.txt?raw'
import { bytesOf, chunkedStream, controllable } from '../_helpers/streams.ts'

const meta: GenerationMeta = {
  id: 'gen-1753802600-AbCdEfGhIjKlMnOpQrSt',
  created: 1_753_802_600,
  model: 'openai/gpt-4o-mini',
  provider: 'OpenAI',
}

/** $0.15 / $0.60 per million (gpt-4o-mini). */
const PRICING: Pricing = { prompt: 150_000, completion: 600_000 }
const PROMPT_ESTIMATE = 40
const KEEPALIVE_TEXT = ': SWITCHBOARD PROCESSING'

interface Ended {
  end: StreamEnd
  usage: Usage
  cost: { total: number; prompt: number; completion: number }
}

const setup = (events: ReadableStream<SseEvent>, keepaliveMs = 60_000, extra: Pick<TranslateOptions, 'hideReasoning' | 'lead'> = {}) => {
  let clock = 1_000
  const ends: Ended[] = []
  let priced = 0
  const stream = translateStream({
    events,
    adapter: openai as ProviderAdapter,
    encoder: chatStreamEncoder(meta),
    keepaliveMs,
    now: () => clock,
    price: (end) => {
      priced++
      const usage: Usage = end.reportedUsage ?? {
        prompt_tokens: PROMPT_ESTIMATE,
        completion_tokens: Math.ceil(end.completionChars / 4),
        cached_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
      }
      return { usage, cost: costOf(usage, PRICING, 0, end.finish) }
    },
    onEnd: (end, usage, cost) => ends.push({ end: structuredClone(end), usage, cost }),
    ...extra,
  })
  return {
    stream,
    ends,
    priced: () => priced,
    tick: (ms: number) => {
      clock += ms
    },
  }
}

const fromFixture = (text: string, sizes = [7]) => parseEvents(chunkedStream(bytesOf(text), sizes))

/** One SSE frame of our output: a comment, [DONE], or a parsed JSON chunk. */
/** What a client parses out of one of our data frames (docs/compatibility.md#chunks). */
interface OutChunk {
  id: string
  object: string
  created: number
  model: string
  provider: string
  system_fingerprint?: string
  choices: Array<{ index: number; delta: ChunkDelta; finish_reason: string | null; native_finish_reason: string | null; logprobs: unknown }>
  usage?: Record<string, unknown>
  error?: { code: number; message: string; metadata?: { error_type: string } }
}
type Frame = { kind: 'comment'; text: string } | { kind: 'done' } | { kind: 'data'; json: OutChunk }

const framesOf = (text: string): Frame[] => {
  expect(text.endsWith('\n\n')).toBe(true)
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((raw): Frame => {
      if (raw.startsWith(':')) return { kind: 'comment', text: raw }
      expect(raw.startsWith('data: ')).toBe(true)
      expect(raw.includes('\n')).toBe(false)
      const payload = raw.slice('data: '.length)
      if (payload === '[DONE]') return { kind: 'done' }
      return { kind: 'data', json: JSON.parse(payload) as OutChunk }
    })
}

const readAll = async (stream: ReadableStream<Uint8Array>) => framesOf(await new Response(stream).text())

const dataFrames = (frames: Frame[]) => frames.flatMap((f) => (f.kind === 'data' ? [f.json] : []))

/** Resolves the read or fails the test, so a buffering bug cannot hang it. */
const readWithin = <T>(reader: ReadableStreamDefaultReader<T>, ms = 2000) =>
  Promise.race([
    reader.read(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no output within ${ms} ms`)), ms)),
  ])

const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

const upstreamEvent = (body: unknown): SseEvent => ({ data: JSON.stringify(body) })
const roleChunk = upstreamEvent({ id: 'up-1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
const contentChunk = (content: string) => upstreamEvent({ id: 'up-1', choices: [{ index: 0, delta: { content }, finish_reason: null }] })
const finishChunk = upstreamEvent({ id: 'up-1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })

describe('translateStream over stream-text.chunks.txt', () => {
  it('keep-alive comment first; identity on every chunk; one usage chunk with choices [] right before [DONE]', async () => {
    const { stream, ends } = setup(fromFixture(streamText))
    const frames = await readAll(stream)

    expect(frames[0]).toEqual({ kind: 'comment', text: KEEPALIVE_TEXT })
    expect(frames.at(-1)).toEqual({ kind: 'done' })
    expect(frames.filter((f) => f.kind === 'done')).toHaveLength(1)

    const chunks = dataFrames(frames)
    expect(chunks).toHaveLength(7) // role, 4 content, finish, usage
    for (const c of chunks) {
      expect(c).toMatchObject({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, provider: 'OpenAI' })
      expect(c.system_fingerprint === undefined || typeof c.system_fingerprint === 'string').toBe(true) // never null in chunks
    }
    for (const c of chunks.slice(0, -1)) expect(c.system_fingerprint).toBe('fp_34a54ae93c')
    for (const c of chunks.slice(0, -2)) {
      expect(c.choices).toHaveLength(1)
      expect(c.choices[0]).toHaveProperty('finish_reason', null) // explicit null, not a missing key
      expect(c.choices[0]).toHaveProperty('native_finish_reason', null)
      expect(c.choices[0]).toHaveProperty('logprobs', null)
      expect(c).not.toHaveProperty('usage')
    }
    expect(chunks[0]!.choices[0]?.delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour ! Ça va ? ☕')
    expect(chunks[5]!.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null })

    // The upstream's own usage chunk is absorbed and re-emitted once, priced:
    // prompt 19 × 150_000 = 2_850_000 p$ → 3 µ$; completion 10 × 600_000 = 6 µ$; total 8_850_000 p$ → 9 µ$
    const usageChunks = chunks.filter((c) => 'usage' in c)
    expect(usageChunks).toHaveLength(1)
    expect(frames.at(-2)).toEqual({ kind: 'data', json: usageChunks[0] })
    expect(usageChunks[0]).toMatchObject({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      provider: 'OpenAI',
      choices: [],
    })
    expect(usageChunks[0]!.usage).toEqual({
      prompt_tokens: 19,
      completion_tokens: 10,
      total_tokens: 29,
      cost: 0.000009,
      is_byok: false,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 0.000003, upstream_inference_completions_cost: 0.000006 },
    })

    expect(ends).toHaveLength(1)
    expect(ends[0]!.end).toEqual({
      outcome: 'completed',
      reportedUsage: { prompt_tokens: 19, completion_tokens: 10, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
      finish: 'stop',
      nativeFinish: 'stop',
      completionChars: 'Bonjour ! Ça va ? ☕'.length,
      upstreamId: 'chatcmpl-BxR6fK3nQ8pWz1LsVa5YhD2cE9uTm',
      firstTokenMs: 0,
    })
    expect(ends[0]!.cost.total).toBe(9)
  })

  it('a stream that finished but ended without [DONE] still completes normally', async () => {
    const truncated = streamText.replace('data: [DONE]\n\n', '')
    const { stream, ends } = setup(fromFixture(truncated))
    const frames = await readAll(stream)
    expect(dataFrames(frames).some((c) => 'error' in c)).toBe(false)
    expect(frames.at(-1)).toEqual({ kind: 'done' })
    expect(ends[0]!.end.outcome).toBe('completed')
  })
})

describe('translateStream over stream-tool-call.chunks.txt', () => {
  it('forwards the tool-call deltas as they come and finishes with tool_calls', async () => {
    const { stream, ends } = setup(fromFixture(streamToolCall, [1, 4]))
    const chunks = dataFrames(await readAll(stream))
    const choices = chunks.filter((c) => c.choices.length).map((c) => c.choices[0])
    expect(choices[0]?.delta.tool_calls).toEqual([
      { index: 0, id: 'call_7pLwq3ZfJ0aXkR2nV8sYb1Tc', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ])
    const args = choices.flatMap((c) => c!.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? '').join('')
    expect(JSON.parse(args)).toEqual({ location: 'Paris, France' })
    expect(choices.at(-1)).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' })
    expect(chunks.filter((c) => 'usage' in c)).toHaveLength(1)
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 })
    expect(ends[0]!.end).toMatchObject({ outcome: 'completed', finish: 'tool_calls', completionChars: args.length })
  })
})

describe('translateStream: failures after the first byte', () => {
  const expectErrorTail = (frames: Frame[], code: number, errorType: string) => {
    expect(frames.at(-1)).toEqual({ kind: 'done' })
    const tail = dataFrames(frames).slice(-2)
    const [errorChunk, usageChunk] = tail
    expect(errorChunk).toMatchObject({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      provider: 'OpenAI',
      error: { code, metadata: { error_type: errorType } },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: null, logprobs: null }],
    })
    expect(Number.isInteger(errorChunk?.error?.code)).toBe(true)
    expect(typeof errorChunk?.error?.message).toBe('string')
    expect(usageChunk).toMatchObject({ choices: [], usage: expect.any(Object) })
    expect(dataFrames(frames).filter((c) => 'usage' in c)).toHaveLength(1)
    expect(dataFrames(frames).filter((c) => 'error' in c)).toHaveLength(1)
    return { errorChunk: errorChunk!, usageChunk: usageChunk! }
  }

  it('stream-error.chunks.txt: error chunk (integer code, finish_reason error), then usage, then [DONE]', async () => {
    const { stream, ends } = setup(fromFixture(streamError, [2, 9]))
    const frames = await readAll(stream)
    expect(dataFrames(frames).slice(0, 2).map((c) => c.choices[0]?.delta.content)).toEqual(['', 'Once upon'])
    const { errorChunk, usageChunk } = expectErrorTail(frames, 502, 'provider_unavailable')
    // a 500-class upstream message is replaced with a generic one
    expect(errorChunk.error?.message).toBe('Provider returned error')
    // finish "error" is insured: the estimated usage is reported but costs nothing
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 3, cost: 0 })
    expect(ends).toHaveLength(1)
    expect(ends[0]!.end).toMatchObject({
      outcome: 'error',
      finish: 'error',
      error: { status: 502, message: 'The server had an error while processing your request. Sorry about that!', code: 'server_error' },
    })
    expect(ends[0]!.cost.total).toBe(0)
  })

  it('an in-stream rate-limit error keeps its 429 code and error_type', async () => {
    const up = controllable<SseEvent>()
    const { stream } = setup(up.stream)
    up.push(roleChunk)
    up.push(upstreamEvent({ error: { message: 'Rate limit exceeded', code: 429 } }))
    const frames = await readAll(stream)
    const { errorChunk } = expectErrorTail(frames, 429, 'rate_limit_exceeded')
    expect(errorChunk.error?.message).toBe('Rate limit exceeded')
    expect(up.cancelled).toBe(true) // the upstream is released once it has failed
  })

  it('an upstream whose body errors mid-stream → error chunk, usage, [DONE]', async () => {
    const bytes = controllable<Uint8Array>()
    const { stream, ends } = setup(parseEvents(bytes.stream))
    const reader = stream.getReader()
    expect(decode((await readWithin(reader)).value)).toBe(`${KEEPALIVE_TEXT}\n\n`)
    bytes.push(bytesOf(streamText.slice(0, streamText.indexOf('\n\n') + 2)))
    expect(decode((await readWithin(reader)).value)).toContain('"role":"assistant"')
    bytes.push(bytesOf('data: {"id":"x","choi')) // half an event, then the connection drops
    bytes.error(new TypeError('Network connection lost.'))
    let rest = ''
    for (;;) {
      const { done, value } = await readWithin(reader)
      if (done) break
      rest += decode(value)
    }
    const frames = framesOf(rest)
    const { errorChunk } = expectErrorTail(frames, 502, 'provider_unavailable')
    expect(errorChunk.error?.message).toBe('Provider disconnected mid-stream')
    expect(ends[0]!.end).toMatchObject({ outcome: 'error', finish: 'error' })
  })

  it('an upstream that ends without a finish reason → error chunk, not a silent success', async () => {
    const cut = streamText.slice(0, streamText.indexOf('"finish_reason":"stop"'))
    const upToContent = cut.slice(0, cut.lastIndexOf('data: '))
    const { stream, ends } = setup(fromFixture(upToContent))
    const frames = await readAll(stream)
    expect(dataFrames(frames).filter((c) => !('error' in c) && c.choices.length)).toHaveLength(5)
    const { errorChunk, usageChunk } = expectErrorTail(frames, 502, 'provider_unavailable')
    expect(errorChunk.error?.message).toBe('Provider closed the stream before it finished')
    // no usage came: the estimate is reported (chars / 4), insured by finish "error"
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 5, cost: 0 })
    expect(ends[0]!.end).toMatchObject({ outcome: 'error', finish: 'error', reportedUsage: null })
  })

  it('an upstream that sends nothing at all and closes → error chunk', async () => {
    const { stream, ends } = setup(fromFixture(''))
    const frames = await readAll(stream)
    expect(frames[0]).toEqual({ kind: 'comment', text: KEEPALIVE_TEXT })
    expectErrorTail(frames, 502, 'provider_unavailable')
    expect(ends[0]!.end).toMatchObject({ outcome: 'error', firstTokenMs: null })
  })
})

describe('translateStream: timing, cancellation, keep-alives', () => {
  it('the first chunk reaches the reader while the upstream is still open (no buffering)', async () => {
    const up = controllable<SseEvent>()
    const { stream, ends, tick } = setup(up.stream)
    const reader = stream.getReader()
    expect(decode((await readWithin(reader)).value)).toBe(`${KEEPALIVE_TEXT}\n\n`)

    tick(250)
    up.push(roleChunk)
    const first = framesOf(decode((await readWithin(reader)).value))
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ kind: 'data', json: { choices: [{ delta: { role: 'assistant', content: '' } }] } })

    up.push(contentChunk('Hel'))
    expect(decode((await readWithin(reader)).value)).toContain('"content":"Hel"')
    up.push(contentChunk('lo'))
    expect(decode((await readWithin(reader)).value)).toContain('"content":"lo"')
    expect(ends).toHaveLength(0) // still streaming

    up.push(finishChunk)
    up.push({ data: '[DONE]' })
    let rest = ''
    for (;;) {
      const { done, value } = await readWithin(reader)
      if (done) break
      rest += decode(value)
    }
    expect(framesOf(rest).at(-1)).toEqual({ kind: 'done' })
    expect(ends[0]!.end).toMatchObject({ outcome: 'completed', firstTokenMs: 250, completionChars: 5 })
  })

  it('reads the upstream only as fast as the client reads (backpressure, not read-ahead)', async () => {
    const up = controllable<SseEvent>()
    const { stream } = setup(up.stream)
    const reader = stream.getReader()
    await readWithin(reader) // keep-alive
    up.push(roleChunk)
    for (let i = 0; i < 5; i++) up.push(contentChunk(`t${i}`))
    expect(decode((await readWithin(reader)).value)).toContain('"role":"assistant"')
    await new Promise((r) => setTimeout(r, 20))
    // At most one chunk is read ahead to fill the output queue; the rest wait upstream.
    expect(up.queued).toBeGreaterThanOrEqual(4)
    await reader.cancel()
  })

  it('cancel() releases the upstream and reports outcome cancelled through onEnd, once', async () => {
    const up = controllable<SseEvent>()
    const { stream, ends, priced } = setup(up.stream)
    const reader = stream.getReader()
    await readWithin(reader) // keep-alive
    up.push(roleChunk)
    up.push(contentChunk('Partial answ'))
    await readWithin(reader)
    await readWithin(reader)
    await reader.cancel('client went away')
    expect(up.cancelled).toBe(true)
    expect(up.cancelReason).toBe('client went away')
    expect(ends).toHaveLength(1)
    expect(priced()).toBe(1)
    expect(ends[0]!.end).toMatchObject({ outcome: 'cancelled', finish: null, completionChars: 'Partial answ'.length, reportedUsage: null })
  })

  it('sends keep-alive comments while waiting for the first token, and none after it', async () => {
    const up = controllable<SseEvent>()
    const { stream } = setup(up.stream, 15)
    const reader = stream.getReader()
    const seen: string[] = []
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        seen.push(decode(value))
      }
    })()
    await new Promise((r) => setTimeout(r, 80))
    const before = seen.join('')
    expect(framesOf(before).length).toBeGreaterThanOrEqual(2) // the first one plus at least one repeat
    expect(framesOf(before).every((f) => f.kind === 'comment')).toBe(true)

    up.push(roleChunk)
    await new Promise((r) => setTimeout(r, 80))
    up.push(finishChunk)
    up.push({ data: '[DONE]' })
    await pump
    const after = framesOf(seen.join('')).slice(framesOf(before).length)
    expect(after[0]).toMatchObject({ kind: 'data' })
    expect(after.filter((f) => f.kind === 'comment')).toEqual([])
    // no comment is ever wrapped in a data line
    expect(seen.join('')).not.toMatch(/data: :/)
  })
})

describe('hidden reasoning (reasoning.exclude) and lead events', () => {
  const reasoningChunk = (reasoning: string) => upstreamEvent({ id: 'up-1', choices: [{ index: 0, delta: { reasoning_content: reasoning }, finish_reason: null }] })
  const eventStream = (events: SseEvent[]) => new ReadableStream<SseEvent>({
    start(controller) {
      for (const e of events) controller.enqueue(e)
      controller.close()
    },
  })

  it('sends no reasoning but counts it for the usage estimate; content and finish go through', async () => {
    const events = [roleChunk, reasoningChunk('Let me '), reasoningChunk('think.'), contentChunk('Hi'), finishChunk, { data: '[DONE]' }]
    const { stream, ends } = setup(eventStream(events), 60_000, { hideReasoning: true })
    const chunks = dataFrames(await readAll(stream))
    expect(JSON.stringify(chunks)).not.toMatch(/"reasoning(_details)?":/)
    expect(chunks.map((c) => c.choices.map((ch) => ch.delta))).toEqual([[{ role: 'assistant', content: '' }], [{ content: 'Hi' }], [{}], []])
    expect(ends[0]!.end).toMatchObject({ outcome: 'completed', finish: 'stop', completionChars: 'Let me think.'.length + 'Hi'.length })
  })

  it('without hideReasoning the same stream carries the reasoning', async () => {
    const events = [roleChunk, reasoningChunk('Let me think.'), contentChunk('Hi'), finishChunk, { data: '[DONE]' }]
    const { stream } = setup(eventStream(events))
    const chunks = dataFrames(await readAll(stream))
    expect(chunks[1]?.choices[0]?.delta).toEqual({ reasoning: 'Let me think.' })
  })

  it('keeps sending keep-alive comments while the model reasons unseen, and stops once it answers', async () => {
    const up = controllable<SseEvent>()
    const { stream } = setup(up.stream, 15, { hideReasoning: true })
    const reader = stream.getReader()
    const seen: string[] = []
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        seen.push(decode(value))
      }
    })()
    up.push(roleChunk)
    up.push(reasoningChunk('thinking'))
    await new Promise((r) => setTimeout(r, 80))
    const during = framesOf(seen.join(''))
    const afterRole = during.slice(during.findIndex((f) => f.kind === 'data') + 1)
    expect(afterRole.filter((f) => f.kind === 'comment').length).toBeGreaterThanOrEqual(2)
    up.push(contentChunk('Hi'))
    await new Promise((r) => setTimeout(r, 80))
    up.push(finishChunk)
    up.push({ data: '[DONE]' })
    await pump
    const after = framesOf(seen.join('')).slice(during.length)
    expect(after[0]).toMatchObject({ kind: 'data', json: { choices: [{ delta: { content: 'Hi' } }] } })
    expect(after.filter((f) => f.kind === 'comment')).toEqual([])
  })

  it('lead events are the first data events, before anything from the upstream', async () => {
    const lead = { id: meta.id, object: 'chat.completion.chunk', choices: [], debug: { echo_upstream_body: { model: 'x' } } }
    const { stream } = setup(fromFixture(streamText), 60_000, { lead: [{ data: lead }] })
    const frames = await readAll(stream)
    expect(frames[0]).toMatchObject({ kind: 'comment' })
    expect(dataFrames(frames)[0]).toEqual(lead)
    expect(dataFrames(frames)[1]?.choices.length).toBeGreaterThan(0)
  })
})
