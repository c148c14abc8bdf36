// PURE: daily rollup sums → the figures /activity/metrics answers: per day and group, per group
// over the period, and the period's total. Sums are added in integers (money in microdollars)
// before anything is divided, so totals reconcile with /activity and /credits exactly; the
// latency and TTFT quantiles come from the summed histograms (exact to the bucket).
import { toDollars } from '../lib/money.ts'
import { addCounts, BUCKETS, quantile } from './histogram.ts'

/** One daily rollup group's sums, its group already named. */
export interface SumsRow {
  start: number
  /** The group's id: a model id, provider id, app name or key hash ('' = none). */
  group: string
  /** What to show for it. */
  name: string
  requests: number
  errors: number
  fallbacks: number
  cancelled: number
  costMicro: number
  tokensPrompt: number
  tokensCompletion: number
  tokensReasoning: number
  latencyMsSum: number
  ttftMsSum: number
  latency: number[]
  ttft: number[]
}

type Sums = Omit<SumsRow, 'start' | 'group' | 'name'>

const SUM_FIELDS = ['requests', 'errors', 'fallbacks', 'cancelled', 'costMicro', 'tokensPrompt', 'tokensCompletion', 'tokensReasoning', 'latencyMsSum', 'ttftMsSum'] as const

const empty = (): Sums => ({
  requests: 0, errors: 0, fallbacks: 0, cancelled: 0, costMicro: 0, tokensPrompt: 0, tokensCompletion: 0, tokensReasoning: 0,
  latencyMsSum: 0, ttftMsSum: 0, latency: new Array<number>(BUCKETS).fill(0), ttft: new Array<number>(BUCKETS).fill(0),
})

const addSums = (into: Sums, s: Sums): Sums => {
  for (const f of SUM_FIELDS) into[f] += s[f]
  addCounts(into.latency, s.latency)
  addCounts(into.ttft, s.ttft)
  return into
}

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole)

const timing = (sum: number, counts: number[]) => {
  const n = counts.reduce((a, b) => a + b, 0)
  return { mean: n === 0 ? null : Math.round(sum / n), p50: quantile(counts, 0.5), p95: quantile(counts, 0.95), count: n }
}

/** The API's figures for some sums. */
export const figures = (s: Sums) => ({
  requests: s.requests,
  errors: s.errors,
  fallbacks: s.fallbacks,
  cancelled: s.cancelled,
  usage: toDollars(s.costMicro),
  prompt_tokens: s.tokensPrompt,
  completion_tokens: s.tokensCompletion,
  reasoning_tokens: s.tokensReasoning,
  /** Share of requests that ended with a status ≥ 400. */
  error_rate: rate(s.errors, s.requests),
  /** Share of requests that needed more than one upstream attempt. */
  fallback_rate: rate(s.fallbacks, s.requests),
  latency_ms: timing(s.latencyMsSum, s.latency),
  ttft_ms: timing(s.ttftMsSum, s.ttft),
})
export type Figures = ReturnType<typeof figures>

const dateOf = (start: number) => new Date(start).toISOString().slice(0, 10)

/**
 * Rows (any order, a group possibly split over several) → per day and group (oldest day
 * first), per day over all groups, per group over the period (most requests first), and the total.
 */
export const metricsView = (rows: SumsRow[]) => {
  const cells = new Map<string, { start: number; group: string; name: string; sums: Sums }>()
  const days = new Map<number, Sums>()
  const groups = new Map<string, { name: string; sums: Sums }>()
  const total = empty()
  for (const r of rows) {
    let day = days.get(r.start)
    if (!day) days.set(r.start, (day = empty()))
    addSums(day, r)
    const cellKey = `${r.start}\u0000${r.group}`
    let cell = cells.get(cellKey)
    if (!cell) cells.set(cellKey, (cell = { start: r.start, group: r.group, name: r.name, sums: empty() }))
    addSums(cell.sums, r)
    let g = groups.get(r.group)
    if (!g) groups.set(r.group, (g = { name: r.name, sums: empty() }))
    addSums(g.sums, r)
    addSums(total, r)
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
  return {
    rows: [...cells.values()]
      .sort((a, b) => a.start - b.start || byName(a, b))
      .map((c) => ({ date: dateOf(c.start), group: c.group, name: c.name, ...figures(c.sums) })),
    daily: [...days.entries()].sort((a, b) => a[0] - b[0]).map(([start, sums]) => ({ date: dateOf(start), ...figures(sums) })),
    groups: [...groups.entries()]
      .map(([group, g]) => ({ group, name: g.name, ...figures(g.sums) }))
      .sort((a, b) => b.requests - a.requests || byName(a, b)),
    total: figures(total),
  }
}
export type MetricsView = ReturnType<typeof metricsView>
