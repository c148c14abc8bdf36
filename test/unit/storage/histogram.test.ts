// The rollups' fixed histogram buckets: edges and the open last bucket.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BUCKETS, UPPER_MS, addCounts, bucketOf, bucketRange, quantile } from '../../../src/storage/histogram.ts'

describe('histogram buckets', () => {
  it('puts a value in the bucket whose range holds it, edges included', () => {
    expect(bucketOf(-5)).toBe(0)
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(99)).toBe(0)
    expect(bucketOf(100)).toBe(1)
    expect(bucketOf(119_999)).toBe(BUCKETS - 2)
    expect(bucketOf(120_000)).toBe(BUCKETS - 1)
    expect(bucketOf(10 ** 9)).toBe(BUCKETS - 1)
    const edges = fc.oneof(fc.nat(300_000), fc.constantFrom(...UPPER_MS.flatMap((u) => [u - 1, u, u + 1])))
    fc.assert(fc.property(edges, (ms) => {
      const { from, to } = bucketRange(bucketOf(ms))
      expect(ms >= from && (to === null || ms < to)).toBe(true)
    }))
  })
})

/** The nearest-rank quantile of the values themselves. */
const trueQuantile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(p * values.length)) - 1] as number
const countsOf = (values: number[]) => values.reduce((c, v) => addCounts(c, Array.from({ length: BUCKETS }, (_, i) => (i === bucketOf(v) ? 1 : 0))), new Array<number>(BUCKETS).fill(0))

describe('quantiles from a histogram', () => {
  it('lie in the bucket of the true quantile, for any values and p', () => {
    const values = fc.array(fc.oneof(fc.nat(300_000), fc.constantFrom(...UPPER_MS.flatMap((u) => [u - 1, u]))), { minLength: 1, maxLength: 300 })
    fc.assert(fc.property(values, fc.constantFrom(0.01, 0.5, 0.9, 0.95, 0.99, 1), (vs, p) => {
      const estimate = quantile(countsOf(vs), p)
      const truth = trueQuantile(vs, p)
      expect(estimate).not.toBeNull()
      expect(bucketOf(estimate as number)).toBe(bucketOf(truth))
      if (bucketOf(truth) === BUCKETS - 1) expect(estimate).toBe(UPPER_MS[UPPER_MS.length - 1])
    }))
  })

  it('are null with nothing counted, and never fall as p rises', () => {
    expect(quantile(new Array<number>(BUCKETS).fill(0), 0.5)).toBeNull()
    fc.assert(fc.property(fc.array(fc.nat(200_000), { minLength: 1, maxLength: 100 }), (vs) => {
      const counts = countsOf(vs)
      const qs = [0.1, 0.5, 0.9, 0.95, 1].map((p) => quantile(counts, p) as number)
      expect(qs).toEqual([...qs].sort((a, b) => a - b))
    }))
  })

  it('place p50 and p95 of a known spread', () => {
    // 10 values under 100 ms, 8 in [250, 500), 2 in [4 s, 8 s): p50 is the 10th value, p95 the 19th.
    const counts = countsOf([...Array<number>(10).fill(50), ...Array<number>(8).fill(300), 5_000, 6_000])
    expect(quantile(counts, 0.5)).toBeLessThan(100)
    expect(quantile(counts, 0.95)).toBeGreaterThanOrEqual(4_000)
    expect(quantile(counts, 0.95)).toBeLessThan(8_000)
  })
})
