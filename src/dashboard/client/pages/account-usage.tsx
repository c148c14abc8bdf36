// One account's last 30 days in the operator view (GET /admin/accounts/:id/activity): its
// totals, spend per day as a chart, and requests and spend per model.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import type { Chart } from 'chart.js'
import { api } from '../api.ts'
import { drawLines } from '../chart.ts'
import { ErrorNote, Loading, Stat, TableWrap } from '../components.tsx'
import { int, money } from '../format.ts'
import type { Metrics } from '../metrics-data.ts'
import { useThemeTick } from '../theme.tsx'

export const AccountUsage = ({ id, name }: { id: string; name: string }) => {
  const [m, setM] = useState<Metrics | null>(null)
  const [error, setError] = useState<unknown>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const themeTick = useThemeTick()
  useEffect(() => {
    api<{ data: Metrics }>(`/admin/accounts/${id}/activity?period=30d`).then((r) => setM(r.data), setError)
  }, [id])
  useEffect(() => {
    if (!m || !canvas.current || m.total.requests === 0) return
    const spend = new Map(m.daily.map((d) => [d.date, d.usage]))
    let chart: Chart | undefined = drawLines(canvas.current, { labels: m.days, series: [{ name: 'Spend', values: m.days.map((d) => spend.get(d) ?? 0) }], format: (v) => money(v) })
    return () => {
      chart?.destroy()
      chart = undefined
    }
  }, [m, themeTick])
  if (error) return <ErrorNote error={error} />
  if (!m) return <Loading what={`${name}'s usage`} />
  const t = m.total
  return (
    <section aria-label={`${name}: last 30 days`} data-testid="account-usage">
      <dl class="grid">
        <Stat label="Requests (30 days)" value={int(t.requests)} />
        <Stat label="Spend (30 days)" value={money(t.usage, true)} testId="account-spend" />
        <Stat label="Tokens (30 days)" value={int(t.prompt_tokens + t.completion_tokens)} />
      </dl>
      {t.requests === 0 ? <p class="muted">No requests in the last 30 days.</p> : (
        <>
          <div class="chart-box"><canvas ref={canvas} role="img" aria-label={`${name}: spend per day over the last 30 days`} /></div>
          <TableWrap label={`${name}: usage by model`}>
            <table>
              <thead><tr><th scope="col">Model</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Spend</th></tr></thead>
              <tbody>{m.groups.map((g) => <tr key={g.group}><th scope="row">{g.name}</th><td class="num">{int(g.requests)}</td><td class="num">{money(g.usage, true)}</td></tr>)}</tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  )
}
