// Compare: one prompt to 2–6 models at once, streamed side by side, with each model's time to
// first token, tokens per second, tokens and cost, and the total. Runs are kept for this
// session (sessionStorage) and export as JSON or CSV.
import { useState } from 'hono/jsx/dom'
import { ErrorNote, NeedsKind } from '../components.tsx'
import { checkModels, resultOf, type CompareRun } from '../compare-data.ts'
import { ModelField, ModelList } from '../model-picker.tsx'
import { DEFAULT_PARAMS, ParamFields, paramsOf, type Params } from '../params.tsx'
import type { Session } from '../session.ts'
import { streamChat, type ChatMessage, type StreamResult } from '../stream-chat.ts'
import { CompareTable, RunHistory } from './compare-results.tsx'

const STORE = 'switchboard.compare.runs'
const loadRuns = (): CompareRun[] => {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? '[]') as CompareRun[]
  } catch {
    return []
  }
}

/** A column while its stream runs: what has arrived, or why it failed. */
interface Column { model: string; live: StreamResult | null; error: string | null; done: boolean }

export const Compare = ({ session }: { session: Session }) => {
  const [models, setModels] = useState<string[]>(['fake/echo', 'fake/story'])
  const [system, setSystem] = useState('')
  const [params, setParams] = useState<Params>(DEFAULT_PARAMS)
  const [columns, setColumns] = useState<Column[]>([])
  const [runs, setRuns] = useState<CompareRun[]>(loadRuns())
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  if (session.kind !== 'inference') return <NeedsKind kind="an API key" why="Compare calls models, which management keys cannot do." />

  const run = async (e: Event) => {
    e.preventDefault()
    const prompt = String(new FormData(e.currentTarget as HTMLFormElement).get('prompt') ?? '').trim()
    const why = checkModels(models) ?? (prompt ? null : 'Write a prompt first.')
    setProblem(why)
    if (why) return
    setBusy(true)
    const cols: Column[] = models.map((model) => ({ model, live: null, error: null, done: false }))
    setColumns([...cols])
    const update = (i: number, patch: Partial<Column>) => {
      cols[i] = { ...(cols[i] as Column), ...patch }
      setColumns([...cols])
    }
    const messages: ChatMessage[] = [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: prompt }]
    const settled = await Promise.all(models.map((model, i) =>
      streamChat({ model, messages, ...paramsOf(params) }, (r) => update(i, { live: r }))
        .then((r) => (update(i, { live: r, error: r.error, done: true }), r))
        .catch((err: unknown) => (update(i, { error: (err as Error).message, done: true }), null))))
    const results = settled.map((r, i) => (r ? resultOf(r) : { ...resultOf({ model: models[i] as string, provider: null, text: '', reasoning: '', id: null, finishReason: null, promptTokens: null, completionTokens: null, cost: null, ttftMs: null, totalMs: 0, error: null }), error: cols[i]?.error ?? 'failed' }))
    const next = [...runs, { at: new Date().toISOString(), prompt, system, params: paramsOf(params) as Record<string, number>, results }]
    sessionStorage.setItem(STORE, JSON.stringify(next))
    setRuns(next)
    setBusy(false)
  }

  const setModel = (i: number, v: string) => setModels(models.map((m, j) => (j === i ? v : m)))
  return (
    <div class="stack">
      <form class="card stack" onSubmit={run} aria-labelledby="compare-form-heading">
        <h2 id="compare-form-heading">Prompt and models</h2>
        <ModelList id="compare-model-ids" />
        <div class="row">
          {models.map((m, i) => (
            <div class="row">
              <ModelField id={`model-${i + 1}`} label={`Model ${i + 1}`} value={m} onChange={(v) => setModel(i, v)} listId="compare-model-ids" />
              {models.length > 2 && <button type="button" class="button ghost" aria-label={`Remove model ${i + 1}`} onClick={() => setModels(models.filter((_, j) => j !== i))}>Remove</button>}
            </div>
          ))}
          {models.length < 6 && <button type="button" class="button" onClick={() => setModels([...models, ''])}>Add model</button>}
        </div>
        <label for="compare-system">System prompt (optional)</label>
        <textarea id="compare-system" rows={2} value={system} onInput={(e: Event) => setSystem((e.target as HTMLTextAreaElement).value)} />
        <label for="prompt">Prompt</label>
        <textarea id="prompt" name="prompt" rows={3} required />
        <div class="row"><ParamFields value={params} onChange={setParams} prefix="cmp" /></div>
        {problem && <p class="error" role="alert">{problem}</p>}
        <div><button type="submit" class="button primary" disabled={busy}>{busy ? 'Running…' : 'Run'}</button></div>
      </form>
      {columns.length > 0 && (
        <section aria-labelledby="answers-heading">
          <h2 id="answers-heading">Answers</h2>
          <div class="columns">
            {columns.map((c) => (
              <article class="column" data-model={c.model} aria-labelledby={`col-${c.model}`}>
                <h3 id={`col-${c.model}`}><code>{c.model}</code></h3>
                <div class="msg" aria-busy={c.done ? 'false' : 'true'}>{c.live?.text || (c.done ? '' : '…')}</div>
                {c.error && <p class="error">{c.error}</p>}
              </article>
            ))}
          </div>
          <CompareTable columns={columns.map((c) => ({ model: c.model, result: c.live && c.done ? resultOf(c.live) : null, error: c.error }))} />
        </section>
      )}
      <RunHistory runs={runs} />
    </div>
  )
}
