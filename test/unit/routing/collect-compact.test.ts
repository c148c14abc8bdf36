// Text deltas joined while a non-streaming answer is read (src/routing/collect.ts appendChunk):
// whatever the chunk sequence, the assembled answer is the same as from every chunk kept.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CanonicalChunk, CanonicalChunkChoice } from '../../../src/providers/types.ts'
import { appendChunk } from '../../../src/routing/collect.ts'
import { assembleChat, assembleText } from '../../../src/streaming/assemble.ts'

const choice = (index: number, delta: CanonicalChunkChoice['delta'], finish: CanonicalChunkChoice['finish_reason'] = null): CanonicalChunkChoice =>
  ({ index, delta, finish_reason: finish, native_finish_reason: finish, logprobs: null })

const chunkArb: fc.Arbitrary<CanonicalChunk> = fc.record({
  index: fc.nat(1),
  kind: fc.constantFrom('text', 'text', 'text', 'role', 'finish', 'usage', 'tool', 'reasoning', 'logprobs', 'two'),
  text: fc.string({ maxLength: 4 }),
  id: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  fp: fc.option(fc.constantFrom('fp1', 'fp2'), { nil: undefined }),
}).map(({ index, kind, text, id, fp }): CanonicalChunk => {
  const ids = { ...(id ? { upstreamId: id } : {}), ...(fp ? { systemFingerprint: fp } : {}) }
  switch (kind) {
    case 'role': return { ...ids, choices: [choice(index, { role: 'assistant', content: text })] }
    case 'finish': return { ...ids, choices: [choice(index, {}, 'stop')] }
    case 'usage': return { ...ids, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 } }
    case 'tool': return { ...ids, choices: [choice(index, { tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: text } }] })] }
    case 'reasoning': return { ...ids, choices: [choice(index, { reasoning: text })] }
    case 'logprobs': return { ...ids, choices: [{ ...choice(index, { content: text }), logprobs: { content: [{ token: text }] } }] }
    case 'two': return { ...ids, choices: [choice(0, { content: text }), choice(1, { content: text })] }
    default: return { ...ids, choices: [choice(index, { content: text })] }
  }
})

const compacted = (chunks: CanonicalChunk[]) => {
  const out: CanonicalChunk[] = []
  for (const c of chunks) appendChunk(out, c)
  return out
}

describe('appendChunk', () => {
  it('assembles to the same chat and text answers as keeping every chunk', () => {
    fc.assert(fc.property(fc.array(chunkArb, { maxLength: 30 }), (chunks) => {
      const joined = compacted(chunks)
      expect(joined.length).toBeLessThanOrEqual(chunks.length)
      expect(assembleChat(joined)).toEqual(assembleChat(chunks))
      expect(assembleText(joined)).toEqual(assembleText(chunks))
    }), { numRuns: 3_000 })
  })

  it('a long text answer is held as one chunk, its first id kept', () => {
    const chunks: CanonicalChunk[] = [{ upstreamId: 'u1', choices: [choice(0, { role: 'assistant', content: '' })] }]
    for (let i = 0; i < 1_000; i++) chunks.push({ upstreamId: 'u1', choices: [choice(0, { content: `w${i} ` })] })
    chunks.push({ choices: [choice(0, {}, 'stop')] })
    const joined = compacted(chunks)
    expect(joined).toHaveLength(2)
    expect(joined[0]).toMatchObject({ upstreamId: 'u1', choices: [{ delta: { role: 'assistant' } }] })
    expect(assembleChat(joined).choices[0]!.message.content).toBe(Array.from({ length: 1_000 }, (_, i) => `w${i} `).join(''))
  })

  it('leaves the chunks it is given as they were', () => {
    const first: CanonicalChunk = { choices: [choice(0, { content: 'a' })] }
    const out: CanonicalChunk[] = []
    appendChunk(out, first)
    appendChunk(out, { choices: [choice(0, { content: 'b' })] })
    expect(first.choices[0]!.delta.content).toBe('a')
    expect(out[0]!.choices[0]!.delta.content).toBe('ab')
  })
})
