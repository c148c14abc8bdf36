// The rollups' fixed histogram buckets: edges and the open last bucket.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BUCKETS, UPPER_MS, bucketOf, bucketRange } from '../../../src/storage/histogram.ts'

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
