// A long non-streaming chat answer written as its text arrives (api/spill-json.ts) must parse
// to exactly the object the assembled answer serializes to, whatever the text holds.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonText, spillHead, spillTail, splitText } from '../../../src/api/spill-json.ts'
import type { Cost } from '../../../src/billing/pricing.ts'
import type { CanonicalChunk, Usage } from '../../../src/providers/types.ts'
import { completionBody } from '../../../src/skins/chat/render.ts'
import { assembleChat } from '../../../src/streaming/assemble.ts'

const meta = { id: 'gen-1', created: 1_700_000_000, model: 'fake/echo', provider: 'Fake', promptTokens: 3 }
const cost: Cost = { total: 12 as Cost['total'], prompt: 2 as Cost['prompt'], completion: 10 as Cost['completion'] }
const usage: Usage = { prompt_tokens: 3, completion_tokens: 9, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }
const text = (content: string, extra: Partial<CanonicalChunk> = {}): CanonicalChunk => ({
  choices: [{ index: 0, delta: { content }, finish_reason: null, native_finish_reason: null, logprobs: null }], ...extra,
})

/** The spilled JSON for a stream: head, each chunk's text escaped as it comes, then the tail from what is left. */
const spilled = (chunks: CanonicalChunk[], extra?: Record<string, unknown>, finish?: string): string => {
  const seen = { upstreamId: false, fingerprint: false }
  const parts: CanonicalChunk[] = [{ choices: [{ index: 0, delta: {}, finish_reason: null, native_finish_reason: null, logprobs: null }] }]
  let out = spillHead(completionBody(meta, assembleChat(parts), usage, cost))
  for (const chunk of chunks) {
    const { text: t, left } = splitText(chunk, seen)
    out += jsonText(t)
    if (left) parts.push(left)
  }
  return out + spillTail(completionBody(meta, assembleChat(parts), usage, cost), extra, finish)
}
const assembled = (chunks: CanonicalChunk[]) => JSON.stringify(completionBody(meta, assembleChat(chunks), usage, cost))

/** Text with quotes, backslashes, control characters and astral characters, cut at any UTF-16 unit (so a pair can split). */
const pieces = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\n', '\u0000', '\u2028', '😀', '\ud83d', '\ude00', '</script>')), { minLength: 1, maxLength: 40 })
  .chain((bits) => {
    const whole = bits.join('')
    return fc.uniqueArray(fc.integer({ min: 0, max: whole.length }), { maxLength: 30 })
      .map((cuts) => [0, ...cuts.sort((a, b) => a - b), whole.length].map((at, i, all) => whole.slice(at, all[i + 1] ?? at)).filter((p, i, all) => p !== '' || i === 0 || i === all.length))
  })

describe('a chat answer written as its text arrives', () => {
  it('parses to the assembled answer for any text, cut anywhere, with the stream\'s other parts', () => {
    fc.assert(fc.property(pieces, fc.boolean(), fc.boolean(), (texts, reasoning, fingerprint) => {
      const chunks: CanonicalChunk[] = [
        { upstreamId: 'up-1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }] },
        ...(reasoning ? [{ choices: [{ index: 0, delta: { reasoning: 'thinking "hard"' }, finish_reason: null, native_finish_reason: null, logprobs: null }] }] : []),
        ...texts.map((t, i) => text(t, fingerprint && i === 0 ? { systemFingerprint: 'fp-1' } : {})),
        { choices: [{ index: 0, delta: { content: '.' }, finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }] },
        { choices: [], usage },
      ]
      const out = spilled(chunks)
      expect(JSON.parse(out)).toEqual(JSON.parse(assembled(chunks)))
    }), { numRuns: 300 })
  })

  it('keeps a lone surrogate half as the assembled answer does, and a pair split across chunks whole', () => {
    const chunks = [text('a\ud83d'), text('\ude00b'), text('\udc00'), { ...text(''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' as const, native_finish_reason: null, logprobs: null }] }]
    const parsed = JSON.parse(spilled(chunks))
    expect(parsed.choices[0].message.content).toBe('a😀b\udc00')
    expect(parsed).toEqual(JSON.parse(assembled(chunks)))
  })

  it('closes validly after a failure: finish_reason "error" and the error object', () => {
    const error = { code: 502, message: 'Upstream connection failed', metadata: { error_type: 'network' } }
    const parsed = JSON.parse(spilled([text('half an ans'), text('wer "so far"')], { error }, 'error'))
    expect(parsed.choices).toHaveLength(1)
    expect(parsed.choices[0]).toMatchObject({ index: 0, finish_reason: 'error', message: { role: 'assistant', content: 'half an answer "so far"' } })
    expect(parsed.error).toEqual(error)
    expect(parsed.usage.cost).toBeTypeOf('number')
  })

  it('leaves nothing of a plain text delta to hold, so the rest held does not grow with the answer', () => {
    const seen = { upstreamId: false, fingerprint: false }
    expect(splitText(text('x', { upstreamId: 'u' }), seen).left).toBeDefined()
    expect(splitText(text('y', { upstreamId: 'u' }), seen).left).toBeUndefined()
    expect(splitText(text('z'), seen)).toEqual({ text: 'z', left: undefined })
  })
})
