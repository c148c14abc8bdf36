// Logs: the generations of the session's key (an API key) or account (a management key),
// newest first, from GET /generations, filtered by model, provider, key, app and status.
// Each opens on its detail (/logs/:id).
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, TableWrap } from '../components.tsx'
import { int, money, ms } from '../format.ts'
import type { Session } from '../session.ts'

export interface Listed {
  id: string
  created_at: string
  model: string
  provider_name: string | null
  api_key_hash: string
  status: 'success' | 'error' | 'cancelled'
  http_status: number
  streamed: boolean
  tokens_prompt: number
  tokens_completion: number
  total_cost: number
  latency: number | null
  http_referer: string | null
  app_title: string | null
}

interface Filters { model: string; provider: string; app: string; status: string; key: string }
const NONE: Filters = { model: '', provider: '', app: '', status: '', key: '' }

const queryOf = (f: Filters, cursor: string | null) => {
  const q = new URLSearchParams({ limit: '50' })
  if (f.model) q.set('model', f.model)
  if (f.provider) q.set('provider', f.provider)
  if (f.app) q.set('app', f.app)
  if (f.status) q.set('status', f.status)
  if (f.key) q.set('api_key_hash', f.key)
  if (cursor) q.set('cursor', cursor)
  return `?${q}`
}

const STATUS_BADGE: Record<Listed['status'], string> = { success: 'badge', error: 'badge off', cancelled: 'badge' }

export const Logs = ({ session }: { session: Session }) => {
  const [filters, setFilters] = useState<Filters>(NONE)
  const [rows, setRows] = useState<Listed[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [keys, setKeys] = useState<{ hash: string; name: string }[]>([])
  const [error, setError] = useState<unknown>(null)

  const load = async (f: Filters, after: string | null = null) => {
    try {
      const page = await api<{ data: Listed[]; next_cursor: string | null }>(`/generations${queryOf(f, after)}`)
      setRows(after ? [...(rows ?? []), ...page.data] : page.data)
      setCursor(page.next_cursor)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }
  useEffect(() => {
    void load(NONE)
    if (session.kind === 'management') void api<{ data: { hash: string; name: string }[] }>('/keys?include_disabled=true').then((r) => setKeys(r.data)).catch(() => {})
  }, [])

  const apply = (e: Event) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    const f: Filters = { model: '', provider: '', app: '', status: '', key: '' }
    for (const k of Object.keys(f) as (keyof Filters)[]) f[k] = String(data.get(k) ?? '').trim()
    setFilters(f)
    setRows(null)
    void load(f)
  }

  const keyName = (hash: string) => keys.find((k) => k.hash === hash)?.name ?? `${hash.slice(0, 8)}…`
  return (
    <div>
      <p class="muted">{session.kind === 'inference' ? "This key's generations" : "The account's generations"} of the last 30 days, newest first. They appear about a second after a request ends.</p>
      <form class="card toolbar" onSubmit={apply} aria-label="Filter generations">
        <div class="field"><label for="f-model">Model</label><input id="f-model" name="model" placeholder="any" value={filters.model} /></div>
        <div class="field"><label for="f-provider">Provider</label><input id="f-provider" name="provider" placeholder="any slug" value={filters.provider} /></div>
        <div class="field"><label for="f-app">App</label><input id="f-app" name="app" placeholder="any" value={filters.app} /></div>
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            {[['', 'Any'], ['success', 'Success'], ['error', 'Error'], ['cancelled', 'Cancelled']].map(([v, l]) => <option value={v} selected={filters.status === v}>{l}</option>)}
          </select>
        </div>
        {session.kind === 'management' && (
          <div class="field">
            <label for="f-key">Key</label>
            <select id="f-key" name="key"><option value="">Any</option>{keys.map((k) => <option value={k.hash} selected={filters.key === k.hash}>{k.name}</option>)}</select>
          </div>
        )}
        <button type="submit" class="button primary">Apply</button>
        <button type="button" class="button" onClick={() => void load(filters)}>Refresh</button>
      </form>
      {error ? <ErrorNote error={error} /> : null}
      {!rows ? <Loading what="generations" /> : rows.length === 0 ? <p class="muted">No generations match.</p> : (
        <TableWrap label="Generations table" class="card">
          <table>
            <thead>
              <tr><th scope="col">Time</th><th scope="col">Model</th><th scope="col">Provider</th><th scope="col">App</th>{session.kind === 'management' && <th scope="col">Key</th>}<th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th><th scope="col" class="num">Latency</th><th scope="col">Status</th></tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr data-generation={g.id}>
                  <th scope="row"><a href={`/logs/${g.id}`}>{new Date(g.created_at).toLocaleString()}</a></th>
                  <td><code>{g.model}</code></td>
                  <td>{g.provider_name ?? '–'}</td>
                  <td>{g.app_title ?? g.http_referer ?? '–'}</td>
                  {session.kind === 'management' && <td>{keyName(g.api_key_hash)}</td>}
                  <td class="num">{int(g.tokens_prompt)} → {int(g.tokens_completion)}</td>
                  <td class="num">{money(g.total_cost, true)}</td>
                  <td class="num">{ms(g.latency)}</td>
                  <td><span class={STATUS_BADGE[g.status]}>{g.status === 'error' ? `error ${g.http_status}` : g.status}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {cursor && rows && <button type="button" class="button" onClick={() => void load(filters, cursor)}>Load more</button>}
    </div>
  )
}
