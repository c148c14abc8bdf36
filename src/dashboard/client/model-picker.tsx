// A model id field with the catalog's text models as suggestions (a datalist), shared by the
// Playground and Compare. Loads GET /models once per page.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from './api.ts'

let catalog: Promise<string[]> | undefined
/** The ids of the catalog's chat models, fetched once. */
export const chatModelIds = () =>
  (catalog ??= api<{ data: { id: string }[] }>('/models').then((r) => r.data.map((m) => m.id)).catch(() => []))

export const ModelList = ({ id }: { id: string }) => {
  const [ids, setIds] = useState<string[]>([])
  useEffect(() => {
    void chatModelIds().then(setIds)
  }, [])
  return <datalist id={id}>{ids.map((m) => <option value={m} />)}</datalist>
}

export interface ModelFieldProps { id: string; label: string; value: string; onChange: (v: string) => void; listId: string }

export const ModelField = (p: ModelFieldProps) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    <input id={p.id} list={p.listId} value={p.value} required spellcheck={false} autocomplete="off" onInput={(e: Event) => p.onChange((e.target as HTMLInputElement).value.trim())} />
  </div>
)
