// Keys (management keys only): the account's API keys through /api/v1/keys. Create (the
// secret is shown once, with a copy button), rename, set a limit and its reset, disable,
// delete. The API checks every action; this page only asks.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, NeedsKind, TableWrap } from '../components.tsx'
import { money } from '../format.ts'
import type { Session } from '../session.ts'
import { LIMIT_RESETS, limitOf, resetOf } from '../key-form.ts'
import { KeyRow, type KeyObject } from './key-row.tsx'
import { NewSecret } from '../new-secret.tsx'
import { ContentSettings } from './content-settings.tsx'

export const Keys = ({ session }: { session: Session }) => {
  const [keys, setKeys] = useState<KeyObject[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null)
  const [busy, setBusy] = useState(false)

  const load = async () => {
    try {
      setKeys((await api<{ data: KeyObject[] }>('/keys?include_disabled=true')).data)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }
  useEffect(() => {
    if (session.kind === 'management') void load()
  }, [])

  if (session.kind !== 'management') {
    return <NeedsKind kind="a management key" why="Keys are managed with a management key: an API key can only see itself." />
  }

  const create = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const data = new FormData(form)
    setBusy(true)
    try {
      const name = String(data.get('name') ?? '').trim()
      const res = await api<{ data: KeyObject; key: string }>('/keys', { method: 'POST', body: { name, limit: limitOf(data), limit_reset: resetOf(data), log_content: data.get('log_content') === 'on' } })
      setCreated({ name: res.data.name, secret: res.key })
      form.reset()
      await load()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const active = keys?.filter((k) => !k.disabled).length ?? 0
  return (
    <div>
      {created && <NewSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} />}
      <section class="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a key</h2>
        <form class="row" onSubmit={create}>
          <div class="field"><label for="new-name">Name</label><input id="new-name" name="name" required maxLength={200} placeholder="e.g. staging" /></div>
          <div class="field"><label for="new-limit">Credit limit (USD)</label><input id="new-limit" name="limit" type="number" min="0" step="0.01" placeholder="none" /></div>
          <div class="field">
            <label for="new-reset">Limit resets</label>
            <select id="new-reset" name="limit_reset">{LIMIT_RESETS.map((r) => <option value={r.value}>{r.label}</option>)}</select>
          </div>
          <label class="check"><input type="checkbox" name="log_content" /> Store this key's prompts and completions</label>
          <button type="submit" class="button primary" disabled={busy}>Create key</button>
        </form>
      </section>
      {error ? <ErrorNote error={error} /> : null}
      <section class="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">API keys</h2>
        {!keys ? <Loading what="keys" /> : keys.length === 0 ? <p class="muted">No API keys yet.</p> : (
          <>
            <p class="muted small">{active} active of {keys.length}; total usage {money(keys.reduce((s, k) => s + k.usage, 0))}.</p>
            <TableWrap label="API keys table">
              <table>
                <thead>
                  <tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col" class="num">Limit</th><th scope="col" class="num">Usage (month)</th><th scope="col" class="num">Usage (all)</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
                </thead>
                <tbody>{keys.map((k) => <KeyRow key={k.hash} k={k} onChanged={load} onError={setError} />)}</tbody>
              </table>
            </TableWrap>
          </>
        )}
      </section>
      <ContentSettings />
    </div>
  )
}
