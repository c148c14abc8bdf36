// The auto router's `*` globs: same answers as the anchored RegExp they replaced, in
// bounded time for patterns a request may send (the RegExp backtracked for minutes).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { globMatch } from '../../../src/routing/auto.ts'

/** The reference: `*` is `.*`, everything else literal, anchored, case-insensitive. */
const reference = (pattern: string, id: string) =>
  new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s\\S]*')}$`, 'i').test(id)

// A small alphabet so that matches happen often; at most 4 stars keeps the reference fast.
const text = fc.string({ unit: fc.constantFrom('a', 'B', '/', '-', '.'), maxLength: 12 })
const pattern = fc.array(fc.oneof(text, fc.constant('*')), { maxLength: 6 })
  .filter((parts) => parts.filter((p) => p === '*').length <= 4)
  .map((parts) => parts.join(''))

describe('globMatch', () => {
  it('agrees with the anchored RegExp', () => {
    fc.assert(fc.property(pattern, text, (p, id) => globMatch(p, id) === reference(p, id)), { numRuns: 2000 })
  })

  it('matches ids made from the pattern itself', () => {
    fc.assert(fc.property(pattern, fc.array(text, { maxLength: 5 }), (p, fills) => {
      let i = 0
      const id = p.replace(/\*/g, () => fills[i++] ?? '')
      return globMatch(p, id.toUpperCase())
    }))
  })

  it.each([
    ['openai/*', 'openai/gpt-4o', true],
    ['*/gpt-4o*', 'openai/gpt-4o-mini', true],
    ['OpenAI/GPT-4o', 'openai/gpt-4o', true],
    ['openai/*', 'anthropic/claude', false],
    ['a.b', 'axb', false],
    ['', '', true],
    ['*', '', true],
  ])('%s against %s → %s', (p, id, expected) => {
    expect(globMatch(p, id)).toBe(expected)
  })

  it('answers a pathological pattern at once', () => {
    const started = performance.now()
    expect(globMatch(`${'*'.repeat(200)}!`, 'meta-llama/llama-3.3-70b-instruct'.repeat(5))).toBe(false)
    expect(globMatch(`${'*a'.repeat(100)}!`, 'a'.repeat(200))).toBe(false)
    // The RegExp took over 15 s for ten stars; a linear scan takes well under a second even on a slow machine.
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
