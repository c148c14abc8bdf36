// Integer money: exact per-token price strings, picodollar → microdollar rounding,
// and the dollar conversions the API uses.
import { describe, expect, it } from 'vitest'
import { fromDollars, micro, MICROS_PER_DOLLAR, perTokenDollars, picoToMicro, toDollars } from '../../../src/lib/money.ts'

describe('perTokenDollars (µ$ per million tokens → USD per token, as /models prints it)', () => {
  it.each([
    [150_000, '0.00000015'], // $0.15/M (gpt-4o-mini input)
    [2_500_000, '0.0000025'], // $2.50/M
    [0, '0'],
    [75_000_000, '0.000075'], // $75/M
    [1_000_000, '0.000001'], // $1/M
    [10_000_000, '0.00001'], // $10/M
    [1, '0.000000000001'], // the smallest price the catalog can express
    [275_000, '0.000000275'],
    [123_456_789, '0.000123456789'],
    [1_000_000_000_000, '1'], // $1 per token
    [1_500_000_000_000, '1.5'],
    [12_000_000_000_000, '12'],
  ])('%i → %s', (price, expected) => {
    expect(perTokenDollars(price)).toBe(expected)
  })

  it('prints plain decimals where float formatting would show noise or exponents', () => {
    expect(String(2_500_000 * 1e-12)).toBe('0.0000024999999999999998') // the trap
    expect(String(150_000 / 1e12)).toBe('1.5e-7') // exponent form
    expect(perTokenDollars(2_500_000)).toBe('0.0000025')
    expect(perTokenDollars(700_000)).toBe('0.0000007')
  })
})

describe('picoToMicro (rounds up: never undercharge)', () => {
  it.each([
    [0n, 0],
    [1n, 1],
    [999_999n, 1],
    [1_000_000n, 1],
    [1_000_001n, 2],
    [2_000_000n, 2],
    [2_500_000n, 3],
    [9_007_199_254_740_991_000_000n, Number.MAX_SAFE_INTEGER],
  ])('%s p$ → %i µ$', (pico, expected) => {
    expect(picoToMicro(pico)).toBe(expected)
  })

  it('refuses amounts past the safe-integer range instead of losing precision', () => {
    expect(() => picoToMicro(9_007_199_254_740_992_000_000n)).toThrow(RangeError)
  })
})

describe('micro', () => {
  it('accepts whole numbers and rejects anything else', () => {
    expect(micro(42)).toBe(42)
    expect(micro(-5)).toBe(-5)
    expect(() => micro(1.5)).toThrow(RangeError)
    expect(() => micro(Number.NaN)).toThrow(RangeError)
    expect(() => micro(2 ** 53)).toThrow(RangeError)
  })
})

describe('fromDollars / toDollars', () => {
  it.each([
    [1, 1_000_000],
    [0.000001, 1],
    [12.34, 12_340_000],
    [0.1 + 0.2, 300_000], // 0.30000000000000004 → nearest µ$
    [1.005, 1_005_000], // 1.005 × 1e6 = 1004999.9999999999 in floats
    [8.2, 8_200_000], // 8.2 × 1e6 = 8199999.999999999 in floats
    [0.0000004, 0], // below half a µ$
    [-2.5, -2_500_000], // debits
  ])('fromDollars(%d) = %i µ$', (usd, expected) => {
    expect(fromDollars(usd)).toBe(expected)
  })

  it.each([
    [1_500_000, 1.5],
    [1, 0.000001],
    [0, 0],
    [7_913, 0.007913],
    [-250_000, -0.25],
  ])('toDollars(%i) = %d', (m, expected) => {
    expect(toDollars(m)).toBe(expected)
  })

  it('round-trips every µ$ amount through dollars', () => {
    for (const m of [0, 1, 7, 999_999, 1_000_001, 123_456_789, 9_007_199_254]) {
      expect(fromDollars(toDollars(m))).toBe(m)
    }
    expect(MICROS_PER_DOLLAR).toBe(1_000_000)
  })
})
