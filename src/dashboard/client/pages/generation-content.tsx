// A generation's prompt and completion on its Logs page, from GET /generation/content?id=:
// shown when content logging stored them, and otherwise a note that it was off. The hook starts
// the read when the page opens, beside GET /generation, so the page waits for one round of reads.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading } from '../components.tsx'

interface Turn { role: string; content: string }
export interface StoredContent {
  prompt: Turn[]
  completion: string | null
  completion_truncated: boolean
  expires_at: string
}

export type ContentState = { kind: 'loading' } | { kind: 'stored'; content: StoredContent } | { kind: 'off' } | { kind: 'error'; error: unknown }

export const useGenerationContent = (id: string): ContentState => {
  const [state, setState] = useState<ContentState>({ kind: 'loading' })
  useEffect(() => {
    api<{ data: StoredContent | null }>(`/generation/content?id=${encodeURIComponent(id)}`)
      .then((r) => setState(r.data ? { kind: 'stored', content: r.data } : { kind: 'off' }))
      .catch((error: unknown) => setState({ kind: 'error', error }))
  }, [id])
  return state
}

export const GenerationContent = ({ state }: { state: ContentState }) => (
  <section class="card" aria-labelledby="content-heading" data-testid="generation-content">
    <h2 id="content-heading">Prompt and completion</h2>
    {state.kind === 'loading' && <Loading what="the prompt and completion" />}
    {state.kind === 'error' && <ErrorNote error={state.error} />}
    {state.kind === 'off' && (
      <p class="muted" data-testid="content-off">
        Content logging is off for this generation: its prompt and completion were not stored (or their retention has
        passed). An account's <code>content_logging</code> setting, a key's <code>log_content</code> or the request header{' '}
        <code>X-Switchboard-Log-Content: 1</code> turns it on.
      </p>
    )}
    {state.kind === 'stored' && (
      <div class="chat">
        {state.content.prompt.map((t) => (
          <div class={`msg ${t.role === 'user' ? 'user' : ''}`} data-testid="prompt-turn"><span class="role">{t.role}</span>{t.content}</div>
        ))}
        <div class="msg" data-testid="completion">
          <span class="role">completion</span>
          {state.content.completion ?? '(no completion)'}
          {state.content.completion_truncated && <span class="meta">Cut at a million characters.</span>}
        </div>
        <p class="muted small">Kept until {new Date(state.content.expires_at).toLocaleString()}.</p>
      </div>
    )}
  </section>
)
