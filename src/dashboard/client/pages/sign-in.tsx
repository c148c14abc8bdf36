// Sign in by pasting a key. /key says what it is (inference or management); the key is
// then kept in this tab's session only.
import { useState } from 'hono/jsx/dom'
import { api, ApiError } from '../api.ts'
import { setSession } from '../session.ts'

/** Switchboard's keys; anything else is tried as the operator's token. */
const KEY_SHAPE = /^sk-sb-v1-/

interface KeyInfo { data: { label: string; name?: string | null; is_management_key: boolean } }

/** Only same-site paths: `next` comes from the URL, so it must not send the visitor elsewhere. */
const nextPath = () => {
  const next = new URLSearchParams(location.search).get('next') ?? '/'
  return /^\/(?!\/)[\w\-/.:%]*$/.test(next) && next !== '/sign-in' ? next : '/'
}

export const SignIn = () => {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const key = (new FormData(form).get('key') ?? '').toString().trim()
    if (!key) return setError('Paste a key first.')
    setBusy(true)
    setError(null)
    try {
      if (KEY_SHAPE.test(key)) {
        const { data } = await api<KeyInfo>('/key', { key })
        setSession({ key, kind: data.is_management_key ? 'management' : 'inference', label: data.label, name: data.name ?? null })
      } else {
        // Not a key: perhaps the operator's ADMIN_TOKEN, which the operator API accepts.
        await api('/admin/accounts?limit=1', { key })
        setSession({ key, kind: 'admin', label: 'operator token', name: null })
      }
      form.reset()
      location.assign(KEY_SHAPE.test(key) ? nextPath() : '/admin')
    } catch (err) {
      setError(err instanceof ApiError && (err.status === 401 || err.status === 404) ? 'That key was not accepted: it is unknown, disabled or expired.' : `Could not sign in: ${(err as Error).message}`)
      setBusy(false)
    }
  }

  return (
    <section class="card narrow" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading" class="visually-hidden">Sign in with a key</h2>
      <p>
        Paste an API key or a management key. An API key sees its own usage and can use the playground;
        a management key sees the whole account and manages its keys; the operator's <code>ADMIN_TOKEN</code> opens the operator view.
      </p>
      <form onSubmit={submit} class="stack" autocomplete="off">
        <label for="key">Key</label>
        <input id="key" name="key" type="password" required autocomplete="off" spellcheck={false} placeholder="sk-sb-v1-…" aria-describedby="key-help" />
        <p id="key-help" class="muted small">The key stays in this browser tab only, and is sent to this gateway's API and nowhere else. Signing out or closing the tab forgets it.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <div><button type="submit" class="button primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button></div>
      </form>
      <p class="muted small spaced">Running locally? <code>npm start</code> prints an API key and a management key.</p>
    </section>
  )
}
