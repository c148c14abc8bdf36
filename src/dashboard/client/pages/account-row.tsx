// One account in the operator view: its figures, a grant of credit with a reason, and
// suspend or resume.
import { useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { money } from '../format.ts'

export interface AccountView {
  id: string
  name: string
  status: 'active' | 'suspended'
  created_at: string
  balance: number
  total_credits: number
  total_usage: number
  held: number
}

interface Props { a: AccountView; onChanged: () => Promise<void>; onError: (err: unknown) => void }

export const AccountRow = ({ a, onChanged, onError }: Props) => {
  const [granting, setGranting] = useState(false)
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
      await onChanged()
    } catch (err) {
      onError(err)
    }
  }
  const grant = async (e: Event) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    await act(() => api(`/admin/accounts/${a.id}/credits`, { method: 'POST', body: { amount_usd: Number(data.get('amount')), reason: String(data.get('reason') ?? '').trim() } }))
    setGranting(false)
  }
  const id = a.id.slice(-8)
  return (
    <>
      <tr data-account={a.id}>
        <th scope="row">{a.name}<br /><code class="muted small">{a.id}</code></th>
        <td>{a.status === 'active' ? <span class="badge">Active</span> : <span class="badge off">Suspended</span>}</td>
        <td class="num">{money(a.balance)}</td>
        <td class="num">{money(a.total_credits)}</td>
        <td class="num">{money(a.total_usage, true)}</td>
        <td class="num">{money(a.held, true)}</td>
        <td>{a.created_at.slice(0, 10)}</td>
        <td>
          <div class="row">
            <button type="button" class="button" aria-label={`Grant credit to ${a.name}`} aria-expanded={granting ? 'true' : 'false'} onClick={() => setGranting(!granting)}>Grant credit</button>
            {a.status === 'active'
              ? <button type="button" class="button danger" aria-label={`Suspend ${a.name}`} onClick={() => void act(() => api(`/admin/accounts/${a.id}/suspend`, { method: 'POST' }))}>Suspend</button>
              : <button type="button" class="button" aria-label={`Resume ${a.name}`} onClick={() => void act(() => api(`/admin/accounts/${a.id}/reactivate`, { method: 'POST' }))}>Resume</button>}
          </div>
        </td>
      </tr>
      {granting && (
        <tr>
          <td colSpan={8}>
            <form class="row" onSubmit={grant} aria-label={`Grant credit to ${a.name}`}>
              <div class="field"><label for={`amount-${id}`}>Amount (USD)</label><input id={`amount-${id}`} name="amount" type="number" min="0.01" step="0.01" required /></div>
              <div class="field"><label for={`reason-${id}`}>Reason</label><input id={`reason-${id}`} name="reason" required maxLength={500} /></div>
              <button type="submit" class="button primary">Grant</button>
              <button type="button" class="button" onClick={() => setGranting(false)}>Cancel</button>
            </form>
          </td>
        </tr>
      )}
    </>
  )
}
