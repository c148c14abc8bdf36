// Legacy /completions on the openai adapter: outgoing bodies as inline snapshots,
// the JSON and SSE fixtures into canonical shapes, and the stream rendered as
// text_completion chunks by translateStream (one usage chunk, error chunk).
import { describe, expect, it } from 'vitest'
import { costOf } from '../../../src/billing/pricing.ts'
import type { Endpoint, Model, Provider } from '../../../src/catalog/schema.ts'
import { fromUpstream, fromUpstreamEvent, openaiCompletions } from '../../../src/providers/openai-completions.ts'
import { UpstreamShapeError } from '../../../src/providers/openai.ts'
import type { SseEvent, Target, Usage } from '../../../src/providers/types.ts'
import { CompletionRequest } from '../../../src/schemas/completion-request.ts'
import { canonicalOfText } from '../../../src/skins/completions/native.ts'
import { textCompletionBody, textStreamEncoder } from '../../../src/skins/completions/render.ts'
import { parseEvents } from '../../../src/streaming/sse.ts'
import { translateStream } from '../../../src/streaming/translate.ts'
import completionText from '../../fixtures/openai/completion-text.json'
import completionStream from '../../fixtures/openai/completion-stream.chunks.txt?raw'
import streamError from '../../fixtures/openai/stream-error.chunks.txt?raw'
import { bytesOf, chunkedStream, drain } from '../_helpers/streams.ts'

const endpoint: Endpoint = {
  provider: 'acme', upstream_id: 'acme-instruct', pricing: { prompt: 1_500_000, completion: 2_000_000 }, context_length: 4095,
  max_output: 4095, quantization: 'unknown', regions: ['us'],
  capabilities: { tools: false, tool_choice: false, json_schema: false, images: false, reasoning: false },
  supported_parameters: ['max_tokens', 'temperature', 'stop', 'logprobs', 'seed'],
}
const model: Model = {
  id: 'acme/instruct', name: 'Acme: Instruct', created: 1_750_000_000, description: 'test', input_modalities: ['text'],
  output_modalities: ['text'], tokenizer: 'Other', endpoints: [endpoint],
}
const targetOf = (quirks?: Provider['quirks']): Target => ({
  model, endpoint,
  provider: { id: 'acme', name: 'Acme AI', protocol: 'openai', base_url: 'https://api.acme.test/v1', requires_key: true, data_policy: { training: false, retains_prompts: false, zdr: true }, ...(quirks ? { quirks } : {}) },
  baseUrl: 'https://api.acme.test/v1',
  apiKey: 'sk-acme',
})

const outgoing = (request: unknown, target = targetOf()) => {
  const up = openaiCompletions.toUpstream(CompletionRequest.parse(request), target)
  return { url: up.url, headers: up.headers, body: JSON.parse(up.body) as Record<string, unknown> }
}

describe('toUpstream', () => {
  it('forwards the prompt natively to /completions with supported parameters and unknown extras; routing fields stay home', () => {
    expect(outgoing({
      model: 'acme/instruct', prompt: 'Once upon', max_tokens: 10, temperature: 0.3, top_p: 0.9, logprobs: 2, suffix: '.',
      provider: { order: ['acme'] }, models: ['acme/other'], usage: { include: true },
    })).toMatchInlineSnapshot(`
      {
        "body": {
          "logprobs": 2,
          "max_tokens": 10,
          "model": "acme-instruct",
          "prompt": "Once upon",
          "suffix": ".",
          "temperature": 0.3,
        },
        "headers": {
          "authorization": "Bearer sk-acme",
          "content-type": "application/json",
        },
        "url": "https://api.acme.test/v1/completions",
      }
    `)
  })

  it('unwraps a one-element prompt array, asks for stream usage, and keeps max_tokens whatever the chat quirk says', () => {
    const target = targetOf({ max_tokens_param: 'max_completion_tokens', drop_params: ['seed'] })
    expect(outgoing({ model: 'm', prompt: ['Hi'], stream: true, max_tokens: 5, seed: 7 }, target).body).toMatchInlineSnapshot(`
      {
        "max_tokens": 5,
        "model": "acme-instruct",
        "prompt": "Hi",
        "stream": true,
        "stream_options": {
          "include_usage": true,
        },
      }
    `)
    expect(CompletionRequest.safeParse({ model: 'm', prompt: ['a', 'b'] }).success).toBe(false)
  })
})

describe('fromUpstream', () => {
  it('reads the text completion fixture', () => {
    expect(fromUpstream(completionText)).toEqual({
      upstreamId: 'cmpl-BxS2kQ7vN4pLm9RtYa1WcE6fH3uJd',
      systemFingerprint: null,
      choices: [{ index: 0, text: '\n\nOnce upon a time, a lighthouse keeper', finish_reason: 'length', native_finish_reason: 'length', logprobs: null }],
      usage: { prompt_tokens: 6, completion_tokens: 10, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    })
  })

  it('refuses a body with no choices (a chat body has no text either way)', () => {
    expect(() => fromUpstream({ id: 'x', choices: [] })).toThrow(UpstreamShapeError)
    expect(() => fromUpstream({ error: { message: 'nope' } })).toThrow(UpstreamShapeError)
  })
})

const meta = { id: 'gen-1753802710-AbCd', created: 1_753_802_710, model: 'acme/instruct', provider: 'Acme AI' }

describe('stream events', () => {
  it('turns text deltas into canonical chunks with content, then finish, usage and done', async () => {
    const events = await drain(parseEvents(chunkedStream(bytesOf(completionStream), [5])))
    const results = events.map((e: SseEvent) => fromUpstreamEvent(e, null))
    expect(results.map((r) => r.kind)).toEqual(['chunks', 'chunks', 'chunks', 'chunks', 'chunks', 'done'])
    const choices = results.flatMap((r) => (r.kind === 'chunks' ? r.chunks.flatMap((c) => c.choices) : []))
    expect(choices.map((c) => c.delta.content ?? '').join('')).toBe('\n\nÇa va ☕')
    expect(choices.at(-1)).toEqual({ index: 0, delta: {}, finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null })
    const last = results[4]
    expect(last?.kind === 'chunks' && last.chunks[0]?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 })
  })

  it('reports an in-stream error event as an error', () => {
    const error = streamError.split('\n\n').find((b) => b.includes('"error"'))!.slice('data: '.length)
    expect(fromUpstreamEvent({ data: error }, null)).toMatchObject({ kind: 'error', error: { status: 502, code: 'server_error' } })
    expect(fromUpstreamEvent({ data: '{not json' }, null)).toMatchObject({ kind: 'error', error: { status: 502 } })
  })
})

describe('text_completion rendering', () => {
  const pricing = { prompt: 1_500_000, completion: 2_000_000 }
  const translate = (text: string) => {
    const ends: Usage[] = []
    const stream = translateStream({
      events: parseEvents(chunkedStream(bytesOf(text), [11])),
      adapter: { initialState: () => null, fromUpstreamEvent: (e) => fromUpstreamEvent(e, null) },
      encoder: textStreamEncoder(meta),
      keepaliveMs: 60_000,
      now: () => 0,
      price: (end) => {
        const usage = end.reportedUsage ?? { prompt_tokens: 3, completion_tokens: Math.ceil(end.completionChars / 4), cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }
        return { usage, cost: costOf(usage, pricing, 0, end.finish) }
      },
      onEnd: (_end, usage) => ends.push(usage),
    })
    return { stream, ends }
  }
  const dataOf = async (stream: ReadableStream<Uint8Array>) => {
    const text = await new Response(stream).text()
    const data = text.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => b.slice(6))
    return { done: data.at(-1) === '[DONE]', chunks: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>) }
  }

  it('streams text_completion chunks with choices[].text, then exactly one usage chunk (choices []) before [DONE]', async () => {
    const { stream, ends } = translate(completionStream)
    const { done, chunks } = await dataOf(stream)
    expect(done).toBe(true)
    for (const c of chunks) expect(c).toMatchObject({ id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, provider: 'Acme AI' })
    expect(chunks.slice(0, -1).map((c) => c.choices[0].text).join('')).toBe('\n\nÇa va ☕')
    expect(chunks.at(-2)?.choices).toEqual([{ index: 0, text: '', finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }])
    const usage = chunks.filter((c) => c.usage)
    expect(usage).toHaveLength(1)
    // 5 × $1.50/M + 4 × $2/M = 7.5 + 8 µ$ → 16 µ$ (rounded up once)
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9, cost: 0.000016 } })
    expect(ends).toHaveLength(1)
  })

  it('ends a failed stream with a text error chunk (integer code, finish_reason error), then usage and [DONE]', async () => {
    const { stream } = translate(completionStream.split('\n\n').slice(0, 2).join('\n\n') + '\n\ndata: {"error":{"message":"boom","type":"server_error","code":null}}\n\n')
    const { done, chunks } = await dataOf(stream)
    expect(done).toBe(true)
    const error = chunks.find((c) => c.error)
    expect(error).toMatchObject({
      object: 'text_completion',
      choices: [{ index: 0, text: '', finish_reason: 'error', native_finish_reason: null, logprobs: null }],
      error: { code: 502, message: 'Provider returned error', metadata: { error_type: 'provider_unavailable' } },
    })
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { cost: 0 } })
  })

  it('renders the JSON body with usage and cost', () => {
    const body = fromUpstream(completionText)
    const usage = body.usage!
    expect(textCompletionBody(meta, canonicalOfText(body), usage, costOf(usage, pricing, 0))).toMatchObject({
      id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, provider: 'Acme AI', system_fingerprint: null,
      choices: [{ index: 0, text: '\n\nOnce upon a time, a lighthouse keeper', finish_reason: 'length', native_finish_reason: 'length', logprobs: null }],
      // 6 × $1.50/M + 10 × $2/M = 9 + 20 µ$
      usage: { prompt_tokens: 6, completion_tokens: 10, total_tokens: 16, cost: 0.000029 },
    })
  })
})
