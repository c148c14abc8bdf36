// Rankings: the gateway's leaderboard of models and apps by tokens or requests over 1, 7 or 30
// days, across every account, from GET /rankings. Aggregate counts only; apps appear under the
// title or site they sent (X-OpenRouter-Title / X-Title, HTTP-Referer). Each chart has a table
// with the same figures.
import { useEffect, useRef, useState } from 'hono/jsx/dom'
import type { Chart } from 'chart.js'
import { api } from '../api.ts'
import { drawRanking } from '../chart.ts'
import { ErrorNote, Loading, Segmented, TableWrap } from '../components.tsx'
import { int } from '../format.ts'
import { useThemeTick } from '../theme.tsx'
import { appName, figureOf, shares, type Counted, type RankBy, type Rankings as RankingsData } from '../rankings-data.ts'

const PERIODS = [{ value: '1d', label: '1 day' }, { value: '7d', label: '7 days' }, { value: '30d', label: '30 days' }] as const
type Period = (typeof PERIODS)[number]['value']
const BY_LABEL: Record<RankBy, string> = { tokens: 'Tokens', requests: 'Requests' }
/** Bars drawn per chart; the table lists every entry returned. */
const CHART_TOP = 10

const Board = (props: { id: string; title: string; names: string[]; items: Counted[]; by: RankBy; themeTick: number; extra?: (i: number) => unknown }) => {
  const canvas = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    if (!canvas.current || props.items.length === 0) return
    let chart: Chart | undefined = drawRanking(canvas.current, {
      labels: props.names.slice(0, CHART_TOP), values: props.items.slice(0, CHART_TOP).map((c) => figureOf(c, props.by)), name: BY_LABEL[props.by], format: int,
    })
    return () => {
      chart?.destroy()
      chart = undefined
    }
  }, [props.items, props.by, props.themeTick])
  const share = shares(props.items, props.by)
  const noun = props.id === 'models' ? 'Model' : 'App'
  return (
    <section class="card" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.items.length === 0 ? (
        <p class="muted">Nothing in this period yet.</p>
      ) : (
        <>
          <div class="chart-box">
            <canvas ref={canvas} role="img" aria-label={`${props.title}: the top ${Math.min(CHART_TOP, props.items.length)} by ${BY_LABEL[props.by].toLowerCase()}. The table below has the figures.`} />
          </div>
          <TableWrap label={`${props.title} table`}>
            <table>
              <thead>
                <tr><th scope="col" class="num">Rank</th><th scope="col">{noun}</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Share</th></tr>
              </thead>
              <tbody>
                {props.items.map((c, i) => (
                  <tr data-rank-name={props.names[i]}>
                    <td class="num">{c.rank}</td>
                    <th scope="row">{props.names[i]}{props.extra?.(i)}</th>
                    <td class="num">{int(c.total_tokens)}</td>
                    <td class="num">{int(c.requests)}</td>
                    <td class="num">{share[i]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  )
}

export const Rankings = () => {
  const [board, setBoard] = useState<RankingsData | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [period, setPeriod] = useState<Period>('7d')
  const [by, setBy] = useState<RankBy>('tokens')
  const [reloads, setReloads] = useState(0)
  const themeTick = useThemeTick()

  useEffect(() => {
    let current = true
    api<{ data: RankingsData }>(`/rankings?period=${period}&order=${by}&limit=20`)
      .then((res) => {
        if (!current) return
        setBoard(res.data)
        setError(null)
      })
      .catch((err: unknown) => current && setError(err))
    return () => {
      current = false
    }
  }, [period, by, reloads])

  if (error) return <ErrorNote error={error} />
  if (!board) return <Loading what="rankings" />
  const none = board.unattributed
  return (
    <div>
      <p class="muted">
        The most used models and apps on this gateway, across all its accounts, from {board.from} to {board.to} (UTC). Only totals are shown; apps are listed by the
        title or site they send (<code>X-OpenRouter-Title</code>, <code>X-Title</code>, <code>HTTP-Referer</code>), and requests that name no app are counted but not listed.
      </p>
      <div class="toolbar">
        <Segmented label="Range" value={period} onChange={setPeriod} choices={PERIODS.map((p) => ({ value: p.value, label: p.label }))} />
        <Segmented label="Rank by" value={by} onChange={setBy} choices={(['tokens', 'requests'] as const).map((b) => ({ value: b, label: BY_LABEL[b] }))} />
        <button type="button" class="button" onClick={() => setReloads((n) => n + 1)}>Refresh</button>
      </div>
      <Board id="models" title="Top models" names={board.models.map((m) => m.model)} items={board.models} by={by} themeTick={themeTick} />
      <Board
        id="apps"
        title="Top apps"
        names={board.apps.map(appName)}
        items={board.apps}
        by={by}
        themeTick={themeTick}
        extra={(i) => {
          const url = board.apps[i]?.url
          return url && board.apps[i]?.title ? <span class="muted"> · {new URL(url).host}</span> : null
        }}
      />
      <p class="muted" data-testid="unattributed">Requests with no app attribution: {int(none.requests)} ({int(none.total_tokens)} tokens).</p>
    </div>
  )
}
