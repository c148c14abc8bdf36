// GET /activity rows (docs/compatibility.md#get-activity) → per-day series for the chart and
// totals for the tables. Pure: money is summed in whole microdollars, so totals reconcile
// to the cent with /credits.

export interface ActivityRow {
  date: string
  model: string
  provider_name: string
  usage: number
  requests: number
  prompt_tokens: number
  completion_tokens: number
  reasoning_tokens: number
  http_referer?: string | null
  app_title?: string | null
  /** Set on rows grouped by key (from /activity/metrics): the key's name and masked label. */
  key_name?: string
}

export type Metric = 'spend' | 'requests' | 'tokens'
export type GroupBy = 'model' | 'provider' | 'app' | 'key'

export interface Totals { spendMicro: number; requests: number; promptTokens: number; completionTokens: number; reasoningTokens: number }
export interface Series { name: string; values: number[]; totals: Totals }
export interface ActivityView { days: string[]; series: Series[]; totals: Totals }

const DAY_MS = 86_400_000
/** Series beyond this many are summed into "Other", so the chart stays legible. */
export const MAX_SERIES = 8

const micro = (dollars: number) => Math.round(dollars * 1_000_000)
const zero = (): Totals => ({ spendMicro: 0, requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 })
const add = (t: Totals, r: ActivityRow) => {
  t.spendMicro += micro(r.usage)
  t.requests += r.requests
  t.promptTokens += r.prompt_tokens
  t.completionTokens += r.completion_tokens
  t.reasoningTokens += r.reasoning_tokens
}
const merge = (a: Totals, b: Totals): Totals => ({
  spendMicro: a.spendMicro + b.spendMicro, requests: a.requests + b.requests, promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens, reasoningTokens: a.reasoningTokens + b.reasoningTokens,
})

/** The UTC days (YYYY-MM-DD) of the last `count` days, oldest first, ending on `now`'s day. */
export const lastDays = (count: number, now: number): string[] =>
  Array.from({ length: count }, (_, i) => new Date(now - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10))

/** The app a row is attributed to: its title, else its referer, else none. */
export const appOf = (r: ActivityRow) => r.app_title || r.http_referer || '(no app)'

const groupOf = (r: ActivityRow, by: GroupBy) =>
  by === 'model' ? r.model : by === 'provider' ? r.provider_name || '(unknown)' : by === 'key' ? r.key_name ?? '(unknown key)' : appOf(r)

/** A day's figure for one metric: spend in dollars, requests, or prompt + completion tokens. */
export const valueOf = (t: Totals, metric: Metric) =>
  metric === 'spend' ? t.spendMicro / 1_000_000 : metric === 'requests' ? t.requests : t.promptTokens + t.completionTokens

export const buildView = (rows: ActivityRow[], opts: { days: number; now: number; metric: Metric; by: GroupBy }): ActivityView => {
  const days = lastDays(opts.days, opts.now)
  const index = new Map(days.map((d, i) => [d, i]))
  const groups = new Map<string, { perDay: Totals[]; totals: Totals }>()
  const totals = zero()
  for (const r of rows) {
    const i = index.get(r.date)
    if (i === undefined) continue
    const name = groupOf(r, opts.by)
    let g = groups.get(name)
    if (!g) groups.set(name, (g = { perDay: days.map(zero), totals: zero() }))
    add(g.perDay[i] as Totals, r)
    add(g.totals, r)
    add(totals, r)
  }
  const ranked = [...groups.entries()].sort((a, b) => valueOf(b[1].totals, opts.metric) - valueOf(a[1].totals, opts.metric) || a[0].localeCompare(b[0]))
  const kept = ranked.slice(0, MAX_SERIES - 1)
  const rest = ranked.slice(MAX_SERIES - 1)
  const series: Series[] = kept.map(([name, g]) => ({ name, values: g.perDay.map((t) => valueOf(t, opts.metric)), totals: g.totals }))
  if (rest.length === 1) {
    const [name, g] = rest[0] as [string, { perDay: Totals[]; totals: Totals }]
    series.push({ name, values: g.perDay.map((t) => valueOf(t, opts.metric)), totals: g.totals })
  } else if (rest.length > 1) {
    const perDay = days.map((_, i) => rest.reduce((acc, [, g]) => merge(acc, g.perDay[i] as Totals), zero()))
    series.push({ name: `Other (${rest.length})`, values: perDay.map((t) => valueOf(t, opts.metric)), totals: rest.reduce((acc, [, g]) => merge(acc, g.totals), zero()) })
  }
  return { days, series, totals }
}
