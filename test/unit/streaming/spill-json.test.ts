// A long non-streaming answer written as its text arrives (api/spill-json.ts) must parse to
// exactly the object the assembled answer serializes to, whatever the text holds, in each
// skin's shape: chat's, Messages' and legacy completions'.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonText, markText, spillHead, spillPath, spillTail, splitText, withText } from '../../../src/api/spill-json.ts'
import type { Cost } from '../../../src/billing/pricing.ts'
import type { CanonicalChunk, CanonicalResponse, FinishReason, Usage } from '../../../src/providers/types.ts'
import { completionBody } from '../../../src/skins/chat/render.ts'
import { textCompletionBody } from '../../../src/skins/completions/render.ts'
import { messageBody } from '../../../src/skins/messages/response.ts'
import { assembleChat } from '../../../src/streaming/assemble.ts'

const meta = { id: 'gen-1', created: 1_700_000_000, model: 'fake/echo', provider: 'Fake', promptTokens: 3 }
const cost: Cost = { total: 12 as Cost['total'], prompt: 2 as Cost['prompt'], completion: 10 as Cost['completion'] }
const usage: Usage = { prompt_tokens: 3, completion_tokens: 9, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }
const text = (content: string, extra: Partial<CanonicalChunk> = {}): CanonicalChunk => ({
  choices: [{ index: 0, delta: { content }, finish_reason: null, native_finish_reason: null, logprobs: null }], ...extra,
})

type Render = (res: CanonicalResponse) => unknown
const SKINS: Record<string, Render> = {
  chat: (res) => completionBody(meta, res, usage, cost),
  messages: (res) => messageBody(meta, res, usage, cost, {}),
  completions: (res) => textCompletionBody(meta, res, usage, cost),
}
const withFinish = (res: CanonicalResponse, finish: FinishReason): CanonicalResponse =>
  ({ ...res, choices: res.choices.map((c) => (c.index === 0 ? { ...c, finish_reason: finish } : c)) })

/**
 * The JSON for a stream as api/spill-response.ts writes it: the head from the body at the
 * commit, each chunk's text escaped as it comes, then the tail from what is left; or, when
 * the body cannot be written along its text, the whole body with the text put in.
 */
const spilled = (render: Render, chunks: CanonicalChunk[], { commitAfter = 0, extra, finish }: { commitAfter?: number; extra?: Record<string, unknown>; finish?: FinishReason } = {}) => {
  const seen = { upstreamId: false, fingerprint: false }
  const parts: CanonicalChunk[] = [{ choices: [{ index: 0, delta: {}, finish_reason: null, native_finish_reason: null, logprobs: null }] }]
  let text = ''
  const add = (chunk: CanonicalChunk) => {
    const { text: t, left } = splitText(chunk, seen)
    text += jsonText(t)
    if (left) parts.push(left)
  }
  chunks.slice(0, commitAfter).forEach(add)
  const head = render(markText(assembleChat(parts)))
  const path = spillPath(head)
  let out = path ? spillHead(head, path) + text : ''
  if (path) text = ''
  chunks.slice(commitAfter).forEach(add)
  const rest = assembleChat(parts)
  const end = render(markText(finish ? withFinish(rest, finish) : rest))
  return { json: path ? out + text + spillTail(end, extra) : withText({ ...(end as object), ...extra }, text), spilled: path !== undefined }
}
const assembled = (render: Render, chunks: CanonicalChunk[]) => JSON.stringify(render(assembleChat(chunks)))

/** Text with quotes, backslashes, control characters and astral characters, cut at any UTF-16 unit (so a pair can split). */
const pieces = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\n', '\u0000', '\u2028', '😀', '\ud83d', '\ude00', '</script>')), { minLength: 1, maxLength: 40 })
  .chain((bits) => {
    const whole = bits.join('')
    return fc.uniqueArray(fc.integer({ min: 0, max: whole.length }), { maxLength: 30 })
      .map((cuts) => [0, ...cuts.sort((a, b) => a - b), whole.length].map((at, i, all) => whole.slice(at, all[i + 1] ?? at)).filter((p, i, all) => p !== '' || i === 0 || i === all.length))
  })

describe('an answer written as its text arrives', () => {
  for (const [skin, render] of Object.entries(SKINS)) {
    it(`${skin}: parses to the assembled answer for any text, cut anywhere, with the stream's other parts`, () => {
      fc.assert(fc.property(pieces, fc.boolean(), fc.boolean(), fc.nat({ max: 3 }), (texts, reasoning, fingerprint, commitAfter) => {
        const chunks: CanonicalChunk[] = [
          { upstreamId: 'up-1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }] },
          ...(reasoning ? [{ choices: [{ index: 0, delta: { reasoning: 'thinking "hard"' }, finish_reason: null, native_finish_reason: null, logprobs: null }] }] : []),
          ...texts.map((t, i) => text(t, fingerprint && i === 0 ? { systemFingerprint: 'fp-1' } : {})),
          { choices: [{ index: 0, delta: { content: '.' }, finish_reason: 'stop', native_finish_reason: 'stop', logprobs: null }] },
          { choices: [], usage },
        ]
        const out = spilled(render, chunks, { commitAfter })
        const whole = JSON.parse(assembled(render, chunks))
        // Messages puts thinking before the text: an answer that thought before the commit is
        // held whole. One whose thinking came only after its text had gone out keeps the
        // stream's order, text first (the assembled body puts thinking first whenever it came).
        const thoughtLate = skin === 'messages' && reasoning && commitAfter < 2
        if (thoughtLate) expect(JSON.parse(out.json)).toEqual({ ...whole, content: [whole.content[1], whole.content[0]] })
        else expect(JSON.parse(out.json)).toEqual(whole)
        expect(out.spilled).toBe(!(skin === 'messages' && reasoning && !thoughtLate))
      }), { numRuns: 200 })
    })

    it(`${skin}: closes validly after a failure, with the error object`, () => {
      const error = { code: 502, message: 'Upstream connection failed', metadata: { error_type: 'network' } }
      const chunks = [text('half an ans'), text('wer "so far"')]
      const parsed = JSON.parse(spilled(render, chunks, { commitAfter: 1, extra: { error }, finish: 'error' }).json) as Record<string, unknown>
      expect(parsed.error).toEqual(error)
      expect(JSON.stringify(parsed)).toContain('half an answer \\"so far\\"')
      expect({ ...parsed, error: undefined }).toEqual({ ...JSON.parse(JSON.stringify(render(withFinish(assembleChat(chunks), 'error')))), error: undefined })
    })
  }

  it('keeps a lone surrogate half as the assembled answer does, and a pair split across chunks whole', () => {
    const chunks = [text('a\ud83d'), text('\ude00b'), text('\udc00'), { ...text(''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' as const, native_finish_reason: null, logprobs: null }] }]
    const parsed = JSON.parse(spilled(SKINS.chat!, chunks).json)
    expect(parsed.choices[0].message.content).toBe('a😀b\udc00')
    expect(parsed).toEqual(JSON.parse(assembled(SKINS.chat!, chunks)))
  })

  it('chat: a failure is finish_reason "error" on the one choice', () => {
    const parsed = JSON.parse(spilled(SKINS.chat!, [text('half')], { commitAfter: 1, extra: { error: { code: 502 } }, finish: 'error' }).json)
    expect(parsed.choices).toHaveLength(1)
    expect(parsed.choices[0]).toMatchObject({ index: 0, finish_reason: 'error', message: { role: 'assistant', content: 'half' } })
    expect(parsed.usage.cost).toBeTypeOf('number')
  })

  it('finds no path in a body that repeats its text, or keeps it behind another item', () => {
    const mark = markText(assembleChat([text('')])).choices[0]!.message.content
    expect(spillPath({ output: [{ content: [{ text: mark }] }], output_text: mark })).toBeUndefined()
    expect(spillPath({ content: [{ type: 'thinking' }, { type: 'text', text: mark }] })).toBeUndefined()
    expect(spillPath({ content: [{ type: 'text', text: mark }, { type: 'thinking' }] })).toEqual(['content', 0, 'text'])
    expect(spillPath({ content: 'no mark' })).toBeUndefined()
  })

  it('leaves nothing of a plain text delta to hold, so the rest held does not grow with the answer', () => {
    const seen = { upstreamId: false, fingerprint: false }
    expect(splitText(text('x', { upstreamId: 'u' }), seen).left).toBeDefined()
    expect(splitText(text('y', { upstreamId: 'u' }), seen).left).toBeUndefined()
    expect(splitText(text('z'), seen)).toEqual({ text: 'z', left: undefined })
  })
})
