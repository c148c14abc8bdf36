// One account in the operator view: its figures, its last 30 days, a grant of credit with a
// reason, a new key (its secret shown once), and suspend or resume.
import { useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { money } from '../format.ts'
import { NewSecret } from '../new-secret.tsx'
import { AccountUsage } from './account-usage.tsx'

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
  const [open, setOpen] = useState<'grant' | 'key' | 'usage' | null>(null)
  const [minted, setMinted] = useState<{ name: string; secret: string } | null>(null)
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
    setOpen(null)
  }
  const mint = async (e: Event) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    const name = String(data.get('key-name') ?? '').trim()
    await act(async () => {
      const res = await api<{ key: string }>(`/admin/accounts/${a.id}/keys`, { method: 'POST', body: { name, kind: String(data.get('kind')) } })
      setMinted({ name, secret: res.key })
      setOpen(null)
    })
  }
  const toggle = (which: 'grant' | 'key' | 'usage') => setOpen(open === which ? null : which)
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
            <button type="button" class="button" aria-label={`Grant credit to ${a.name}`} aria-expanded={open === 'grant' ? 'true' : 'false'} onClick={() => toggle('grant')}>Grant credit</button>
            <button type="button" class="button" aria-label={`Usage of ${a.name}`} aria-expanded={open === 'usage' ? 'true' : 'false'} onClick={() => toggle('usage')}>Usage</button>
            <button type="button" class="button" aria-label={`New key for ${a.name}`} aria-expanded={open === 'key' ? 'true' : 'false'} onClick={() => toggle('key')}>New key</button>
            {a.status === 'active'
              ? <button type="button" class="button danger" aria-label={`Suspend ${a.name}`} onClick={() => void act(() => api(`/admin/accounts/${a.id}/suspend`, { method: 'POST' }))}>Suspend</button>
              : <button type="button" class="button" aria-label={`Resume ${a.name}`} onClick={() => void act(() => api(`/admin/accounts/${a.id}/reactivate`, { method: 'POST' }))}>Resume</button>}
          </div>
        </td>
      </tr>
      {open === 'grant' && (
        <tr>
          <td colSpan={8}>
            <form class="row" onSubmit={grant} aria-label={`Grant credit to ${a.name}`}>
              <div class="field"><label for={`amount-${id}`}>Amount (USD)</label><input id={`amount-${id}`} name="amount" type="number" min="0.01" step="0.01" required /></div>
              <div class="field"><label for={`reason-${id}`}>Reason</label><input id={`reason-${id}`} name="reason" required maxLength={500} /></div>
              <button type="submit" class="button primary">Grant</button>
              <button type="button" class="button" onClick={() => setOpen(null)}>Cancel</button>
            </form>
          </td>
        </tr>
      )}
      {open === 'key' && (
        <tr>
          <td colSpan={8}>
            <form class="row" onSubmit={mint} aria-label={`New key for ${a.name}`}>
              <div class="field"><label for={`key-name-${id}`}>Key name</label><input id={`key-name-${id}`} name="key-name" required maxLength={100} /></div>
              <div class="field">
                <label for={`kind-${id}`}>Kind</label>
                <select id={`kind-${id}`} name="kind">
                  <option value="inference">API key (inference)</option>
                  <option value="management">Management key</option>
                </select>
              </div>
              <button type="submit" class="button primary">Create key</button>
              <button type="button" class="button" onClick={() => setOpen(null)}>Cancel</button>
            </form>
          </td>
        </tr>
      )}
      {open === 'usage' && (
        <tr>
          <td colSpan={8}><AccountUsage id={a.id} name={a.name} /></td>
        </tr>
      )}
      {minted && (
        <tr>
          <td colSpan={8}><NewSecret name={minted.name} secret={minted.secret} onDone={() => setMinted(null)} /></td>
        </tr>
      )}
    </>
  )
}
