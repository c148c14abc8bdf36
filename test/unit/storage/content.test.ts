// Content logging's pure parts: who asks for storing (account, key, header), the header's
// values, the expiry's bounds, and the readable prompt and completion of every skin's shape.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GatewayError } from '../../../src/errors.ts'
import { CONTENT_RETENTION_DAYS, expiresAt, headerAsks, logsContent, type ContentLogging } from '../../../src/storage/content-policy.ts'
import { completionText, promptTurns } from '../../../src/storage/content-text.ts'

const DAY_MS = 86_400_000

describe('content policy', () => {
  it('stores only when asked: always, or opt_in with the key or the header; never overrides both', () => {
    fc.assert(fc.property(fc.constantFrom<ContentLogging>('opt_in', 'always', 'never'), fc.boolean(), fc.boolean(), (account, key, header) => {
      const expected = account === 'always' ? true : account === 'never' ? false : key || header
      expect(logsContent({ contentLogging: account, logContent: key }, header)).toBe(expected)
    }))
    expect(logsContent({ contentLogging: 'opt_in', logContent: false }, false)).toBe(false)
  })

  it('reads the header as on or off, and refuses anything else', () => {
    expect(headerAsks(undefined)).toBe(false)
    for (const v of ['1', 'true', ' TRUE ', 'on', 'yes']) expect(headerAsks(v)).toBe(true)
    for (const v of ['0', 'false', 'off', 'no']) expect(headerAsks(v)).toBe(false)
    for (const v of ['', '2', 'maybe', 'enable']) expect(() => headerAsks(v)).toThrow(GatewayError)
  })

  it('expires after the retention days, kept within 1 and 365', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: -10, max: 1000 }), (at, days) => {
      const bounded = Math.min(CONTENT_RETENTION_DAYS.max, Math.max(CONTENT_RETENTION_DAYS.min, days))
      expect(expiresAt(at, days)).toBe(at + bounded * DAY_MS)
    }))
  })
})

describe('content text', () => {
  it('turns each skin\'s request into role/text turns, system first', () => {
    expect(promptTurns({ messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'x' } }] }] }))
      .toEqual([{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi\n[image_url]' }])
    expect(promptTurns({ system: [{ type: 'text', text: 'be brief' }], messages: [{ role: 'user', content: 'hello' }] }))
      .toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }])
    expect(promptTurns({ instructions: 'inst', input: 'question' })).toEqual([{ role: 'system', content: 'inst' }, { role: 'user', content: 'question' }])
    expect(promptTurns({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'q' }] }] })).toEqual([{ role: 'user', content: 'q' }])
    expect(promptTurns({ model: 'm', prompt: 'complete me' })).toEqual([{ role: 'user', content: 'complete me' }])
    expect(promptTurns({ model: 'm', input: ['a', 'b'] })).toEqual([{ role: 'user', content: 'a\nb' }])
    expect(promptTurns('not json')).toEqual([{ role: 'user', content: 'not json' }])
    expect(promptTurns(null)).toEqual([])
  })

  it('takes the completion\'s text from each skin\'s response, and none from embeddings', () => {
    expect(completionText({ choices: [{ message: { content: 'answer', tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] } }] }))
      .toBe('answer\n[tool_call f] {"a":1}')
    expect(completionText({ choices: [{ text: 'legacy' }] })).toBe('legacy')
    expect(completionText({ type: 'message', content: [{ type: 'thinking', thinking: '…' }, { type: 'text', text: 'claude' }] })).toBe('[thinking]\nclaude')
    expect(completionText({ output: [{ type: 'reasoning', content: [] }, { type: 'message', content: [{ type: 'output_text', text: 'resp' }] }] })).toBe('resp')
    expect(completionText({ object: 'list', data: [{ embedding: [0.1] }] })).toBeNull()
    expect(completionText('text')).toBeNull()
  })
})
