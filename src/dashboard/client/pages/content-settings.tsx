// The account's content logging on the Keys page (management keys): whether prompts and
// completions are stored (opt in per key or request, always, never) and for how many days,
// through GET and PATCH /api/v1/settings. The API checks every value; this form only asks.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading } from '../components.tsx'

interface Settings { content_logging: 'opt_in' | 'always' | 'never'; content_retention_days: number }

const MODES: { value: Settings['content_logging']; label: string }[] = [
  { value: 'opt_in', label: 'When a key or request asks (default)' },
  { value: 'always', label: 'Always, for every request' },
  { value: 'never', label: 'Never, whatever a key or request asks' },
]

export const ContentSettings = () => {
  const [settings, setSettings] = useState<Settings | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)

  useEffect(() => {
    api<{ data: Settings }>('/settings').then((r) => setSettings(r.data)).catch(setError)
  }, [])

  const save = async (e: Event) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget as HTMLFormElement)
    setSaved(false)
    try {
      const body = { content_logging: String(data.get('content_logging')), content_retention_days: Number(data.get('content_retention_days')) }
      setSettings((await api<{ data: Settings }>('/settings', { method: 'PATCH', body })).data)
      setError(null)
      setSaved(true)
    } catch (err) {
      setError(err)
    }
  }

  return (
    <section class="card" aria-labelledby="content-settings-heading">
      <h2 id="content-settings-heading">Content logging</h2>
      <p class="muted small">
        Prompts and completions are not stored unless asked: by this setting, by a key's “Store this key's prompts and completions”,
        or by a request's <code>X-Switchboard-Log-Content: 1</code> header. Stored ones are shown on their Logs page and
        deleted after the retention period.
      </p>
      {!settings ? (error ? null : <Loading what="the settings" />) : (
        <form class="row" onSubmit={save} aria-label="Content logging settings">
          <div class="field">
            <label for="content-logging">Store prompts and completions</label>
            <select id="content-logging" name="content_logging">
              {MODES.map((m) => <option value={m.value} selected={settings.content_logging === m.value}>{m.label}</option>)}
            </select>
          </div>
          <div class="field">
            <label for="content-retention">Keep them for (days)</label>
            <input id="content-retention" name="content_retention_days" type="number" min="1" max="365" step="1" required value={settings.content_retention_days} />
          </div>
          <button type="submit" class="button primary">Update content logging</button>
          <span role="status" class="muted small">{saved ? 'Saved.' : ''}</span>
        </form>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </section>
  )
}
