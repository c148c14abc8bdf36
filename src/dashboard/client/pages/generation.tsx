// One generation's detail, from GET /generation?id=: cost, tokens (cached, reasoning),
// latency and generation time, finish reason, attribution, and every attempt with its
// provider, status and latency.
import { useEffect, useState } from 'hono/jsx/dom'
import { api, ApiError } from '../api.ts'
import { ErrorNote, Loading, Stat, TableWrap } from '../components.tsx'
import { int, money, ms } from '../format.ts'
import { GenerationContent, useGenerationContent } from './generation-content.tsx'
import { CostBreakdown, Routing, type CostDetails, type RouterMetadata } from './generation-routing.tsx'

interface Attempt { endpoint_id?: string; provider_name?: string; status: number | null; latency?: number }
interface Generation {
  id: string
  created_at: string
  model: string
  provider_name: string | null
  api_type: string
  streamed: boolean
  cancelled: boolean
  total_cost: number
  tokens_prompt: number
  tokens_completion: number
  native_tokens_reasoning: number | null
  native_tokens_cached: number | null
  latency: number | null
  generation_time: number | null
  finish_reason: string | null
  native_finish_reason: string | null
  http_referer: string | null
  app_title: string | null
  user_agent: string | null
  external_user: string | null
  region?: string | null
  provider_responses: Attempt[]
  cost_details?: CostDetails | null
  openrouter_metadata?: RouterMetadata | null
}

const idOf = (path: string) => decodeURIComponent(path.replace(/^\/logs\//, ''))

export const GenerationPage = () => {
  const id = idOf(location.pathname)
  const [g, setG] = useState<Generation | null>(null)
  const [error, setError] = useState<unknown>(null)
  const content = useGenerationContent(id)
  const load = () =>
    api<{ data: Generation }>(`/generation?id=${encodeURIComponent(id)}`)
      .then((r) => {
        setG(r.data)
        setError(null)
      })
      .catch(setError)
  useEffect(() => {
    void load()
  }, [])

  if (error instanceof ApiError && error.status === 404) {
    return (
      <section class="card narrow">
        <p>Generation <code>{id}</code> is not here (yet). Generations are written about a second after they end, and each account sees only its own.</p>
        <button type="button" class="button" onClick={() => void load()}>Try again</button>
      </section>
    )
  }
  if (error) return <ErrorNote error={error} />
  if (!g) return <Loading what="the generation" />
  const row = (label: string, value: unknown) => <tr><th scope="row">{label}</th><td>{value === null || value === undefined || value === '' ? '–' : String(value)}</td></tr>
  return (
    <div>
      <p><a href="/logs">← All generations</a> · <code>{g.id}</code></p>
      <dl class="grid">
        <Stat label="Cost" value={money(g.total_cost, true)} />
        <Stat label="Tokens" value={`${int(g.tokens_prompt)} → ${int(g.tokens_completion)}`} />
        <Stat label="Latency" value={ms(g.latency)} />
        <Stat label="Generation time" value={ms(g.generation_time)} />
      </dl>
      <section class="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <TableWrap label="Generation summary">
          <table class="kv">
            <tbody>
              {row('Model', g.model)}
              {row('Provider', g.provider_name)}
              {row('Region', g.region)}
              {row('Created', new Date(g.created_at).toLocaleString())}
              {row('API', g.api_type)}
              {row('Streamed', g.streamed ? 'yes' : 'no')}
              {row('Cancelled', g.cancelled ? 'yes' : 'no')}
              {row('Finish reason', g.finish_reason && g.native_finish_reason && g.native_finish_reason !== g.finish_reason ? `${g.finish_reason} (${g.native_finish_reason})` : g.finish_reason)}
              {row('Prompt tokens', g.tokens_prompt)}
              {row('Cached prompt tokens', g.native_tokens_cached)}
              {row('Completion tokens', g.tokens_completion)}
              {row('Reasoning tokens', g.native_tokens_reasoning)}
              {row('App', g.app_title)}
              {row('Referer', g.http_referer)}
              {row('User agent', g.user_agent)}
              {row('User', g.external_user)}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <section class="card" aria-labelledby="attempts-heading">
        <h2 id="attempts-heading">Attempts</h2>
        <p class="muted small">Each endpoint tried, in order: a failure before the first byte moves on to the next.</p>
        <TableWrap label="Attempts table">
          <table data-testid="attempts">
            <thead><tr><th scope="col">#</th><th scope="col">Provider</th><th scope="col">Endpoint</th><th scope="col" class="num">Status</th><th scope="col" class="num">Latency</th></tr></thead>
            <tbody>
              {g.provider_responses.map((a, i) => (
                <tr><td>{i + 1}</td><th scope="row">{a.provider_name ?? '–'}</th><td><code>{a.endpoint_id ?? '–'}</code></td><td class="num">{a.status ?? '–'}</td><td class="num">{ms(a.latency)}</td></tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <Routing meta={g.openrouter_metadata ?? null} />
      <CostBreakdown details={g.cost_details ?? null} />
      <GenerationContent state={content} />
    </div>
  )
}
