// The legacy completions skin on its own: a prompt as a chat request for endpoints
// without a native /completions, chat logprobs back in the legacy shape, and the
// stream encoder's text chunks from canonical (chat-wire) chunks.
import { describe, expect, it } from 'vitest'
import { canonicalOfCompletion } from '../../../src/skins/completions/codec.ts'
import { legacyLogprobs, textStreamEncoder } from '../../../src/skins/completions/render.ts'
import { CompletionRequest } from '../../../src/schemas/completion-request.ts'
import type { CanonicalChunkChoice } from '../../../src/providers/types.ts'

const meta = { id: 'gen-1', created: 1, model: 'anthropic/claude-sonnet-4', provider: 'Anthropic' }
const choice = (delta: CanonicalChunkChoice['delta'], finish: CanonicalChunkChoice['finish_reason'] = null, logprobs: unknown = null): CanonicalChunkChoice =>
  ({ index: 0, delta, finish_reason: finish, native_finish_reason: finish, logprobs })

describe('canonicalOfCompletion', () => {
  it('sends the prompt as one user message with the shared fields; legacy-only fields stay behind; reasoning hidden', () => {
    const req = CompletionRequest.parse({
      model: 'anthropic/claude-sonnet-4', models: ['google/gemini-2.5-flash'], prompt: ['Once upon'], max_tokens: 20, temperature: 0.5, stop: '.',
      logprobs: 2, suffix: 'end', echo: true, best_of: 3, user: 'u1', provider: { sort: 'price' }, max_cost: 0.5, stream: true,
    })
    expect(canonicalOfCompletion(req)).toEqual({
      model: 'anthropic/claude-sonnet-4', models: ['google/gemini-2.5-flash'], messages: [{ role: 'user', content: 'Once upon' }],
      max_tokens: 20, temperature: 0.5, stop: '.', logprobs: true, top_logprobs: 2, user: 'u1', provider: { sort: 'price' }, max_cost: 0.5,
      stream: true, reasoning: { exclude: true },
    })
  })
})

describe('legacyLogprobs', () => {
  it('turns chat logprobs into tokens, token_logprobs, top_logprobs and text_offset from the given offset', () => {
    const chat = { content: [
      { token: 'Hel', logprob: -0.1, top_logprobs: [{ token: 'Hel', logprob: -0.1 }, { token: 'Hi', logprob: -2 }] },
      { token: 'lo', logprob: -0.2, top_logprobs: [] },
    ] }
    expect(legacyLogprobs(chat, 5)).toEqual({
      tokens: ['Hel', 'lo'], token_logprobs: [-0.1, -0.2], top_logprobs: [{ Hel: -0.1, Hi: -2 }, {}], text_offset: [5, 8],
    })
  })

  it('passes a native host legacy object as it is, and null for none', () => {
    const native = { tokens: ['a'], token_logprobs: [-1], top_logprobs: null, text_offset: [0] }
    expect(legacyLogprobs(native)).toBe(native)
    expect(legacyLogprobs(undefined)).toBeNull()
  })
})

describe('textStreamEncoder', () => {
  it('draws text chunks, leaves out role-only deltas, and carries text_offset across chunks', () => {
    const encoder = textStreamEncoder(meta)
    expect(encoder.start()).toEqual([])
    expect(encoder.chunk({ choices: [choice({ role: 'assistant', content: '' })] })).toEqual([])
    const lp = (token: string) => ({ content: [{ token, logprob: -1, top_logprobs: [] }] })
    const [first] = encoder.chunk({ choices: [choice({ content: 'Hel' }, null, lp('Hel'))] })
    const [second] = encoder.chunk({ choices: [choice({ content: 'lo' }, null, lp('lo'))] })
    expect(first?.data).toMatchObject({ object: 'text_completion', choices: [{ text: 'Hel', logprobs: { text_offset: [0] } }] })
    expect(second?.data).toMatchObject({ choices: [{ text: 'lo', logprobs: { text_offset: [3] } }] })
    expect(encoder.chunk({ choices: [choice({}, 'stop')] })).toEqual([{ data: {
      id: 'gen-1', object: 'text_completion', created: 1, model: 'anthropic/claude-sonnet-4', provider: 'Anthropic',
      choices: [{ index: 0, text: '', finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }],
    } }])
  })
})
