// Models: the public catalog from GET /models, searched and filtered by modality, author,
// context, price, tools, reasoning and provider (GET /providers lists them; the models a provider
// serves come from GET /models?provider=, once chosen). Each row links to the model's page.
import { useEffect, useMemo, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, TableWrap } from '../components.tsx'
import { int, perMillion, tokensShort } from '../format.ts'
import { authorOf, distinct, filterModels, NO_FILTER, reasons, takesTools, type Model, type ModelFilter } from '../models-data.ts'

const CONTEXTS = [0, 8_000, 32_000, 128_000, 200_000, 1_000_000]
const PRICES: (number | null)[] = [null, 0, 0.5, 1, 3, 10]
/** Rows rendered at first: the whole catalog is hundreds of rows. */
const PAGE = 100

export const Models = () => {
  const [models, setModels] = useState<Model[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [f, setF] = useState<ModelFilter>(NO_FILTER)
  const [limit, setLimit] = useState(PAGE)
  const [providers, setProviders] = useState<{ name: string; slug: string }[]>([])
  const [servedBy, setServedBy] = useState<Set<string> | null>(null)
  const set = <K extends keyof ModelFilter>(k: K, v: ModelFilter[K]) => {
    setF({ ...f, [k]: v })
    setLimit(PAGE)
  }

  useEffect(() => {
    api<{ data: Model[] }>('/models?output_modalities=all').then((r) => setModels(r.data)).catch(setError)
    api<{ data: { name: string; slug: string }[] }>('/providers').then((r) => setProviders(r.data)).catch(setError)
  }, [])
  const chooseProvider = (slug: string) => {
    set('provider', slug)
    setServedBy(null)
    if (slug) api<{ data: Model[] }>(`/models?output_modalities=all&provider=${encodeURIComponent(slug)}`).then((r) => setServedBy(new Set(r.data.map((m) => m.id)))).catch(setError)
  }
  const shown = useMemo(() => (models ? filterModels(models, f, servedBy) : []), [models, f, servedBy])
  if (error) return <ErrorNote error={error} />
  if (!models) return <Loading what="models" />
  const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value

  return (
    <div>
      <form class="card toolbar" role="search" aria-label="Filter models" onSubmit={(e: Event) => e.preventDefault()}>
        <div class="field"><label for="q">Search</label><input id="q" type="search" value={f.text} onInput={(e: Event) => set('text', value(e))} placeholder="name, id or description" /></div>
        <div class="field">
          <label for="input">Input</label>
          <select id="input" onChange={(e: Event) => set('input', value(e))}>
            <option value="">Any</option>{distinct(models.flatMap((m) => m.architecture.input_modalities)).map((x) => <option value={x} selected={f.input === x}>{x}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="output">Output</label>
          <select id="output" onChange={(e: Event) => set('output', value(e))}>
            <option value="">Any</option>{distinct(models.flatMap((m) => m.architecture.output_modalities)).map((x) => <option value={x} selected={f.output === x}>{x}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="author">Author</label>
          <select id="author" onChange={(e: Event) => set('author', value(e))}>
            <option value="">Any</option>{distinct(models.map((m) => authorOf(m.id))).map((x) => <option value={x} selected={f.author === x}>{x}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="provider">Provider</label>
          <select id="provider" onChange={(e: Event) => chooseProvider(value(e))}>
            <option value="">Any</option>{[...providers].sort((a, b) => a.name.localeCompare(b.name)).map((p) => <option value={p.slug} selected={f.provider === p.slug}>{p.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="context">Context at least</label>
          <select id="context" onChange={(e: Event) => set('minContext', Number(value(e)))}>
            {CONTEXTS.map((c) => <option value={String(c)} selected={f.minContext === c}>{c === 0 ? 'Any' : tokensShort(c)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="price">Prompt price at most</label>
          <select id="price" onChange={(e: Event) => set('maxPromptPerM', value(e) === '' ? null : Number(value(e)))}>
            {PRICES.map((p) => <option value={p === null ? '' : String(p)} selected={f.maxPromptPerM === p}>{p === null ? 'Any' : p === 0 ? 'Free' : `$${p}/M`}</option>)}
          </select>
        </div>
        <label class="check"><input type="checkbox" checked={f.tools} onChange={(e: Event) => set('tools', (e.target as HTMLInputElement).checked)} /> Tools</label>
        <label class="check"><input type="checkbox" checked={f.reasoning} onChange={(e: Event) => set('reasoning', (e.target as HTMLInputElement).checked)} /> Reasoning</label>
      </form>
      <p class="muted" role="status">{f.provider && !servedBy ? 'Filtering by provider…' : `${int(shown.length)} of ${int(models.length)} models`}</p>
      <TableWrap label="Models table" class="card">
        <table>
          <thead>
            <tr><th scope="col">Model</th><th scope="col" class="num">Context</th><th scope="col" class="num">Prompt</th><th scope="col" class="num">Completion</th><th scope="col">Modalities</th><th scope="col">Features</th></tr>
          </thead>
          <tbody>
            {shown.slice(0, limit).map((m) => (
              <tr>
                <th scope="row"><a href={`/models/${m.id.replace(':', '%3A')}`}>{m.name}</a><br /><code class="muted small">{m.id}</code></th>
                <td class="num">{m.context_length ? tokensShort(m.context_length) : '–'}</td>
                <td class="num">{perMillion(m.pricing.prompt)}</td>
                <td class="num">{perMillion(m.pricing.completion)}</td>
                <td>{m.architecture.input_modalities.join(', ')} → {m.architecture.output_modalities.join(', ')}</td>
                <td>{takesTools(m) && <span class="badge">tools</span>} {reasons(m) && <span class="badge">reasoning</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {shown.length > limit && <button type="button" class="button" onClick={() => setLimit(shown.length)}>Show all {int(shown.length)} models</button>}
    </div>
  )
}
