// The operator view (ADMIN_TOKEN): every account with its balance, credits, usage and holds
// (GET /admin/accounts), and the operator API's actions on them: create an account, grant
// credit, mint a key, suspend and resume. The same calls as `npm run admin`.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, NeedsKind, TableWrap } from '../components.tsx'
import { money } from '../format.ts'
import type { Session } from '../session.ts'
import { AccountRow, type AccountView } from './account-row.tsx'

const PAGE = 50

export const Operator = ({ session }: { session: Session }) => {
  const [accounts, setAccounts] = useState<AccountView[] | null>(null)
  const [offset, setOffset] = useState(0)
  const [error, setError] = useState<unknown>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const load = async (at = offset) => {
    try {
      setAccounts((await api<{ data: AccountView[] }>(`/admin/accounts?limit=${PAGE}&offset=${at}`)).data)
      setOffset(at)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }
  useEffect(() => {
    if (session.kind === 'admin') void load(0)
  }, [])
  if (session.kind !== 'admin') return <NeedsKind kind="the operator's ADMIN_TOKEN" why="The operator view manages every account on this gateway." />

  const create = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const credit = String(data.get('credit') ?? '').trim()
    try {
      const res = await api<{ data: AccountView }>('/admin/accounts', {
        method: 'POST',
        body: { name: String(data.get('name') ?? '').trim(), ...(credit ? { credit_usd: Number(credit), reason: 'initial credit (dashboard)' } : {}) },
      })
      setNotice(`Created ${res.data.name} (${res.data.id}).`)
      form.reset()
      await load(0)
    } catch (err) {
      setError(err)
    }
  }

  return (
    <div>
      <section class="card" aria-labelledby="new-account-heading">
        <h2 id="new-account-heading">Create an account</h2>
        <form class="row" onSubmit={create}>
          <div class="field"><label for="account-name">Name</label><input id="account-name" name="name" required maxLength={200} /></div>
          <div class="field"><label for="account-credit">Initial credit (USD)</label><input id="account-credit" name="credit" type="number" min="0.01" step="0.01" placeholder="none" /></div>
          <button type="submit" class="button primary">Create account</button>
        </form>
        <p class="muted small spaced">Then mint its first keys with <strong>New key</strong> on its row (or <code>npm run admin -- keys create --account acct_…</code>).</p>
      </section>
      {notice && <p class="success" role="status">{notice}</p>}
      {error ? <ErrorNote error={error} /> : null}
      <section class="card" aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        {!accounts ? <Loading what="accounts" /> : (
          <>
            <p class="muted small">
              {accounts.length === 0 ? 'No accounts on this page.' : `Accounts ${offset + 1}–${offset + accounts.length}, newest first; balance on this page ${money(accounts.reduce((s, a) => s + a.balance, 0))}.`}
            </p>
            <TableWrap label="Accounts table">
              <table>
                <thead>
                  <tr><th scope="col">Account</th><th scope="col">Status</th><th scope="col" class="num">Balance</th><th scope="col" class="num">Credits</th><th scope="col" class="num">Usage</th><th scope="col" class="num">Held</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
                </thead>
                <tbody>{accounts.map((a) => <AccountRow key={a.id} a={a} onChanged={() => load()} onError={setError} />)}</tbody>
              </table>
            </TableWrap>
            <div class="row spaced">
              <button type="button" class="button" disabled={offset === 0} onClick={() => void load(Math.max(0, offset - PAGE))}>Newer</button>
              <button type="button" class="button" disabled={accounts.length < PAGE} onClick={() => void load(offset + PAGE)}>Older</button>
            </div>
          </>
        )}
      </section>
    </div>
  )
}
