// The OpenAI stream's fast path (src/providers/openai-chunk.ts) against the schema's path:
// every event it takes, the schema accepts and maps to the same chunk; everything else it leaves.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromChunk, fromUpstreamEvent } from '../../../src/providers/openai.ts'
import { plainTextChunk } from '../../../src/providers/openai-chunk.ts'
import { OpenAIChunk } from '../../../src/providers/wire/openai.ts'

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const nullish = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined))
const odd = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]), fc.string())
const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** Events near the plain shape: mostly plain text deltas, some with anything the fast path must leave to the schema. */
const event = fc.record({
  id: maybe(nullish(fc.oneof(fc.string(), odd))),
  system_fingerprint: maybe(nullish(fc.string())),
  object: maybe(fc.constant('chat.completion.chunk')),
  usage: maybe(nullish(fc.constant({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }))),
  error: maybe(nullish(fc.constant({ message: 'boom' }))),
  choices: fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.record({
      index: maybe(fc.oneof(fc.nat(3), fc.constant(1.5), fc.constant('0'))),
      delta: maybe(fc.oneof(odd, fc.record({
        role: maybe(nullish(fc.oneof(fc.constant('assistant'), fc.constant('tool'), odd))),
        content: maybe(nullish(fc.oneof(fc.string(), odd))),
        refusal: maybe(nullish(fc.string())),
        reasoning: maybe(nullish(fc.string())),
        reasoning_content: maybe(nullish(fc.string())),
        tool_calls: maybe(nullish(fc.constant([{ index: 0, function: { arguments: '{' } }]))),
        extra: maybe(odd),
      }).map(drop))),
      finish_reason: maybe(nullish(fc.constantFrom('stop', 'length', 'tool_calls'))),
      logprobs: maybe(nullish(fc.constant({ content: [] }))),
    }).map(drop), { minLength: 0, maxLength: 2 }) },
    { weight: 1, arbitrary: odd },
  ),
}).map(drop)

describe('plainTextChunk', () => {
  it('takes only events the schema accepts, and maps them as the schema path does', () => {
    fc.assert(fc.property(event, (json) => {
      const plain = plainTextChunk(json)
      if (!plain) return
      const parsed = OpenAIChunk.safeParse(json)
      expect(parsed.success).toBe(true)
      expect(plain).toEqual(fromChunk(parsed.data!))
    }), { numRuns: 2_000 })
  })

  it('takes the common text delta, and leaves usage, finishes, tool calls, reasoning and errors to the schema', () => {
    const base = { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }
    expect(plainTextChunk(base)).toEqual({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null, native_finish_reason: null, logprobs: null }], upstreamId: 'c1' })
    expect(plainTextChunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })).toBeDefined()
    const choice = base.choices[0]!
    for (const other of [
      { ...base, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
      { ...base, choices: [{ ...choice, finish_reason: 'stop' }] },
      { ...base, choices: [{ ...choice, delta: { tool_calls: [{ index: 0 }] } }] },
      { ...base, choices: [{ ...choice, delta: { reasoning_content: 'hmm' } }] },
      { ...base, choices: [{ ...choice, logprobs: { content: [] } }] },
      { ...base, choices: [] },
      { error: { message: 'overloaded' } },
    ]) expect(plainTextChunk(other)).toBeUndefined()
  })

  it('fromUpstreamEvent gives the same chunks with and without the fast path', () => {
    fc.assert(fc.property(event, (json) => {
      const got = fromUpstreamEvent({ data: JSON.stringify(json) }, null)
      const parsed = OpenAIChunk.safeParse(json)
      if (!parsed.success || parsed.data.error) expect(got.kind).toBe('error')
      else expect(got).toEqual({ kind: 'chunks', chunks: [fromChunk(parsed.data)], state: null })
    }), { numRuns: 1_000 })
  })
})
