// The cost breakdown /generation shows: parts that always add up to the charged total, in
// proportion to what each part costs at the endpoint's prices.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { costOf } from '../../../src/billing/pricing.ts'
import { COST_PARTS, costWeights, splitCost, type StoredUsage } from '../../../src/billing/cost-split.ts'
import type { Pricing } from '../../../src/catalog/schema.ts'

/** $3 / $15, cache read $0.30, cache write $3.75 (Claude Sonnet). */
const SONNET: Pricing = { prompt: 3_000_000, completion: 15_000_000, cache_read: 300_000, cache_write: 3_750_000 }
const usage = (over: Partial<StoredUsage>): StoredUsage => ({ prompt: 0, cached: 0, cacheWrite: 0, completion: 0, reasoning: 0, ...over })

describe('splitCost', () => {
  it('splits an exact total exactly: prompt, cache read, cache write, completion and its reasoning', () => {
    // 1000 uncached × 3 µ$ = 3000; 2000 cached × 0.3 = 600; 400 written × 3.75 = 1500; 300 visible × 15 = 4500; 100 reasoning × 15 = 1500
    const u = usage({ prompt: 3400, cached: 2000, cacheWrite: 400, completion: 400, reasoning: 100 })
    expect(splitCost(11_100, costWeights(u, SONNET))).toEqual({ prompt: 3000, cache_read: 600, cache_write: 1500, request: 0, completion: 4500, reasoning: 1500 })
  })

  it('shares a rounded-up total by largest remainder: one prompt token and one completion token', () => {
    // 3 p$ : 15 p$ of a 1 µ$ charge (costOf rounded 18 p$ up): the completion's larger share takes it.
    const u = usage({ prompt: 1, completion: 1 })
    const cheap: Pricing = { prompt: 3, completion: 15 }
    expect(costOf({ prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }, cheap, 0).total).toBe(1)
    expect(splitCost(1, costWeights(u, cheap))).toMatchObject({ prompt: 0, completion: 1 })
  })

  it('a per-request fee is its own part; a free generation is all zeros; a total with nothing to share it by is null', () => {
    expect(splitCost(2500, costWeights(usage({ prompt: 1000 }), { prompt: 1_500_000, completion: 0, request: 1000 }))).toMatchObject({ prompt: 1500, request: 1000 })
    expect(splitCost(0, costWeights(usage({ prompt: 10, completion: 10 }), SONNET))).toEqual(Object.fromEntries(COST_PARTS.map((k) => [k, 0])))
    expect(splitCost(42, costWeights(usage({ prompt: 10, completion: 10 }), { prompt: 0, completion: 0 }))).toBeNull()
  })

  it('for any usage, prices and markup: the parts are whole, non-negative and sum to the total; at no markup each is within 2 µ$ of its own cost', () => {
    const price = fc.integer({ min: 0, max: 100_000_000 })
    fc.assert(
      fc.property(
        fc.record({ prompt: fc.nat(2_000_000), cached: fc.nat(2_000_000), cacheWrite: fc.nat(2_000_000), completion: fc.nat(500_000), reasoning: fc.nat(500_000) }),
        fc.record({ prompt: price, completion: price, cache_read: fc.option(price, { nil: undefined }), cache_write: fc.option(price, { nil: undefined }), request: fc.option(fc.nat(10_000), { nil: undefined }) }),
        fc.integer({ min: 0, max: 5_000 }),
        (u, rawPricing, markup) => {
          const p = Object.fromEntries(Object.entries(rawPricing).filter(([, v]) => v !== undefined)) as Pricing
          const total = costOf({ prompt_tokens: u.prompt, completion_tokens: u.completion, cached_tokens: u.cached, cache_write_tokens: u.cacheWrite, reasoning_tokens: u.reasoning }, p, markup).total
          const weights = costWeights(u, p)
          const split = splitCost(total, weights)
          if (total === 0) return expect(split && Object.values(split).every((v) => v === 0)).toBe(true)
          expect(split).not.toBeNull()
          const parts = COST_PARTS.map((k) => split?.[k] ?? -1)
          expect(parts.every((v) => Number.isSafeInteger(v) && v >= 0)).toBe(true)
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total)
          if (markup === 0) for (const k of COST_PARTS) expect(Math.abs((split?.[k] ?? 0) - Number(weights[k]) / 1e6)).toBeLessThanOrEqual(2)
        },
      ),
      { numRuns: 300 },
    )
  })
})
