// A non-streaming request is streamed from the upstream and assembled (src/routing/attempt.ts):
// the assembled answer must be the one the adapter reads from the same upstream's JSON.
// Property: for generated requests, each wire's fake answers both ways, and the two agree
// (the id aside, which each fake numbers per response). Then the merging rules one by one.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../../src/catalog/lookup.ts'
import { createFakeUpstream } from '../../../src/providers/fake.ts'
import { adapterFor } from '../../../src/providers/registry.ts'
import type { CanonicalChunk, CanonicalChunkChoice, Target } from '../../../src/providers/types.ts'
import { collectStream, type StreamDecoder } from '../../../src/routing/collect.ts'
import { ChatRequest } from '../../../src/schemas/chat-request.ts'
import { CompletionRequest } from '../../../src/schemas/completion-request.ts'
import { assembleChat, assembleText, mergeLogprobs } from '../../../src/streaming/assemble.ts'
import { anthropicUpstream } from '../../fakes/anthropic.ts'
import { geminiUpstream } from '../../fakes/gemini.ts'

const index = catalogIndex()
const targetFor = (modelId: string, providerId: string, baseUrl: string, apiKey: string): Target => {
  const model = index.models.get(modelId)!
  return { model, endpoint: model.endpoints.find((e) => e.provider === providerId)!, provider: index.providers.get(providerId)!, baseUrl, apiKey }
}

const WIRES = [
  { name: 'openai', target: targetFor('openai/gpt-4o-mini', 'openai', 'https://openai.test/v1', 'sk-test-openai'), upstream: createFakeUpstream() },
  { name: 'anthropic', target: targetFor('anthropic/claude-sonnet-4.5', 'anthropic', 'https://anthropic.test/v1', 'sk-ant-test'), upstream: anthropicUpstream },
  { name: 'gemini', target: targetFor('google/gemini-2.5-flash', 'google', 'https://gemini.test/v1beta', 'goog-test'), upstream: geminiUpstream },
] as const

const send = (upstream: (r: Request) => Promise<Response>, up: { url: string; headers: Record<string, string>; body: string }) =>
  upstream(new Request(up.url, { method: 'POST', headers: up.headers, body: up.body }))

const collect = async (response: Response, decoder: StreamDecoder): Promise<CanonicalChunk[]> => {
  expect(response.headers.get('content-type')).toContain('text/event-stream')
  const got = await collectStream(response.body!, decoder, { onEvent: () => {}, now: Date.now, signal: new AbortController().signal })
  if (!got.ok) throw new Error(`stream failed: ${got.error.message}`)
  return got.chunks
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'café', '☕', 'STOP', 'lookup']
const TOOL = { type: 'function', function: { name: 'lookup', description: 'Looks a word up', parameters: { type: 'object', properties: { text: { type: 'string' } } } } }

const chatRequests = fc.record({
  words: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }),
  maxTokens: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  tools: fc.constantFrom('none', 'auto', 'required', 'named'),
  reasoning: fc.boolean(),
  stop: fc.boolean(),
}).map((g) => ChatRequest.parse({
  model: 'x',
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: g.words.join(' ') }],
  ...(g.maxTokens !== undefined ? { max_tokens: g.reasoning ? 2048 + g.maxTokens : g.maxTokens } : {}),
  ...(g.tools !== 'none' ? { tools: [TOOL], tool_choice: g.tools === 'named' ? { type: 'function', function: { name: 'lookup' } } : g.tools } : {}),
  ...(g.reasoning ? { reasoning: { effort: 'low' } } : {}),
  ...(g.stop ? { stop: ['STOP'] } : {}),
}))

describe('assembleChat: a stream assembled equals the JSON answer', () => {
  it.each(WIRES)('$name', async ({ name, target, upstream }) => {
    const adapter = adapterFor(target.provider.protocol)!
    await fc.assert(fc.asyncProperty(chatRequests, async (req) => {
      const whole = await send(upstream, adapter.toUpstream({ ...req, stream: false }, target))
      expect(whole.status, `${name}: ${await whole.clone().text()}`).toBe(200)
      const json = adapter.fromUpstream(await whole.json())
      const streamed = assembleChat(await collect(await send(upstream, adapter.toUpstream({ ...req, stream: true }, target)), adapter))
      expect(streamed.upstreamId).toEqual(expect.any(String))
      expect({ ...streamed, upstreamId: null }).toEqual({ ...json, upstreamId: null })
    }), { numRuns: 40 })
  })

  it('legacy completions (OpenAI wire)', async () => {
    const target = targetFor('meta-llama/llama-3.3-70b-instruct', 'together', 'https://together.test/v1', 'together-test')
    const part = adapterFor('openai')!.completions!
    const upstream = createFakeUpstream()
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
      async (words, maxTokens) => {
        const req = CompletionRequest.parse({ model: 'x', prompt: words.join(' '), ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}) })
        const json = part.fromUpstream(await (await send(upstream, part.toUpstream(req, target))).json())
        const decoder: StreamDecoder = { initialState: () => null, fromUpstreamEvent: (e) => part.fromUpstreamEvent(e, null) }
        const streamed = assembleText(await collect(await send(upstream, part.toUpstream({ ...req, stream: true }, target)), decoder))
        expect({ ...streamed, upstreamId: null }).toEqual({ ...json, upstreamId: null })
      },
    ), { numRuns: 25 })
  })
})

const choice = (delta: CanonicalChunkChoice['delta'], extra: Partial<CanonicalChunkChoice> = {}): CanonicalChunkChoice => ({
  index: 0, delta, finish_reason: null, native_finish_reason: null, logprobs: null, ...extra,
})

describe('assembleChat: merging', () => {
  it('joins tool-call arguments by index, keeping an id and name a host repeats only once', () => {
    const out = assembleChat([
      { choices: [choice({ role: 'assistant', content: '' })] },
      { choices: [choice({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'second', arguments: '{}' } }] })] },
      { choices: [choice({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'first', arguments: '{"x"' } }] })] },
      { choices: [choice({ tool_calls: [{ index: 0, id: 'a', function: { name: 'first', arguments: ':1}' } }] })] },
      { choices: [choice({}, { finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' })] },
    ])
    expect(out.choices[0]?.message).toEqual({
      role: 'assistant', content: null, refusal: null, reasoning: null,
      tool_calls: [
        { id: 'a', type: 'function', function: { name: 'first', arguments: '{"x":1}' } },
        { id: 'b', type: 'function', function: { name: 'second', arguments: '{}' } },
      ],
    })
    expect(out.choices[0]).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' })
  })

  it('joins a reasoning detail streamed as text, then its signature; keeps encrypted ones whole', () => {
    const format = 'anthropic-claude-v1'
    const out = assembleChat([
      { choices: [choice({ reasoning: 'Let me ', reasoning_details: [{ type: 'reasoning.text', text: 'Let me ', format, index: 0 }] })] },
      { choices: [choice({ reasoning: 'think.', reasoning_details: [{ type: 'reasoning.text', text: 'think.', format, index: 0 }] })] },
      { choices: [choice({ reasoning_details: [{ type: 'reasoning.text', signature: 'c2ln', format, index: 0 }] })] },
      { choices: [choice({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'b3BhcXVl', format, index: 1 }] })] },
      { choices: [choice({ content: 'Answer.' }, { finish_reason: 'stop', native_finish_reason: 'end_turn' })] },
    ])
    expect(out.choices[0]?.message).toEqual({
      role: 'assistant', content: 'Answer.', refusal: null, reasoning: 'Let me think.',
      reasoning_details: [
        { type: 'reasoning.text', text: 'Let me think.', signature: 'c2ln', format, index: 0 },
        { type: 'reasoning.encrypted', data: 'b3BhcXVl', format, index: 1 },
      ],
    })
  })

  it('keeps choices apart by index, the first id and fingerprint, and the last usage', () => {
    const usage = (completion: number) => ({ prompt_tokens: 3, completion_tokens: completion, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 })
    const out = assembleChat([
      { upstreamId: 'up-1', systemFingerprint: 'fp', choices: [choice({ content: 'b' }, { index: 1 }), choice({ content: 'a' })] },
      { upstreamId: 'up-1', choices: [choice({ content: 'A' }, { finish_reason: 'stop', native_finish_reason: 'stop' })], usage: usage(1) },
      { choices: [choice({ content: 'B' }, { index: 1, finish_reason: 'length', native_finish_reason: 'length' })] },
      { choices: [], usage: usage(4) },
    ])
    expect(out).toMatchObject({ upstreamId: 'up-1', systemFingerprint: 'fp', usage: usage(4) })
    expect(out.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([[0, 'aA', 'stop'], [1, 'bB', 'length']])
  })

  it('content is null beside a refusal, empty when nothing was said', () => {
    const refused = assembleChat([{ choices: [choice({ role: 'assistant', content: '' }), choice({ refusal: 'I cannot' }, { finish_reason: 'stop', native_finish_reason: 'stop' })] }])
    expect(refused.choices[0]?.message).toMatchObject({ content: null, refusal: 'I cannot' })
    const silent = assembleChat([{ choices: [choice({ role: 'assistant' }, { finish_reason: 'length', native_finish_reason: 'length' })] }])
    expect(silent.choices[0]?.message.content).toBe('')
  })
})

describe('mergeLogprobs', () => {
  it('joins the lists of each field, chat and legacy alike', () => {
    const t = (token: string) => ({ token, logprob: -0.1, top_logprobs: [] })
    expect([{ content: [t('a')], refusal: null }, null, { content: [t('b')], refusal: null }].reduce(mergeLogprobs, null))
      .toEqual({ content: [t('a'), t('b')], refusal: null })
    expect(mergeLogprobs({ tokens: ['a'], token_logprobs: [-1], text_offset: [0] }, { tokens: ['b'], token_logprobs: [-2], text_offset: [1] }))
      .toEqual({ tokens: ['a', 'b'], token_logprobs: [-1, -2], text_offset: [0, 1] })
  })
})
