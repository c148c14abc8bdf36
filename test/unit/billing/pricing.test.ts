// Cost arithmetic to the microdollar (docs/compatibility.md#billing; docs/invariants.md).
// Prices are µ$ per million tokens = picodollars (p$) per token, so every figure
// below is tokens × price in p$, divided by 1e6 for µ$, rounded UP once.
import { describe, expect, it } from 'vitest'
import type { Pricing } from '../../../src/catalog/schema.ts'
import { affordableOutput, costOf, estimatePromptTokens, isInsured, worstCase } from '../../../src/billing/pricing.ts'
import type { Usage } from '../../../src/providers/types.ts'
import { mulberry32 } from '../_helpers/rng.ts'

const usage = (over: Partial<Usage>): Usage => ({
  prompt_tokens: 0,
  completion_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  ...over,
})

/** $2.50 / $10.00 per million (gpt-4o list prices). */
const GPT4O: Pricing = { prompt: 2_500_000, completion: 10_000_000, cache_read: 1_250_000 }
/** $1.10 / $4.40, cache read $0.275 (o4-mini). */
const O4_MINI: Pricing = { prompt: 1_100_000, completion: 4_400_000, cache_read: 275_000 }
/** $3 / $15, cache read $0.30, cache write $3.75 (Claude Sonnet). */
const SONNET: Pricing = { prompt: 3_000_000, completion: 15_000_000, cache_read: 300_000, cache_write: 3_750_000 }

describe('costOf', () => {
  it('plain prompt + completion', () => {
    // prompt 1000 × 2_500_000 = 2_500_000_000 p$ = 2500 µ$
    // completion 500 × 10_000_000 = 5_000_000_000 p$ = 5000 µ$
    expect(costOf(usage({ prompt_tokens: 1000, completion_tokens: 500 }), GPT4O, 0)).toEqual({
      total: 7500,
      prompt: 2500,
      completion: 5000,
    })
  })

  it('cached tokens at the cache_read price; reasoning tokens are already inside completion (chat-text.json usage)', () => {
    // uncached (1536 − 1280) = 256 × 1_100_000 = 281_600_000 p$
    // cached 1280 × 275_000                    = 352_000_000 p$
    // prompt = 633_600_000 p$ = 633.6 µ$ → 634
    // completion 212 × 4_400_000 = 932_800_000 p$ = 932.8 µ$ → 933 (the 192 reasoning tokens are not added again)
    // total = 1_566_400_000 p$ = 1566.4 µ$ → 1567
    const u = usage({ prompt_tokens: 1536, completion_tokens: 212, cached_tokens: 1280, reasoning_tokens: 192 })
    expect(costOf(u, O4_MINI, 0)).toEqual({ total: 1567, prompt: 634, completion: 933 })
  })

  it('cached tokens at the prompt price when the endpoint has no cache_read price', () => {
    // 1536 × 1_100_000 = 1_689_600_000 p$ → 1689.6 → 1690 µ$; completion 0
    const u = usage({ prompt_tokens: 1536, completion_tokens: 0, cached_tokens: 1280 })
    expect(costOf(u, { prompt: 1_100_000, completion: 4_400_000 }, 0)).toEqual({ total: 1690, prompt: 1690, completion: 0 })
  })

  it('cache writes at the cache_write price, reads at cache_read, the rest at prompt', () => {
    // uncached 10_000 − 2000 − 5000 = 3000 × 3_000_000 = 9_000_000_000 p$
    // cached   2000 × 300_000                        =   600_000_000 p$
    // written  5000 × 3_750_000                      = 18_750_000_000 p$
    // prompt = 28_350_000_000 p$ = 28_350 µ$; completion 100 × 15_000_000 = 1_500_000_000 p$ = 1500 µ$
    const u = usage({ prompt_tokens: 10_000, cached_tokens: 2000, cache_write_tokens: 5000, completion_tokens: 100 })
    expect(costOf(u, SONNET, 0)).toEqual({ total: 29_850, prompt: 28_350, completion: 1500 })
  })

  it('never bills more cached/written tokens than the prompt had', () => {
    // cached clamps to 100 (all 100 tokens at 300_000 = 30_000_000 p$ = 30 µ$), writes clamp to 0
    const u = usage({ prompt_tokens: 100, cached_tokens: 150, cache_write_tokens: 50, completion_tokens: 0 })
    expect(costOf(u, SONNET, 0, 'stop').total).toBe(30)
    // writes clamp to what reads left: 60 read × 300_000 + 40 written × 3_750_000 = 18_000_000 + 150_000_000 = 168 µ$
    const v = usage({ prompt_tokens: 100, cached_tokens: 60, cache_write_tokens: 90 })
    expect(costOf(v, SONNET, 0, 'stop').total).toBe(168)
  })

  it('adds the per-request fee (whole µ$) to the prompt side', () => {
    // fee 5000 µ$; prompt 10 × 1_000_000 = 10 µ$; completion 1 × 2_000_000 = 2 µ$
    const pricing: Pricing = { prompt: 1_000_000, completion: 2_000_000, request: 5000 }
    expect(costOf(usage({ prompt_tokens: 10, completion_tokens: 1 }), pricing, 0)).toEqual({ total: 5012, prompt: 5010, completion: 2 })
  })

  it('applies markup in basis points before rounding', () => {
    // 550 bps = ×1.055
    // prompt 2_500_000_000 p$ × 1.055 = 2_637_500_000 p$ = 2637.5 µ$ → 2638
    // completion 5_000_000_000 p$ × 1.055 = 5_275_000_000 p$ = 5275 µ$
    // total 7_912_500_000 p$ = 7912.5 µ$ → 7913
    expect(costOf(usage({ prompt_tokens: 1000, completion_tokens: 500 }), GPT4O, 550)).toEqual({
      total: 7913,
      prompt: 2638,
      completion: 5275,
    })
  })

  it('rounds fractional microdollars UP, never down', () => {
    const p = (prompt: number): Pricing => ({ prompt, completion: 0 })
    // 1 × 1 = 1 p$ → 1 µ$
    expect(costOf(usage({ prompt_tokens: 1 }), p(1), 0, 'stop').total).toBe(1)
    // 3 × 333_333 = 999_999 p$ → 1 µ$
    expect(costOf(usage({ prompt_tokens: 3 }), p(333_333), 0, 'stop').total).toBe(1)
    // 3 × 333_334 = 1_000_002 p$ → 2 µ$
    expect(costOf(usage({ prompt_tokens: 3 }), p(333_334), 0, 'stop').total).toBe(2)
    // exactly 1_000_000 p$ → 1 µ$ (no rounding when exact)
    expect(costOf(usage({ prompt_tokens: 4 }), p(250_000), 0, 'stop').total).toBe(1)
  })

  it('rounds up after markup too: a fraction of a picodollar is not dropped first', () => {
    // 1 × 666_667 p$ × 1.5 (5000 bps) = 1_000_000.5 p$ = 1.0000005 µ$ → 2 µ$
    // (flooring the markup to whole p$ first would give 1_000_000 p$ → 1 µ$, an undercharge)
    expect(costOf(usage({ prompt_tokens: 1 }), { prompt: 666_667, completion: 0 }, 5000, 'stop').total).toBe(2)
  })

  it('total is the sum rounded once, not the sum of rounded parts', () => {
    // prompt 1 × 400_000 = 0.4 µ$ → 1; completion 1 × 400_000 = 0.4 µ$ → 1; total 0.8 µ$ → 1
    expect(costOf(usage({ prompt_tokens: 1, completion_tokens: 1 }), { prompt: 400_000, completion: 400_000 }, 0)).toEqual({
      total: 1,
      prompt: 1,
      completion: 1,
    })
    // with markup ×1.5: prompt 1 p$ → 1.5 p$, completion 1_999_999 p$ → 2_999_998.5 p$;
    // exact sum 3_000_000 p$ = 3 µ$ (rounding each part to whole p$ first would give 3_000_001 p$ → 4 µ$)
    expect(costOf(usage({ prompt_tokens: 1, completion_tokens: 1 }), { prompt: 1, completion: 1_999_999 }, 5000)).toEqual({
      total: 3,
      prompt: 1,
      completion: 3,
    })
  })

  it('huge token counts stay exact (float arithmetic would undercharge)', () => {
    // 99_999_999_999 × 999_999 = 99_999_999_999_000_000 − 99_999_999_999 = 99_999_899_999_000_001 p$
    // = 99_999_899_999.000001 µ$ → 99_999_900_000 µ$; in floats the trailing 1 p$ vanishes (→ 99_999_899_999)
    const u = usage({ prompt_tokens: 99_999_999_999 })
    expect(Math.ceil((99_999_999_999 * 999_999) / 1e6)).toBe(99_999_899_999) // the float trap is real
    expect(costOf(u, { prompt: 999_999, completion: 0 }, 0, 'stop').total).toBe(99_999_900_000)
  })

  describe('zero-completion insurance', () => {
    const priced: Pricing = { ...GPT4O, request: 1000 }
    const zero = { total: 0, prompt: 0, completion: 0 }

    it('zero completion tokens and no finish reason: nothing charged, not even the request fee', () => {
      expect(costOf(usage({ prompt_tokens: 5000, completion_tokens: 0 }), priced, 550, null)).toEqual(zero)
    })

    it('finish reason error: nothing charged even with completion tokens', () => {
      expect(costOf(usage({ prompt_tokens: 5000, completion_tokens: 800, reasoning_tokens: 300 }), priced, 0, 'error')).toEqual(zero)
    })

    it('zero completion tokens but a real finish reason is charged (the model chose to say nothing)', () => {
      // prompt 5000 × 2_500_000 = 12_500 µ$ + fee 1000 µ$
      expect(costOf(usage({ prompt_tokens: 5000 }), priced, 0, 'stop')).toEqual({ total: 13_500, prompt: 13_500, completion: 0 })
      expect(costOf(usage({ prompt_tokens: 5000 }), priced, 0, 'length').total).toBe(13_500)
    })

    it('completion tokens without a finish reason (a cut-off stream) are charged', () => {
      // 12_500 + 1000 + 10 × 10_000_000 p$ (100 µ$)
      expect(costOf(usage({ prompt_tokens: 5000, completion_tokens: 10 }), priced, 0, null).total).toBe(13_600)
    })

    it('the finish reason defaults to stop (charged)', () => {
      expect(costOf(usage({ prompt_tokens: 5000 }), priced, 0).total).toBe(13_500)
    })

    it.each([
      [0, null, true],
      [0, 'error', true],
      [7, 'error', true],
      [0, 'stop', false],
      [0, 'tool_calls', false],
      [7, null, false],
      [7, 'stop', false],
    ] as const)('isInsured(completion %i, finish %s) = %s', (completion, finish, insured) => {
      expect(isInsured(usage({ prompt_tokens: 10, completion_tokens: completion }), finish)).toBe(insured)
    })
  })
})

describe('worstCase', () => {
  it('whole prompt at the dearer of prompt/cache_write, plus every output token', () => {
    // 1000 × 3_750_000 = 3_750_000_000 p$; 4096 × 15_000_000 = 61_440_000_000 p$; sum 65_190 µ$
    expect(worstCase(1000, 4096, SONNET, 0)).toBe(65_190)
    // without a cache_write price: 1000 × 3_000_000 = 3_000 µ$ + 61_440 µ$
    expect(worstCase(1000, 4096, { prompt: 3_000_000, completion: 15_000_000 }, 0)).toBe(64_440)
  })

  it('includes the request fee and the markup, rounded up', () => {
    // (65_190_000_000 + 2000 µ$ fee = 2_000_000_000 p$) × 1.01 = 67_861_900_000 p$ → 67_861.9 µ$ → 67_862
    expect(worstCase(1000, 4096, { ...SONNET, request: 2000 }, 100)).toBe(67_862)
  })

  it('is never below the actual cost of any usage within its bounds', () => {
    const rng = mulberry32(7)
    const pricings: Pricing[] = [GPT4O, O4_MINI, SONNET, { prompt: 333_333, completion: 777_777, request: 3 }]
    for (let i = 0; i < 2000; i++) {
      const pricing = pricings[i % pricings.length]!
      const promptTokens = Math.floor(rng() * 200_000)
      const maxOut = Math.floor(rng() * 32_000)
      const cached = Math.floor(rng() * promptTokens)
      const written = Math.floor(rng() * (promptTokens - cached))
      const u = usage({ prompt_tokens: promptTokens, cached_tokens: cached, cache_write_tokens: written, completion_tokens: Math.floor(rng() * maxOut) })
      const bps = Math.floor(rng() * 3000)
      expect(costOf(u, pricing, bps).total).toBeLessThanOrEqual(worstCase(promptTokens, maxOut, pricing, bps))
    }
  })
})

describe('affordableOutput', () => {
  it('what is left after the prompt, divided by the completion price', () => {
    // prompt 1000 × 2_500_000 = 2500 µ$; left 7500 µ$ = 7_500_000_000 p$; ÷ 10_000_000 = 750 tokens
    expect(affordableOutput(10_000, 1000, GPT4O, 0)).toBe(750)
  })

  it('with markup: the largest n whose worst case fits', () => {
    // 1000 bps: prompt 2_750 µ$; left 7_250_000_000 p$ ÷ (10_000_000 × 1.1) = 659.09 → 659
    expect(affordableOutput(10_000, 1000, GPT4O, 1000)).toBe(659)
    // (2_500_000_000 + 659 × 10_000_000) × 1.1 = 9_999_000_000 p$ = 9999 µ$ ≤ 10_000
    expect(worstCase(1000, 659, GPT4O, 1000)).toBe(9999)
    // one more token: (2.5e9 + 6.6e9) × 1.1 = 10_010 µ$ > 10_000
    expect(worstCase(1000, 660, GPT4O, 1000)).toBe(10_010)
  })

  it('0 when the prompt alone costs the whole balance (or more)', () => {
    expect(affordableOutput(2500, 1000, GPT4O, 0)).toBe(0)
    expect(affordableOutput(100, 1000, GPT4O, 0)).toBe(0)
  })

  it('unbounded when completions are free', () => {
    expect(affordableOutput(10_000, 1000, { prompt: 2_500_000, completion: 0 }, 0)).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('always yields a count whose worst case fits the balance', () => {
    const rng = mulberry32(11)
    for (let i = 0; i < 1000; i++) {
      const pricing: Pricing = {
        prompt: Math.floor(rng() * 20_000_000),
        completion: 1 + Math.floor(rng() * 80_000_000),
        request: Math.floor(rng() * 5000),
      }
      const available = Math.floor(rng() * 5_000_000)
      const promptTokens = Math.floor(rng() * 100_000)
      const bps = Math.floor(rng() * 2000)
      const n = affordableOutput(available, promptTokens, pricing, bps)
      if (n > 0) expect(worstCase(promptTokens, n, pricing, bps)).toBeLessThanOrEqual(available)
    }
  })
})

describe('estimatePromptTokens', () => {
  it.each([
    ['', 0],
    ['abc', 1],
    ['abcd', 2],
    ['é', 1], // 2 UTF-8 bytes
    ['☕☕', 2], // 6 bytes
    ['日本語テキスト', 7], // 7 × 3 bytes
    [JSON.stringify([{ role: 'user', content: 'Hello' }]), 12], // 35 bytes → ⌈35/3⌉
  ])('%j → %i', (text, tokens) => {
    expect(estimatePromptTokens(text)).toBe(tokens)
  })
})
