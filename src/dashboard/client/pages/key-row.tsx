// One key in the Keys table, with its actions: edit (name, limit, reset, content logging), disable or enable,
// and delete after a second click.
import { useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { money } from '../format.ts'
import { LIMIT_RESETS, limitOf, resetOf } from '../key-form.ts'

export interface KeyObject {
  hash: string
  name: string
  label: string
  disabled: boolean
  limit: number | null
  limit_remaining: number | null
  limit_reset: string | null
  usage: number
  usage_monthly: number
  created_at: string
  /** This key's prompts and completions are stored (content logging). */
  log_content?: boolean
}

interface Props { k: KeyObject; onChanged: () => Promise<void>; onError: (err: unknown) => void }

export const KeyRow = ({ k, onChanged, onError }: Props) => {
  const [editing, setEditing] = useState(false)
  const [confirming, setConfirming] = useState(false)

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
      await onChanged()
    } catch (err) {
      onError(err)
    }
  }
  const patch = (body: Record<string, unknown>) => act(() => api(`/keys/${k.hash}`, { method: 'PATCH', body }))
  const save = async (e: Event) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    await patch({ name: String(data.get('name') ?? '').trim(), limit: limitOf(data), limit_reset: resetOf(data), log_content: data.get('log_content') === 'on' })
    setEditing(false)
  }

  if (editing) {
    const id = k.hash.slice(0, 12)
    return (
      <tr data-key={k.name}>
        <td colSpan={8}>
          <form class="row" onSubmit={save} aria-label={`Edit ${k.name}`}>
            <div class="field"><label for={`name-${id}`}>Name</label><input id={`name-${id}`} name="name" required value={k.name} /></div>
            <div class="field"><label for={`limit-${id}`}>Credit limit (USD)</label><input id={`limit-${id}`} name="limit" type="number" min="0" step="0.01" value={k.limit ?? ''} placeholder="none" /></div>
            <div class="field">
              <label for={`reset-${id}`}>Limit resets</label>
              <select id={`reset-${id}`} name="limit_reset">{LIMIT_RESETS.map((r) => <option value={r.value} selected={(k.limit_reset ?? '') === r.value}>{r.label}</option>)}</select>
            </div>
            <label class="check"><input type="checkbox" name="log_content" checked={k.log_content === true} /> Store this key's prompts and completions</label>
            <button type="submit" class="button primary">Save</button>
            <button type="button" class="button" onClick={() => setEditing(false)}>Cancel</button>
          </form>
        </td>
      </tr>
    )
  }
  return (
    <tr data-key={k.name}>
      <th scope="row">{k.name}</th>
      <td><code>{k.label}</code></td>
      <td>{k.disabled ? <span class="badge off">Disabled</span> : <span class="badge">Active</span>}{k.log_content ? <> <span class="badge">Content logged</span></> : null}</td>
      <td class="num">{k.limit === null ? 'None' : `${money(k.limit_remaining ?? 0)} left of ${money(k.limit)}${k.limit_reset ? ` (${k.limit_reset})` : ''}`}</td>
      <td class="num">{money(k.usage_monthly)}</td>
      <td class="num">{money(k.usage)}</td>
      <td>{k.created_at.slice(0, 10)}</td>
      <td>
        <div class="row">
          <button type="button" class="button" aria-label={`Edit ${k.name}`} onClick={() => setEditing(true)}>Edit</button>
          <button type="button" class="button" aria-label={`${k.disabled ? 'Enable' : 'Disable'} ${k.name}`} onClick={() => void patch({ disabled: !k.disabled })}>{k.disabled ? 'Enable' : 'Disable'}</button>
          {confirming ? (
            <button type="button" class="button danger" aria-label={`Confirm deleting ${k.name}`} onClick={() => void act(() => api(`/keys/${k.hash}`, { method: 'DELETE' }))}>Confirm delete</button>
          ) : (
            <button type="button" class="button danger" aria-label={`Delete ${k.name}`} onClick={() => setConfirming(true)}>Delete</button>
          )}
        </div>
      </td>
    </tr>
  )
}
