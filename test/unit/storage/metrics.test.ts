// /activity/metrics' arithmetic: sums merged per day and group in integers, rates and quantiles
// from the merged sums (never averaged averages), money exact in microdollars.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BUCKETS, bucketOf } from '../../../src/storage/histogram.ts'
import { metricsView, type SumsRow } from '../../../src/storage/metrics.ts'

const DAY_MS = 86_400_000
const histogram = (values: number[]) => {
  const h = new Array<number>(BUCKETS).fill(0)
  for (const v of values) h[bucketOf(v)]! += 1
  return h
}

const row = fc.record({
  day: fc.nat(6),
  group: fc.constantFrom('a', 'b', 'c'),
  requests: fc.integer({ min: 1, max: 50 }),
  costMicro: fc.nat(10_000_000),
  tokens: fc.nat(100_000),
  latencies: fc.array(fc.nat(200_000), { maxLength: 5 }),
}).chain((r) => fc.record({ errors: fc.nat(r.requests), fallbacks: fc.nat(r.requests) }).map((e) => ({ ...r, ...e })))

type Row = typeof row extends fc.Arbitrary<infer T> ? T : never

const toSums = (r: Row, base: number): SumsRow => ({
  start: base + r.day * DAY_MS, group: r.group, name: r.group.toUpperCase(), requests: r.requests, errors: r.errors, fallbacks: r.fallbacks, cancelled: 0,
  costMicro: r.costMicro, tokensPrompt: r.tokens, tokensCompletion: r.tokens, tokensReasoning: 0,
  latencyMsSum: r.latencies.reduce((a, b) => a + b, 0), ttftMsSum: 0, latency: histogram(r.latencies), ttft: new Array<number>(BUCKETS).fill(0),
})

describe('metricsView', () => {
  it('totals equal the sums of the rows exactly, and rates are ratios of the merged sums', () => {
    const base = Date.UTC(2030, 0, 1)
    fc.assert(fc.property(fc.array(row, { maxLength: 30 }), (rs) => {
      const view = metricsView(rs.map((r) => toSums(r, base)))
      const requests = rs.reduce((s, r) => s + r.requests, 0)
      const micro = rs.reduce((s, r) => s + r.costMicro, 0)
      expect(view.total.requests).toBe(requests)
      expect(Math.round(view.total.usage * 1_000_000)).toBe(micro)
      expect(view.total.error_rate).toBe(requests === 0 ? null : rs.reduce((s, r) => s + r.errors, 0) / requests)
      expect(view.total.fallback_rate).toBe(requests === 0 ? null : rs.reduce((s, r) => s + r.fallbacks, 0) / requests)
      expect(view.total.latency_ms.count).toBe(rs.reduce((s, r) => s + r.latencies.length, 0))
      // Per group and per cell, the same totals.
      expect(view.groups.reduce((s, g) => s + g.requests, 0)).toBe(requests)
      expect(view.rows.reduce((s, c) => s + c.requests, 0)).toBe(requests)
      expect(view.daily.reduce((s, d) => s + d.requests, 0)).toBe(requests)
      expect(view.daily.map((d) => d.date)).toEqual([...new Set(view.rows.map((c) => c.date))])
      expect(view.groups.reduce((s, g) => s + Math.round(g.usage * 1_000_000), 0)).toBe(micro)
      // One cell per day and group, oldest day first; groups by requests.
      expect(new Set(view.rows.map((c) => `${c.date}|${c.group}`)).size).toBe(view.rows.length)
      expect(view.rows.map((c) => c.date)).toEqual([...view.rows.map((c) => c.date)].sort())
      expect(view.groups.map((g) => g.requests)).toEqual([...view.groups.map((g) => g.requests)].sort((a, b) => b - a))
    }))
  })

  it('merges a group split over rows before taking its quantiles', () => {
    const base = Date.UTC(2030, 0, 1)
    const a = { day: 0, group: 'a' as const, requests: 1, costMicro: 1, tokens: 1, errors: 0, fallbacks: 0 }
    const view = metricsView([toSums({ ...a, latencies: [50, 60, 70] }, base), toSums({ ...a, latencies: [5_000, 6_000, 7_000, 7_500] }, base)])
    expect(view.rows).toHaveLength(1)
    // 7 values: the 4th (p50) is 5,000 ms, in [4 s, 8 s).
    expect(view.rows[0]?.latency_ms.p50).toBeGreaterThanOrEqual(4_000)
    expect(view.rows[0]?.latency_ms.mean).toBe(Math.round((50 + 60 + 70 + 5_000 + 6_000 + 7_000 + 7_500) / 7))
    expect(view.rows[0]).toMatchObject({ date: '2030-01-01', group: 'a', name: 'A', requests: 2, error_rate: 0, ttft_ms: { p50: null, mean: null, count: 0 } })
  })
})
