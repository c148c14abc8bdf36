// Playground: chat with any model, streamed, with a system prompt and the common parameters.
// Each reply shows its cost, tokens and time to first token. Needs an API key (management
// keys cannot call models).
import { useRef, useState } from 'hono/jsx/dom'
import { ErrorNote, NeedsKind } from '../components.tsx'
import { ModelField, ModelList } from '../model-picker.tsx'
import { DEFAULT_PARAMS, ParamFields, paramsOf, type Params } from '../params.tsx'
import { ReplyMeta } from '../reply-meta.tsx'
import type { Session } from '../session.ts'
import { streamChat, type ChatMessage, type StreamResult } from '../stream-chat.ts'

interface Turn { role: 'user' | 'assistant'; content: string; result?: StreamResult }

const initialModel = () => new URLSearchParams(location.search).get('model') ?? 'fake/echo'

export const Playground = ({ session }: { session: Session }) => {
  const [model, setModel] = useState(initialModel())
  const [system, setSystem] = useState('')
  const [params, setParams] = useState<Params>(DEFAULT_PARAMS)
  const [turns, setTurns] = useState<Turn[]>([])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const abort = useRef<AbortController | null>(null)

  if (session.kind !== 'inference') return <NeedsKind kind="an API key" why="The Playground calls models, which management keys cannot do." />

  const send = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const text = String(new FormData(form).get('message') ?? '').trim()
    if (!text || busy) return
    form.reset()
    const history: Turn[] = [...turns, { role: 'user', content: text }]
    setTurns([...history, { role: 'assistant', content: '' }])
    setError(null)
    setBusy(true)
    abort.current = new AbortController()
    const messages: ChatMessage[] = [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), ...history.map((t) => ({ role: t.role, content: t.content }))]
    try {
      const result = await streamChat({ model, messages, ...paramsOf(params) }, (r) => setTurns([...history, { role: 'assistant', content: r.text, result: r }]), abort.current.signal)
      setTurns([...history, { role: 'assistant', content: result.text, result }])
      if (result.error) setError(new Error(result.error))
    } catch (err) {
      setTurns(history)
      if ((err as Error).name !== 'AbortError') setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="layout-2">
      <section aria-labelledby="chat-heading" class="stack">
        <h2 id="chat-heading" class="visually-hidden">Conversation</h2>
        <div class="chat" role="log" aria-busy={busy ? 'true' : 'false'} aria-label="Conversation">
          {turns.length === 0 && <p class="muted">Send a message to start. Replies stream in as the model writes them.</p>}
          {turns.map((t, i) => (
            <div class={`msg ${t.role}`} data-role={t.role}>
              <span class="role">{t.role === 'user' ? 'You' : 'Assistant'}</span>
              <span class="content">{t.content || (busy ? '…' : '')}</span>
              {t.result && !(busy && i === turns.length - 1) && <ReplyMeta r={t.result} />}
            </div>
          ))}
        </div>
        {error ? <ErrorNote error={error} /> : null}
        <form class="stack" onSubmit={send}>
          <label for="message">Message</label>
          <textarea id="message" name="message" rows={3} required onKeyDown={(e: KeyboardEvent) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit()
          }} />
          <div class="row">
            <button type="submit" class="button primary" disabled={busy}>Send</button>
            {busy && <button type="button" class="button" onClick={() => abort.current?.abort()}>Stop</button>}
            <button type="button" class="button" disabled={busy || turns.length === 0} onClick={() => setTurns([])}>Clear chat</button>
            <span class="muted small">Ctrl+Enter sends</span>
          </div>
        </form>
      </section>
      <aside class="card stack" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <ModelField id="model" label="Model" value={model} onChange={setModel} listId="model-ids" />
        <ModelList id="model-ids" />
        <div class="field">
          <label for="system">System prompt</label>
          <textarea id="system" rows={4} value={system} onInput={(e: Event) => setSystem((e.target as HTMLTextAreaElement).value)} />
        </div>
        <ParamFields value={params} onChange={setParams} prefix="pg" />
      </aside>
    </div>
  )
}
