// The Activity page's figures (src/dashboard/client/activity-data.ts): per-day series and
// totals from /activity rows, exact in microdollars, whatever the rows.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildView, lastDays, MAX_SERIES, valueOf, type ActivityRow, type GroupBy, type Metric } from '../../../src/dashboard/client/activity-data.ts'

const DAY_MS = 86_400_000
/** A fixed instant, so the test holds on any date: 20 s before a year's end (days cross month and year). */
const NOW = Date.UTC(2031, 0, 1) - 20_000

const row = (over: Partial<ActivityRow> = {}): ActivityRow => ({
  date: lastDays(1, NOW)[0] as string, model: 'fake/echo', provider_name: 'Switchboard Fake', usage: 0.000011, requests: 1,
  prompt_tokens: 5, completion_tokens: 3, reasoning_tokens: 0, http_referer: null, app_title: null, ...over,
})

const arbRow = (days: string[]) =>
  fc.record({
    date: fc.constantFrom(...days, '2020-01-01'),
    model: fc.constantFrom('a/x', 'b/y', 'c/z', 'd/w', 'e/v', 'f/u', 'g/t', 'h/s', 'i/r', 'j/q'),
    provider_name: fc.constantFrom('P1', 'P2', ''),
    usage: fc.integer({ min: 0, max: 5_000_000_000 }).map((micro) => micro / 1_000_000),
    requests: fc.integer({ min: 1, max: 1000 }),
    prompt_tokens: fc.nat(1_000_000),
    completion_tokens: fc.nat(1_000_000),
    reasoning_tokens: fc.nat(1000),
    http_referer: fc.constantFrom(null, 'https://a.example'),
    app_title: fc.constantFrom(null, 'App', ''),
  })

describe('activity view', () => {
  it('lists the last N UTC days oldest first, across a year end', () => {
    expect(lastDays(3, NOW)).toEqual(['2030-12-29', '2030-12-30', '2030-12-31'])
    expect(lastDays(1, NOW + 30_000)).toEqual(['2031-01-01'])
    expect(lastDays(30, NOW)).toHaveLength(30)
  })

  it('totals are the rows in range, exact to the microdollar, and the series add up to them', () => {
    const days = lastDays(30, NOW)
    fc.assert(fc.property(
      fc.array(arbRow(days), { maxLength: 60 }), fc.constantFrom(1, 7, 30), fc.constantFrom<Metric>('spend', 'requests', 'tokens'), fc.constantFrom<GroupBy>('model', 'provider', 'app'),
      (rows, range, metric, by) => {
        const view = buildView(rows, { days: range, now: NOW, metric, by })
        const inRange = rows.filter((r) => view.days.includes(r.date))
        expect(view.days).toEqual(lastDays(range, NOW))
        expect(view.totals.spendMicro).toBe(inRange.reduce((s, r) => s + Math.round(r.usage * 1e6), 0))
        expect(view.totals.requests).toBe(inRange.reduce((s, r) => s + r.requests, 0))
        expect(view.series.length).toBeLessThanOrEqual(MAX_SERIES)
        expect(view.series.reduce((s, x) => s + x.totals.spendMicro, 0)).toBe(view.totals.spendMicro)
        expect(view.series.reduce((s, x) => s + x.totals.requests, 0)).toBe(view.totals.requests)
        // Each series' bars are its totals spread over the days.
        for (const s of view.series) expect(s.values.reduce((a, b) => a + b, 0)).toBeCloseTo(valueOf(s.totals, metric), 6)
      },
    ))
  })

  it('stacks by model, provider or app, largest first, with the rest as Other', () => {
    const rows = [
      row({ model: 'big/one', usage: 3, app_title: 'App A' }),
      row({ model: 'small/one', usage: 1, http_referer: 'https://b.example' }),
      ...Array.from({ length: 9 }, (_, i) => row({ model: `tail/${i}`, usage: 0.000001 })),
    ]
    const byModel = buildView(rows, { days: 7, now: NOW, metric: 'spend', by: 'model' })
    expect(byModel.series.map((s) => s.name).slice(0, 2)).toEqual(['big/one', 'small/one'])
    expect(byModel.series).toHaveLength(MAX_SERIES)
    expect(byModel.series.at(-1)?.name).toBe('Other (4)')
    const byApp = buildView(rows, { days: 7, now: NOW, metric: 'requests', by: 'app' })
    expect(byApp.series.map((s) => s.name)).toEqual(['(no app)', 'App A', 'https://b.example'])
    const byProvider = buildView(rows, { days: 1, now: NOW, metric: 'tokens', by: 'provider' })
    expect(byProvider.series).toEqual([expect.objectContaining({ name: 'Switchboard Fake', values: [8 * 11] })])
  })
})
