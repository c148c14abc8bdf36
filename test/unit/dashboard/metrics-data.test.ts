// Activity grouped by key (rows from /activity/metrics) and the performance chart's series;
// the leaderboard's names and shares. Pure client code.
import { describe, expect, it } from 'vitest'
import { buildView } from '../../../src/dashboard/client/activity-data.ts'
import { keyRows, percent, timingSeries, type Figures, type Metrics } from '../../../src/dashboard/client/metrics-data.ts'
import { appName, shares } from '../../../src/dashboard/client/rankings-data.ts'

const figures = (requests: number, usage: number, p50: number | null = null): Figures => ({
  requests, errors: 0, fallbacks: 0, cancelled: 0, usage, prompt_tokens: requests * 10, completion_tokens: requests * 20, reasoning_tokens: 0,
  error_rate: 0, fallback_rate: 0, latency_ms: { mean: p50, p50, p95: p50, count: p50 === null ? 0 : requests }, ttft_ms: { mean: null, p50: null, p95: null, count: 0 },
})

describe('activity by key', () => {
  it('stacks the metrics rows by key name, with spend exact in microdollars', () => {
    const now = Date.UTC(2031, 0, 2, 12)
    const [yesterday, today] = ['2031-01-01', '2031-01-02']
    const m: Metrics = {
      period: '7d', group_by: 'key', days: [yesterday, today],
      rows: [
        { date: yesterday, group: 'h1', name: 'ci (sk-sb-v1-a…1)', ...figures(2, 0.000_003) },
        { date: today, group: 'h1', name: 'ci (sk-sb-v1-a…1)', ...figures(1, 0.1) },
        { date: today, group: 'h2', name: 'app (sk-sb-v1-b…2)', ...figures(5, 0.2) },
      ],
      daily: [], groups: [], total: figures(8, 0.300_003),
    }
    const view = buildView(keyRows(m), { days: 2, now, metric: 'requests', by: 'key' })
    expect(view.series.map((s) => [s.name, s.values])).toEqual([['app (sk-sb-v1-b…2)', [0, 5]], ['ci (sk-sb-v1-a…1)', [2, 1]]])
    expect(view.totals.spendMicro).toBe(300_003)
  })

  it('puts each day\'s quantiles on the period\'s days, a gap where a day had none', () => {
    const m: Metrics = {
      period: '7d', group_by: 'model', days: ['2031-01-01', '2031-01-02', '2031-01-03'], rows: [], groups: [], total: figures(0, 0),
      daily: [{ date: '2031-01-02', ...figures(3, 0, 420) }],
    }
    expect(timingSeries(m)[0]).toEqual({ name: 'Latency p50', values: [null, 420, null] })
    expect(percent(null)).toBe('–')
    expect(percent(0.125)).toBe('12.5%')
  })
})

describe('rankings', () => {
  it('names an app by its title, else its host; shares of the listed total', () => {
    expect(appName({ rank: 1, title: null, url: 'https://tool.example', requests: 1, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })).toBe('tool.example')
    expect(appName({ rank: 1, title: 'Tool', url: 'https://tool.example', requests: 1, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })).toBe('Tool')
    const c = (requests: number, total_tokens: number) => ({ requests, prompt_tokens: total_tokens, completion_tokens: 0, total_tokens })
    expect(shares([c(1, 300), c(3, 100)], 'tokens')).toEqual(['75.0%', '25.0%'])
    expect(shares([c(1, 300), c(3, 100)], 'requests')).toEqual(['25.0%', '75.0%'])
    expect(shares([c(0, 0)], 'requests')).toEqual(['–'])
  })
})
