// The Credits page's ledger, from GET /credits/ledger: top-ups, refunds, grants, adjustments and
// each day's charges, newest first, a page at a time. An API key sees its own charges only.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, TableWrap } from '../components.tsx'
import { LEDGER_LABELS, type LedgerEntry } from '../credits-data.ts'
import { int, money } from '../format.ts'

interface LedgerPage { data: LedgerEntry[]; scope: 'account' | 'key'; next_cursor: string | null }

const PAGE = 25

export const Ledger = () => {
  const [rows, setRows] = useState<LedgerEntry[] | null>(null)
  const [scope, setScope] = useState<LedgerPage['scope']>('account')
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const load = async (after: string | null) => {
    try {
      const page = await api<LedgerPage>(`/credits/ledger?limit=${PAGE}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`)
      setRows(after ? [...(rows ?? []), ...page.data] : page.data)
      setScope(page.scope)
      setCursor(page.next_cursor)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }
  useEffect(() => {
    void load(null)
  }, [])

  return (
    <section class="card" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Ledger</h2>
      <p class="muted small">
        {scope === 'key'
          ? 'This API key\'s charges, a day at a time. Top-ups, refunds and grants belong to the account: a management key sees them.'
          : 'Every top-up, refund, grant and adjustment, and each day\'s charges, newest first. Entries reach the ledger about a second after they happen.'}
      </p>
      {error ? <ErrorNote error={error} /> : null}
      {!rows && !error && <Loading what="the ledger" />}
      {rows && (
        <TableWrap label="Ledger table">
          <table data-testid="ledger">
            <caption class="visually-hidden">{scope === 'key' ? 'This key\'s charges' : 'The account\'s ledger'}, newest first</caption>
            <thead><tr><th scope="col">Date</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Amount</th></tr></thead>
            <tbody>
              {rows.length === 0 && <tr><td colSpan={5} class="muted">Nothing yet.</td></tr>}
              {rows.map((e) => (
                <tr>
                  <td>{e.type === 'charge' ? e.created_at.slice(0, 10) : new Date(e.created_at).toLocaleString()}</td>
                  <th scope="row">{LEDGER_LABELS[e.type] ?? e.type}</th>
                  <td>{e.description ?? '–'}{e.type !== 'charge' && <><br /><code class="muted small">{e.id}</code></>}</td>
                  <td class="num">{e.requests === null ? '–' : int(e.requests)}</td>
                  <td class="num">{money(e.amount, e.type === 'charge')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {cursor && rows && <button type="button" class="button spaced" onClick={() => void load(cursor)}>Load more</button>}
    </section>
  )
}
