// Activity, the home page: spend, requests or tokens per day over 1, 7 or 30 days, stacked by
// model, provider, app or (for a management key) key, from GET /activity, and the period's
// latency, TTFT, error and fallback rates from GET /activity/metrics (fetched at the same time).
// An API key sees its own usage; a management key the whole account. Each chart has a table
// with the same figures.
import { useEffect, useMemo, useRef, useState } from 'hono/jsx/dom'
import type { Chart } from 'chart.js'
import { api } from '../api.ts'
import { buildView, type ActivityRow, type GroupBy, type Metric } from '../activity-data.ts'
import { drawStackedBars } from '../chart.ts'
import { ErrorNote, Loading, Segmented, Stat, TableWrap } from '../components.tsx'
import { int, money } from '../format.ts'
import { keyRows, type Metrics } from '../metrics-data.ts'
import type { Session } from '../session.ts'
import { useThemeTick } from '../theme.tsx'
import { Performance } from './activity-performance.tsx'

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('')

const METRIC_LABEL: Record<Metric, string> = { spend: 'Spend', requests: 'Requests', tokens: 'Tokens' }
const GROUP_LABEL: Record<GroupBy, string> = { model: 'Model', provider: 'Provider', app: 'App', key: 'Key' }

export const Activity = ({ session }: { session: Session }) => {
  const [rows, setRows] = useState<ActivityRow[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [days, setDays] = useState(7)
  const [metric, setMetric] = useState<Metric>('spend')
  const [by, setBy] = useState<GroupBy>('model')
  const themeTick = useThemeTick()
  const [metrics, setMetrics] = useState<Metrics | null>(null)
  const [reloads, setReloads] = useState(0)
  const canvas = useRef<HTMLCanvasElement>(null)

  const load = async () => {
    try {
      // An API key sees its own usage: the activity of its own hash.
      const query = session.kind === 'inference' ? `?api_key_hash=${await sha256Hex(session.key)}` : ''
      setRows((await api<{ data: ActivityRow[] }>(`/activity${query}`)).data)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }
  // The metrics' quantiles are the period's and the grouping's, so they are read again when either changes.
  useEffect(() => {
    let current = true
    api<{ data: Metrics }>(`/activity/metrics?period=${days}d&group_by=${by}`)
      .then((res) => current && setMetrics(res.data))
      .catch((err: unknown) => current && setError(err))
    return () => {
      current = false
    }
  }, [days, by, reloads])
  const refresh = () => {
    void load()
    setReloads((n) => n + 1)
  }
  useEffect(() => {
    void load()
  }, [])

  // /activity has no key: grouped by key, the chart stacks the metrics' rows instead.
  const keyed = useMemo(() => (metrics?.group_by === 'key' ? keyRows(metrics) : null), [metrics])
  const source = by === 'key' ? keyed : rows
  const view = useMemo(() => (source ? buildView(source, { days, now: Date.now(), metric, by }) : null), [source, days, metric, by])
  const format = (v: number) => (metric === 'spend' ? money(v) : int(v))

  useEffect(() => {
    if (!view || !canvas.current) return
    let chart: Chart | undefined = drawStackedBars(canvas.current, { labels: view.days, series: view.series, format })
    return () => {
      chart?.destroy()
      chart = undefined
    }
  }, [view, themeTick])

  if (error) return <ErrorNote error={error} />
  if (!view) return <Loading what="activity" />
  const t = view.totals
  const scope = session.kind === 'inference' ? 'this key' : 'the whole account'
  // An API key sees only itself, so grouping by key is a management key's choice.
  const groupChoices: GroupBy[] = session.kind === 'management' ? ['model', 'provider', 'app', 'key'] : ['model', 'provider', 'app']
  return (
    <div>
      <p class="muted">Usage of {scope}, by UTC day. Figures appear about a second after a request ends.</p>
      <div class="toolbar">
        <Segmented label="Range" value={days} onChange={setDays} choices={[{ value: 1, label: '1 day' }, { value: 7, label: '7 days' }, { value: 30, label: '30 days' }]} />
        <Segmented label="Show" value={metric} onChange={setMetric} choices={(['spend', 'requests', 'tokens'] as const).map((m) => ({ value: m, label: METRIC_LABEL[m] }))} />
        <div class="field">
          <label for="group-by">Stack by</label>
          <select id="group-by" value={by} onChange={(e: Event) => setBy((e.target as HTMLSelectElement).value as GroupBy)}>
            {groupChoices.map((g) => <option value={g} selected={g === by}>{GROUP_LABEL[g]}</option>)}
          </select>
        </div>
        <button type="button" class="button" onClick={refresh}>Refresh</button>
      </div>
      <dl class="grid">
        <Stat label="Spend" value={money(t.spendMicro / 1_000_000)} testId="total-spend" />
        <Stat label="Requests" value={int(t.requests)} testId="total-requests" />
        <Stat label="Prompt tokens" value={int(t.promptTokens)} />
        <Stat label="Completion tokens" value={int(t.completionTokens)} />
      </dl>
      <section class="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">{METRIC_LABEL[metric]} per day by {GROUP_LABEL[by].toLowerCase()}</h2>
        {t.requests === 0 ? (
          <p class="muted">No requests in this period yet. Send one from the <a href="/playground">Playground</a> or through the API.</p>
        ) : (
          <div class="chart-box">
            <canvas ref={canvas} role="img" aria-label={`${METRIC_LABEL[metric]} per day over the last ${days} days, stacked by ${GROUP_LABEL[by].toLowerCase()}. The table below has the figures.`} />
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="table-heading">
        <h2 id="table-heading">By {GROUP_LABEL[by].toLowerCase()}</h2>
        <TableWrap label="Usage table">
          <table>
            <thead>
              <tr><th scope="col">{GROUP_LABEL[by]}</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Prompt tokens</th><th scope="col" class="num">Completion tokens</th><th scope="col" class="num">Reasoning tokens</th><th scope="col" class="num">Spend</th></tr>
            </thead>
            <tbody>
              {view.series.map((s) => (
                <tr data-series={s.name}>
                  <th scope="row">{s.name}</th>
                  <td class="num">{int(s.totals.requests)}</td>
                  <td class="num">{int(s.totals.promptTokens)}</td>
                  <td class="num">{int(s.totals.completionTokens)}</td>
                  <td class="num">{int(s.totals.reasoningTokens)}</td>
                  <td class="num">{money(s.totals.spendMicro / 1_000_000, true)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr><th scope="row">Total</th><td class="num">{int(t.requests)}</td><td class="num">{int(t.promptTokens)}</td><td class="num">{int(t.completionTokens)}</td><td class="num">{int(t.reasoningTokens)}</td><td class="num">{money(t.spendMicro / 1_000_000, true)}</td></tr>
            </tfoot>
          </table>
        </TableWrap>
      </section>
      {metrics ? <Performance metrics={metrics} groupLabel={GROUP_LABEL[metrics.group_by]} themeTick={themeTick} /> : <Loading what="performance" />}
    </div>
  )
}
