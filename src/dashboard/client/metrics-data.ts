// GET /activity/metrics (docs/compatibility.md#get-activitymetrics): its shape, and its rows
// as Activity's chart rows when the page is grouped by key (/activity has no key). Pure.
import type { ActivityRow } from './activity-data.ts'

export interface Timing { mean: number | null; p50: number | null; p95: number | null; count: number }
export interface Figures {
  requests: number
  errors: number
  fallbacks: number
  cancelled: number
  usage: number
  prompt_tokens: number
  completion_tokens: number
  reasoning_tokens: number
  error_rate: number | null
  fallback_rate: number | null
  latency_ms: Timing
  ttft_ms: Timing
}
export interface Metrics {
  period: '1d' | '7d' | '30d'
  group_by: 'model' | 'provider' | 'app' | 'key'
  days: string[]
  rows: (Figures & { date: string; group: string; name: string })[]
  daily: (Figures & { date: string })[]
  groups: (Figures & { group: string; name: string })[]
  total: Figures
}

/** A rate as a percentage with one decimal, or a dash when there were no requests. */
export const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`)

/** Metrics rows grouped by key, as rows Activity's chart stacks by key. */
export const keyRows = (m: Metrics): ActivityRow[] =>
  m.rows.map((r) => ({
    date: r.date, model: '', provider_name: '', key_name: r.name, usage: r.usage, requests: r.requests,
    prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens, reasoning_tokens: r.reasoning_tokens,
  }))

/** Per-day latency and TTFT series for the chart, one value per day of the period (null: no data). */
export const timingSeries = (m: Metrics) => {
  const byDate = new Map(m.daily.map((d) => [d.date, d]))
  const at = (pick: (f: Figures) => number | null) => m.days.map((d) => { const f = byDate.get(d); return f ? pick(f) : null })
  return [
    { name: 'Latency p50', values: at((f) => f.latency_ms.p50) },
    { name: 'Latency p95', values: at((f) => f.latency_ms.p95) },
    { name: 'TTFT p50', values: at((f) => f.ttft_ms.p50) },
    { name: 'TTFT p95', values: at((f) => f.ttft_ms.p95) },
  ]
}
