// The isolate's health cache (staleness, half-open reading, probe allowance), the
// attempt → report mapping, and the pure breaker and statistics it relies on.
import { beforeEach, describe, expect, it } from 'vitest'
import {
  applyAttempt, cooldownMs, initialBreaker, onAlarm, percentiles, throughputOf,
  type AttemptFacts, type BreakerState, type EndpointHealth,
} from '../../../src/objects/health-stats.ts'
import type { AttemptRecord } from '../../../src/routing/attempt.ts'
import {
  HEALTH_TTL_MS, PROBE_INTERVAL_MS, healthView, keysToRefresh, probeAllowed, probeDue, readEntry, remember,
  reportsFromAttempts, resetHealthCache, type CacheEntry,
} from '../../../src/routing/health.ts'

const T0 = 1_800_000_000_000

const health = (over: Partial<EndpointHealth> = {}): EndpointHealth => ({
  breaker: 'closed', openUntil: null, successRate: 1, latencyMs: 100, ttftMs: null, throughput: null,
  lastFailureAt: null, samples: 3, updatedAt: T0, ...over,
})
const entry = (over: Partial<EndpointHealth> = {}, fetchedAt = T0): CacheEntry => ({ health: health(over), fetchedAt })

beforeEach(resetHealthCache)

describe('readEntry', () => {
  it('trusts an entry for the TTL and forgets it after', () => {
    expect(readEntry(entry(), T0 + HEALTH_TTL_MS)).toMatchObject({ breaker: 'closed' })
    expect(readEntry(entry(), T0 + HEALTH_TTL_MS + 1)).toBeUndefined()
    expect(readEntry(undefined, T0)).toBeUndefined()
  })

  it('keeps an open breaker past the TTL until openUntil, then reads it as half_open', () => {
    const open = entry({ breaker: 'open', openUntil: T0 + 30_000 })
    expect(readEntry(open, T0 + 20_000)).toMatchObject({ breaker: 'open', openUntil: T0 + 30_000 })
    expect(readEntry(open, T0 + 29_999)?.breaker).toBe('open')
    // Past openUntil and the TTL: the object may since have closed or reopened, so unknown.
    expect(readEntry(open, T0 + 30_000)).toBeUndefined()
    // Past openUntil while still fresh: half_open.
    const short = entry({ breaker: 'open', openUntil: T0 + 5_000 })
    expect(readEntry(short, T0 + 5_000)).toMatchObject({ breaker: 'half_open', openUntil: null })
  })
})

describe('the isolate cache', () => {
  it('is read synchronously through healthView', () => {
    remember('m@a', health({ successRate: 0.5 }), T0)
    expect(healthView(T0 + 1_000)('m@a')?.successRate).toBe(0.5)
    expect(healthView(T0 + 1_000)('m@b')).toBeUndefined()
    expect(healthView(T0 + HEALTH_TTL_MS + 1)('m@a')).toBeUndefined()
  })

  it('picks missing or stale keys to refresh, deduplicated, bounded and skipping ones in flight', () => {
    const entries = new Map([['fresh', entry()], ['stale', entry({}, T0 - HEALTH_TTL_MS - 1)]])
    const keys = ['fresh', 'stale', 'missing', 'missing', 'busy', ...Array.from({ length: 20 }, (_, i) => `k${i}`)]
    const picked = keysToRefresh(keys, (k) => entries.get(k), T0, 8, new Set(['busy']))
    expect(picked).toEqual(['stale', 'missing', 'k0', 'k1', 'k2', 'k3', 'k4', 'k5'])
  })
})

describe('probe allowance', () => {
  it('allows one probe per interval per endpoint', () => {
    expect(probeAllowed('m@a', T0)).toBe(true)
    expect(probeAllowed('m@a', T0 + 1)).toBe(false)
    expect(probeAllowed('m@b', T0 + 1)).toBe(true)
    expect(probeAllowed('m@a', T0 + PROBE_INTERVAL_MS - 1)).toBe(false)
    expect(probeAllowed('m@a', T0 + PROBE_INTERVAL_MS)).toBe(true)
  })

  it('treats a clock that went backwards as due (never stuck)', () => {
    expect(probeDue(undefined, T0)).toBe(true)
    expect(probeDue(T0, T0 - 1)).toBe(true)
  })
})

describe('reportsFromAttempts', () => {
  const rec = (endpoint: string, status: number | null, latency_ms = 10): AttemptRecord => ({
    provider: endpoint, provider_name: endpoint, endpoint, model: 'fake/echo', status, latency_ms,
  })

  it('maps failures, 429s, request errors and the served attempt', () => {
    const reports = reportsFromAttempts(
      [rec('a', 500), rec('b', null), rec('c', 429), rec('d', 200, 80)], T0,
      { ttftMs: 30, completionTokens: 12, generationMs: 400 },
    )
    expect(reports.map((r) => r.endpointKey)).toEqual(['fake/echo@a', 'fake/echo@b', 'fake/echo@c', 'fake/echo@d'])
    expect(reports.map((r) => [r.report.ok, r.report.rateLimited])).toEqual([[false, false], [false, false], [false, true], [true, false]])
    expect(reports[3]?.report).toEqual({ ok: true, status: 200, latencyMs: 80, rateLimited: false, at: T0, ttftMs: 30, completionTokens: 12, generationMs: 400 })
    expect(reports[0]?.report).not.toHaveProperty('ttftMs')
  })

  it('counts a request error (400) as the endpoint doing its job, but an auth failure against it', () => {
    const [bad, auth] = reportsFromAttempts([rec('a', 400), rec('b', 401)], T0)
    expect(bad?.report.ok).toBe(true)
    expect(auth?.report.ok).toBe(false)
  })

  it('does not report an attempt the client walked away from', () => {
    const gone = { ...rec('a', null), error: 'client closed the request' }
    expect(reportsFromAttempts([rec('b', 500), gone], T0).map((r) => r.endpointKey)).toEqual(['fake/echo@b'])
  })
})

describe('the breaker state machine', () => {
  const fail = (at: number): AttemptFacts => ({ outcome: 'fail', at, latencyMs: 10 })
  const ok = (at: number): AttemptFacts => ({ outcome: 'ok', at, latencyMs: 10 })
  const quiet = { attempts: 1, failures: 0 }
  const run = (s: BreakerState, facts: AttemptFacts[]) => facts.reduce((x, f) => applyAttempt(x, f, quiet), s)

  it('grows the cooldown per trip up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map(cooldownMs)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000])
  })

  it('remembers recent trips after closing, and forgets them after 10 minutes closed', () => {
    let s = run(initialBreaker(T0), [0, 1, 2, 3, 4].map((i) => fail(T0 + i)))
    expect(s).toMatchObject({ breaker: 'open', trips: 1 })
    s = applyAttempt(onAlarm(s), ok(T0 + 31_000), quiet)
    expect(s.breaker).toBe('closed')
    const again = run(s, [1, 2, 3, 4, 5].map((i) => fail(T0 + 31_000 + i)))
    expect(again).toMatchObject({ breaker: 'open', trips: 2, openUntil: T0 + 31_005 + 60_000 })
    const later = run(s, [1, 2, 3, 4, 5].map((i) => fail(T0 + 31_000 + 600_000 + i)))
    expect(later).toMatchObject({ breaker: 'open', trips: 1 })
  })

  it('leaves the breaker alone on neutral outcomes (429s)', () => {
    const s = applyAttempt(initialBreaker(T0), { outcome: 'neutral', at: T0, latencyMs: 1 }, quiet)
    expect(s).toMatchObject({ breaker: 'closed', consecutiveFailures: 0, latencyMs: null })
  })
})

describe('statistics', () => {
  it('uses nearest-rank percentiles', () => {
    expect(percentiles([])).toBeNull()
    expect(percentiles([5])).toEqual({ p50: 5, p75: 5, p90: 5, p99: 5 })
    expect(percentiles(Array.from({ length: 100 }, (_, i) => 100 - i))).toEqual({ p50: 50, p75: 75, p90: 90, p99: 99 })
  })

  it('computes throughput only from positive tokens and time', () => {
    expect(throughputOf(50, 1_000)).toBe(50)
    expect(throughputOf(0, 1_000)).toBeUndefined()
    expect(throughputOf(50, 0)).toBeUndefined()
    expect(throughputOf(undefined, 10)).toBeUndefined()
  })
})
