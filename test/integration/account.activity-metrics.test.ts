// GET /activity/metrics: latency and TTFT quantiles from known generations, error and fallback
// rates from faults injected on the fake upstreams, grouping by key (a management key sees the
// account's keys, an API key only its own), the periods on the suite's clock, and money that
// reconciles with /credits and /activity to the microdollar.
import { describe, expect, it } from 'vitest'
import { generationId } from '../../src/lib/ids.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { DAY_MS, onOneDay, settleAndFlush } from '../helpers/one-day.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

interface Timing { mean: number | null; p50: number | null; p95: number | null; count: number }
interface Figures {
  requests: number; errors: number; fallbacks: number; cancelled: number; usage: number; prompt_tokens: number; completion_tokens: number
  error_rate: number | null; fallback_rate: number | null; latency_ms: Timing; ttft_ms: Timing
}
interface Metrics {
  period: string; group_by: string; days: string[]
  rows: (Figures & { date: string; group: string; name: string })[]
  daily: (Figures & { date: string })[]
  groups: (Figures & { group: string; name: string })[]
  total: Figures
}

const metrics = async (key: string, query = '') => {
  const res = await call(`/activity/metrics${query}`, { key })
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json<{ data: Metrics }>()).data
}
const micro = (dollars: number) => Math.round(dollars * 1_000_000)
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

const record = (accountId: string, keyHash: string, createdAt: number, over: Partial<GenerationRecord> = {}): GenerationRecord => ({
  id: generationId(createdAt), accountId, keyHash, model: 'fake/echo', providerId: 'fake', streamed: true, status: 200,
  tokensPrompt: 10, tokensCompletion: 20, costMicro: 1_234, latencyMs: 100, ttftMs: 50, createdAt, ...over,
})

describe('GET /activity/metrics', () => {
  it('gives latency and TTFT p50/p95 from the rollups\' histograms, and exact error and fallback rates', async () => {
    const { accountId, key, keyHash } = await seedAccount()
    // 20 generations: latencies 10 × 50 ms, 8 × 300 ms, 5 s, 6 s; TTFT 18 × 20 ms, 2 × 1.5 s; two errors; three fell back.
    const latencies = [...Array<number>(10).fill(50), ...Array<number>(8).fill(300), 5_000, 6_000]
    const { data, today } = await onOneDay(async (today) => {
      const at = Math.max(today, Date.now() - 60_000)
      await settleAndFlush(accountId, latencies.map((latencyMs, i) => record(accountId, keyHash, at + i, {
        latencyMs, ttftMs: i < 18 ? 20 : 1_500, costMicro: 1_000 + i,
        status: i === 3 || i === 12 ? 502 : 200,
        attempts: i % 7 === 1 ? [{ provider: 'fake', status: 500 }, { provider: 'fake-eu', status: 200 }] : [{ provider: 'fake', status: 200 }],
      })))
      return { data: await metrics(key, '?period=1d'), today }
    })
    expect(data).toMatchObject({ period: '1d', group_by: 'model', days: [dateOf(today)] })
    const t = data.total
    expect(t).toMatchObject({ requests: 20, errors: 2, fallbacks: 3, error_rate: 0.1, fallback_rate: 0.15, prompt_tokens: 200, completion_tokens: 400 })
    expect(micro(t.usage)).toBe(20 * 1_000 + (19 * 20) / 2)
    // p50 is the 10th value (50 ms: under 100), p95 the 19th (5 s: in [4 s, 8 s)); the mean is exact.
    expect(t.latency_ms.count).toBe(20)
    expect(t.latency_ms.p50).toBeLessThan(100)
    expect(t.latency_ms.p95).toBeGreaterThanOrEqual(4_000)
    expect(t.latency_ms.p95).toBeLessThan(8_000)
    expect(t.latency_ms.mean).toBe(Math.round(latencies.reduce((a, b) => a + b, 0) / 20))
    expect(t.ttft_ms.p50).toBeLessThan(100)
    expect(t.ttft_ms.p95).toBeGreaterThanOrEqual(1_000)
    expect(t.ttft_ms.p95).toBeLessThan(2_000)
    expect(data.rows).toEqual([{ date: dateOf(today), group: 'fake/echo', name: 'fake/echo', ...t }])
    expect(data.daily).toEqual([{ date: dateOf(today), ...t }])
  })

  it('counts the errors and fallbacks of real requests whose upstream failed, and its money matches /credits and /activity', async () => {
    const { accountId, key } = await seedAccount()
    const ask = (content: string, provider: Record<string, unknown> = { order: ['fake', 'fake-eu'] }) =>
      chat(key, { model: 'fake/echo', provider, messages: [{ role: 'user', content }] })
    expect((await ask('one')).status).toBe(200)
    expect((await ask('two')).status).toBe(200)
    // fake answers 500, fake-eu serves: one fallback.
    const fellBack = await ask('three [[fake status=500 on=fake]]')
    expect(fellBack.status).toBe(200)
    expect((await fellBack.json<{ provider: string }>()).provider).toBe('Switchboard Fake EU')
    // No fallback allowed: an error.
    expect((await ask('four [[fake status=500]]', { order: ['fake'], allow_fallbacks: false })).status).toBeGreaterThanOrEqual(500)
    await flush(accountId)

    const byModel = await metrics(key, '?period=1d')
    expect(byModel.total).toMatchObject({ requests: 4, errors: 1, fallbacks: 1, error_rate: 0.25, fallback_rate: 0.25 })
    expect(byModel.total.latency_ms.count).toBe(4)
    const byProvider = await metrics(key, '?period=7d&group_by=provider')
    // The failed request was served by no provider.
    expect(byProvider.groups.map((g) => [g.name, g.requests, g.errors, g.fallbacks]).sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([['(none)', 1, 1, 0], ['Switchboard Fake', 2, 0, 0], ['Switchboard Fake EU', 1, 0, 1]])
    expect(byProvider.days).toHaveLength(7)

    // Money: the same microdollars as /credits and the sum of /activity's rows.
    const credits = (await (await call('/credits', { key })).json<{ data: { total_usage: number } }>()).data
    const activity = (await (await call('/activity', { key })).json<{ data: { usage: number }[] }>()).data
    expect(micro(byModel.total.usage)).toBe(micro(credits.total_usage))
    expect(micro(byModel.total.usage)).toBe(activity.reduce((s, r) => s + micro(r.usage), 0))
    expect(byProvider.groups.reduce((s, g) => s + micro(g.usage), 0)).toBe(micro(credits.total_usage))
  })

  it('groups by key: a management key sees each of the account\'s keys by name, an API key only itself', async () => {
    const { accountId, key: management } = await seedAccount({ kind: 'management' })
    const a = await addKey(accountId)
    const b = await addKey(accountId)
    const stranger = await seedAccount()
    for (const [key, n] of [[a.key, 2], [b.key, 1], [stranger.key, 1]] as const) {
      for (let i = 0; i < n; i++) expect((await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: `k${i}` }] })).status).toBe(200)
    }
    await flush(accountId)
    await flush(stranger.accountId)

    const all = await metrics(management, '?group_by=key')
    expect(all.groups.map((g) => [g.group, g.requests])).toEqual([[a.keyHash, 2], [b.keyHash, 1]])
    expect(all.groups.every((g) => /^inference \(sk-sb-v1-/.test(g.name))).toBe(true)
    expect(JSON.stringify(all)).not.toContain(stranger.keyHash)
    expect((await metrics(management, `?group_by=key&api_key_hash=${b.keyHash}`)).groups.map((g) => g.group)).toEqual([b.keyHash])

    const own = await metrics(a.key, '?group_by=key')
    expect(own.groups.map((g) => [g.group, g.requests])).toEqual([[a.keyHash, 2]])
    expect((await metrics(a.key, '?group_by=model')).total.requests).toBe(2)
    const other = await call(`/activity/metrics?api_key_hash=${b.keyHash}`, { key: a.key })
    expect(other.status).toBe(403)
    expect((await other.json<{ error: { code: number } }>()).error.code).toBe(403)
  })

  it('reads the last 1, 7 or 30 UTC days of the clock, today included', async () => {
    const { accountId, key, keyHash } = await seedAccount()
    const { d1, d7, d30, today } = await onOneDay(async (today) => {
      // Today, 3, 6, 7, 29 and 30 days ago: 1d holds 1, 7d holds 3, 30d holds 5.
      const ago = [0, 3, 6, 7, 29, 30]
      await settleAndFlush(accountId, ago.map((d) => record(accountId, keyHash, today - d * DAY_MS + 1_000 + d)))
      return { d1: await metrics(key, '?period=1d'), d7: await metrics(key, '?period=7d'), d30: await metrics(key, '?period=30d'), today }
    })
    expect([d1.total.requests, d7.total.requests, d30.total.requests]).toEqual([1, 3, 5])
    expect(d1.days).toEqual([dateOf(today)])
    expect(d7.days[0]).toBe(dateOf(today - 6 * DAY_MS))
    expect(d30.days).toHaveLength(30)
    expect(d30.days.at(-1)).toBe(dateOf(today))
    expect(d30.rows.map((r) => r.date)).toEqual([29, 7, 6, 3, 0].map((d) => dateOf(today - d * DAY_MS)))
  })

  it('answers a bad query with a 400 naming the field, and no key with a 401', async () => {
    const { key } = await seedAccount()
    for (const [q, field] of [['period=2d', 'period'], ['group_by=user', 'group_by'], ['api_key_hash=abc', 'api_key_hash']]) {
      const res = await call(`/activity/metrics?${q}`, { key })
      expect(res.status, q).toBe(400)
      expect((await res.json<{ error: { message: string } }>()).error.message).toContain(field)
    }
    expect((await call('/activity/metrics')).status).toBe(401)
  })
})
