// Activity's performance part: latency and time to first token (p50, p95), error and fallback
// rates for the period, from GET /activity/metrics: tiles, a line chart per day, and the same
// figures as tables per day and per model, provider, app or key.
import { useEffect, useRef } from 'hono/jsx/dom'
import type { Chart } from 'chart.js'
import { drawLines } from '../chart.ts'
import { Stat, TableWrap } from '../components.tsx'
import { int, ms } from '../format.ts'
import { percent, timingSeries, type Figures, type Metrics } from '../metrics-data.ts'

const Cells = ({ f }: { f: Figures }) => (
  <>
    <td class="num">{int(f.requests)}</td>
    <td class="num">{percent(f.error_rate)}</td>
    <td class="num">{percent(f.fallback_rate)}</td>
    <td class="num">{ms(f.latency_ms.p50)}</td>
    <td class="num">{ms(f.latency_ms.p95)}</td>
    <td class="num">{ms(f.ttft_ms.p50)}</td>
    <td class="num">{ms(f.ttft_ms.p95)}</td>
  </>
)

const Head = ({ first }: { first: string }) => (
  <thead>
    <tr>
      <th scope="col">{first}</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Error rate</th><th scope="col" class="num">Fallback rate</th>
      <th scope="col" class="num">Latency p50</th><th scope="col" class="num">Latency p95</th><th scope="col" class="num">TTFT p50</th><th scope="col" class="num">TTFT p95</th>
    </tr>
  </thead>
)

export const Performance = ({ metrics, groupLabel, themeTick }: { metrics: Metrics; groupLabel: string; themeTick: number }) => {
  const canvas = useRef<HTMLCanvasElement>(null)
  const t = metrics.total
  useEffect(() => {
    if (!canvas.current || t.requests === 0) return
    let chart: Chart | undefined = drawLines(canvas.current, { labels: metrics.days, series: timingSeries(metrics), format: (v) => ms(v) })
    return () => {
      chart?.destroy()
      chart = undefined
    }
  }, [metrics, themeTick])

  return (
    <section class="card" aria-labelledby="performance-heading">
      <h2 id="performance-heading">Performance</h2>
      <p class="muted">Latency is the whole request's, time to first token (TTFT) the wait for the first token; quantiles are exact to the histogram bucket. A fallback is a request that needed more than one upstream attempt.</p>
      <dl class="grid">
        <Stat label="Latency p50" value={ms(t.latency_ms.p50)} testId="latency-p50" />
        <Stat label="Latency p95" value={ms(t.latency_ms.p95)} testId="latency-p95" />
        <Stat label="TTFT p50" value={ms(t.ttft_ms.p50)} testId="ttft-p50" />
        <Stat label="TTFT p95" value={ms(t.ttft_ms.p95)} testId="ttft-p95" />
        <Stat label="Error rate" value={percent(t.error_rate)} testId="error-rate" />
        <Stat label="Fallback rate" value={percent(t.fallback_rate)} testId="fallback-rate" />
      </dl>
      {t.requests > 0 && (
        <div class="chart-box">
          <canvas ref={canvas} role="img" aria-label="Latency and time to first token per day, p50 and p95. The table below has the figures." />
        </div>
      )}
      <h3 id="perf-day-heading" class="spaced">Performance by day</h3>
      <TableWrap label="Performance by day">
        <table aria-labelledby="perf-day-heading">
          <Head first="Day" />
          <tbody>
            {metrics.daily.map((d) => <tr><th scope="row">{d.date}</th><Cells f={d} /></tr>)}
          </tbody>
        </table>
      </TableWrap>
      <h3 id="perf-group-heading" class="spaced">Performance by {groupLabel.toLowerCase()}</h3>
      <TableWrap label={`Performance by ${groupLabel.toLowerCase()}`}>
        <table aria-labelledby="perf-group-heading">
          <Head first={groupLabel} />
          <tbody>
            {metrics.groups.map((g) => <tr data-perf-group={g.name}><th scope="row">{g.name}</th><Cells f={g} /></tr>)}
          </tbody>
          <tfoot>
            <tr><th scope="row">Total</th><Cells f={t} /></tr>
          </tfoot>
        </table>
      </TableWrap>
    </section>
  )
}
