// The provider-health object on its own: the breaker's whole cycle with an injected
// clock and forced alarms (no sleeps), uptime without 429s, percentiles, expiry.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { healthFor } from '../../../src/objects/clients.ts'
import type { HealthReport, ProviderHealth } from '../../../src/objects/provider-health.ts'

// A minute boundary (+1 s) ahead of real time, so alarms set at openUntil lie in the
// future and fire only when the test runs them.
const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 61_000

let seq = 0
const fresh = () => healthFor(env, `test/health-${seq++}@fake`)

const ok = (at: number, extra: Partial<HealthReport> = {}): HealthReport => ({ ok: true, status: 200, latencyMs: 100, at, ...extra })
const fail = (at: number, status: number | null = 500): HealthReport => ({ ok: false, status, latencyMs: 50, at })

type Stub = ReturnType<typeof fresh>
const reportAll = async (h: Stub, reports: HealthReport[]) => {
  let last
  for (const r of reports) last = await h.report(r)
  return last!
}
const alarmAt = (h: Stub) => runInDurableObject(h, (_: ProviderHealth, state) => state.storage.getAlarm())

describe('provider health breaker', () => {
  it('opens after 5 consecutive failures, stays open, half-opens by alarm, and a probe success closes it', async () => {
    const h = fresh()
    const four = await reportAll(h, [0, 1, 2, 3].map((i) => fail(T0 + i * 100)))
    expect(four).toMatchObject({ breaker: 'closed', samples: 4, successRate: 0, lastFailureAt: T0 + 300 })

    const opened = await h.report(fail(T0 + 400))
    expect(opened).toMatchObject({ breaker: 'open', openUntil: T0 + 400 + 30_000 })
    expect(await alarmAt(h)).toBe(T0 + 30_400)
    // Still open before openUntil, whatever arrives meanwhile.
    expect(await h.report(ok(T0 + 10_000))).toMatchObject({ breaker: 'open' })
    expect(await h.snapshot(T0 + 30_399)).toMatchObject({ breaker: 'open' })

    expect(await runDurableObjectAlarm(h)).toBe(true)
    expect(await h.snapshot(T0 + 30_500)).toMatchObject({ breaker: 'half_open', openUntil: null })

    const closed = await h.report(ok(T0 + 31_000, { ttftMs: 40 }))
    expect(closed).toMatchObject({ breaker: 'closed', openUntil: null })
    expect(closed.ttftMs).toBe(40)
  })

  it('reopens on a failed probe with a longer cooldown (30 s, 60 s, 120 s …)', async () => {
    const h = fresh()
    await reportAll(h, [0, 1, 2, 3, 4].map((i) => fail(T0 + i)))
    expect(await runDurableObjectAlarm(h)).toBe(true)
    const second = await h.report(fail(T0 + 31_000))
    expect(second).toMatchObject({ breaker: 'open', openUntil: T0 + 31_000 + 60_000 })
    expect(await alarmAt(h)).toBe(T0 + 91_000)
    expect(await runDurableObjectAlarm(h)).toBe(true)
    expect(await h.report(fail(T0 + 92_000))).toMatchObject({ breaker: 'open', openUntil: T0 + 92_000 + 120_000 })
    await runDurableObjectAlarm(h)
  })

  it('half-opens from the clock too, if a report arrives before the alarm ran', async () => {
    const h = fresh()
    await reportAll(h, [0, 1, 2, 3, 4].map((i) => fail(T0 + i)))
    expect(await h.snapshot(T0 + 40_000)).toMatchObject({ breaker: 'half_open' })
    expect(await h.report(ok(T0 + 40_000))).toMatchObject({ breaker: 'closed' })
    await runDurableObjectAlarm(h) // the stale alarm finds it closed and changes nothing
    expect(await h.snapshot(T0 + 41_000)).toMatchObject({ breaker: 'closed' })
  })

  it('keeps the breaker and its alarm across eviction', async () => {
    const h = fresh()
    await reportAll(h, [0, 1, 2, 3, 4].map((i) => fail(T0 + i)))
    await evictDurableObject(h)
    expect(await h.snapshot(T0 + 1_000)).toMatchObject({ breaker: 'open', openUntil: T0 + 30_004 })
    expect(await runDurableObjectAlarm(h)).toBe(true)
    expect(await h.snapshot(T0 + 1_000)).toMatchObject({ breaker: 'half_open' })
  })

  it('opens on a high failure rate in 30 s even without 5 failures in a row', async () => {
    const h = fresh()
    // ok, fail, ok, fail …: never more than one failure in a row, half failing.
    const flapping = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? ok(T0 + i * 1000) : fail(T0 + i * 1000)))
    const last = await reportAll(h, flapping)
    expect(last).toMatchObject({ breaker: 'open', openUntil: T0 + 9_000 + 30_000 })
    await runDurableObjectAlarm(h)
  })

  it('ignores 429s for the breaker, and a success resets the failure count', async () => {
    const h = fresh()
    await reportAll(h, [fail(T0), fail(T0 + 1), fail(T0 + 2), fail(T0 + 3)])
    const limited = await reportAll(h, Array.from({ length: 10 }, (_, i) => fail(T0 + 10 + i, 429)))
    expect(limited).toMatchObject({ breaker: 'closed', samples: 4 })
    await h.report(ok(T0 + 100))
    expect(await reportAll(h, [fail(T0 + 101), fail(T0 + 102), fail(T0 + 103), fail(T0 + 104)])).toMatchObject({ breaker: 'closed' })
    expect(await alarmAt(h)).toBeNull()
  })
})

describe('provider health stats', () => {
  it('reports uptime per window in percent, excluding 429s', async () => {
    const h = fresh()
    const day = (m: number) => T0 - m * 60_000
    // 2 h ago: 1 ok, 1 failure (only in the 1 d window); 10 min ago: 3 ok, 1 failure; now: 4 ok, 0 failures, 5 × 429.
    await reportAll(h, [ok(day(120)), fail(day(120) + 1), ok(day(10)), ok(day(10) + 1), ok(day(10) + 2), fail(day(10) + 3)])
    await reportAll(h, [...[0, 1, 2, 3].map((i) => ok(T0 + i)), ...[0, 1, 2, 3, 4].map((i) => fail(T0 + 10 + i, 429))])
    const s = await h.stats(T0 + 1_000)
    expect(s.uptime).toEqual({ last5m: 100, last30m: 87.5, last1d: 80 })
    expect(s.counts).toMatchObject({ last5m: 4, last30m: 8, last1d: 10, rateLimited1d: 5 })
    expect(s.health.successRate).toBe(1)
  })

  it('computes latency (seconds, ttft preferred) and throughput percentiles over 30 minutes', async () => {
    const h = fresh()
    // An old sample outside the 30 m window must not count.
    await h.report(ok(T0 - 31 * 60_000, { latencyMs: 99_000 }))
    // ttft 10 ms … 1000 ms; throughput = 10 tokens / (i × 10 ms) → 1000/i tokens/s.
    const reports = Array.from({ length: 100 }, (_, k) => {
      const i = k + 1
      return ok(T0 + i, { latencyMs: 5_000, ttftMs: i * 10, completionTokens: 10, generationMs: i * 10 })
    })
    await reportAll(h, reports)
    await h.report(ok(T0 + 200, { latencyMs: 2_000 })) // no ttft: its latency counts; no tokens: no throughput
    const s = await h.stats(T0 + 1_000)
    expect(s.counts).toMatchObject({ latency: 101, throughput: 100 })
    expect(s.latency).toEqual({ p50: 0.51, p75: 0.76, p90: 0.91, p99: 1 })
    expect(s.throughput).toEqual({ p50: 19.61, p75: 38.46, p90: 90.91, p99: 500 }) // 1000/i tokens/s, nearest rank
    expect(s.health.ttftMs).not.toBeNull()
    expect(s.health.throughput).not.toBeNull()
  })

  it('has null stats before any sample', async () => {
    const s = await fresh().stats(T0)
    expect(s).toMatchObject({ uptime: { last5m: null, last30m: null, last1d: null }, latency: null, throughput: null })
    expect(s.health).toMatchObject({ breaker: 'closed', successRate: 1, samples: 0 })
  })

  it('forgets minute buckets after 24 h and keeps at most 200 samples', async () => {
    const h = fresh()
    await reportAll(h, [ok(T0), fail(T0 + 1)])
    const later = T0 + 25 * 60 * 60_000
    await h.report(ok(later))
    const s = await h.stats(later)
    expect(s.uptime.last1d).toBe(100)
    expect(s.counts.last1d).toBe(1)
    await reportAll(h, Array.from({ length: 210 }, (_, i) => ok(later + i)))
    const rows = await runInDurableObject(h, (_: ProviderHealth, state) => ({
      buckets: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM buckets').one().n,
      samples: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM samples').one().n,
    }))
    expect(rows).toEqual({ buckets: 1, samples: 200 })
  })
})

describe('provider health batches', () => {
  const sequences: [string, HealthReport[]][] = [
    ['five failures in a row', [0, 1, 2, 3, 4].map((i) => fail(T0 + i))],
    ['flapping at half', Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? ok(T0 + i * 1000) : fail(T0 + i * 1000)))],
    ['429s between failures', [fail(T0), fail(T0 + 1, 429), fail(T0 + 2), fail(T0 + 3, 429), ok(T0 + 4, { ttftMs: 30 }), fail(T0 + 5)]],
    ['opens, half-opens by the clock, a probe closes', [...[0, 1, 2, 3, 4].map((i) => fail(T0 + i)), ok(T0 + 40_000), ok(T0 + 40_001, { completionTokens: 20, generationMs: 400 })]],
    ['across minutes and past 200 samples', Array.from({ length: 230 }, (_, i) => (i % 7 === 0 ? fail(T0 + i * 997) : ok(T0 + i * 997, { ttftMs: i })))],
  ]

  it.each(sequences)('one reportMany gives what one report at a time gives: %s', async (_, reports) => {
    const single = fresh()
    const batched = fresh()
    const one = await reportAll(single, reports)
    const many = await batched.reportMany(reports)
    expect(many).toEqual(one)
    const at = reports[reports.length - 1]!.at
    expect(await batched.stats(at)).toEqual(await single.stats(at))
    expect(await alarmAt(batched)).toBe(await alarmAt(single))
    const rows = (h: Stub) => runInDurableObject(h, (_: ProviderHealth, state) => ({
      buckets: state.storage.sql.exec('SELECT minute, ok, fail, limited FROM buckets ORDER BY minute').toArray(),
      samples: state.storage.sql.exec('SELECT at, ok, latency, throughput FROM samples ORDER BY id').toArray(),
    }))
    expect(await rows(batched)).toEqual(await rows(single))
    // And after an eviction, the next report sees the same window (the breaker's samples reload).
    await evictDurableObject(batched)
    expect(await batched.report(fail(at + 1))).toEqual(await single.report(fail(at + 1)))
    for (const h of [single, batched]) if (await alarmAt(h)) await runDurableObjectAlarm(h)
  })
})
