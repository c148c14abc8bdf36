// A model's page: its endpoints from GET /models/:author/:slug/endpoints (price, context,
// quantization, regions, data policy (training, retention, ZDR), status, and live uptime, latency and throughput from provider
// health) and a code sample that calls it through this gateway.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, TableWrap } from '../components.tsx'
import { perMillion, tokensShort } from '../format.ts'
import { dataPolicyText, type DataPolicy } from '../models-data.ts'

interface Percentiles { p50: number; p90: number }
interface Endpoint {
  name: string
  provider_name: string
  tag: string
  context_length: number
  max_completion_tokens: number | null
  pricing: { prompt: string; completion: string }
  quantization: string
  status: number
  unavailable_reason?: string
  regions?: string[]
  data_policy?: DataPolicy
  uptime_last_30m: number | null
  latency_last_30m: Percentiles | null
  throughput_last_30m: Percentiles | null
}
interface ModelEndpoints { id: string; name: string; description: string; architecture: { modality: string }; endpoints: Endpoint[] }

/** The model id from this page's path: /models/<author>/<slug>. */
const modelIdOf = (path: string) => decodeURIComponent(path.replace(/^\/models\//, ''))

const statusOf = (e: Endpoint) => (e.status === 0 ? 'Available' : e.status === -1 ? 'Recovering (circuit open)' : `Unavailable (${e.unavailable_reason ?? 'not configured'})`)

const sample = (id: string) => `curl ${location.origin}/api/v1/chat/completions \\
  -H "Authorization: Bearer $SWITCHBOARD_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${id}", "messages": [{"role": "user", "content": "Hello!"}]}'

# or with the openai SDK (JavaScript)
const client = new OpenAI({ baseURL: '${location.origin}/api/v1', apiKey: process.env.SWITCHBOARD_API_KEY })
const reply = await client.chat.completions.create({ model: '${id}', messages: [{ role: 'user', content: 'Hello!' }] })`

export const ModelPage = () => {
  const id = modelIdOf(location.pathname)
  const [model, setModel] = useState<ModelEndpoints | null>(null)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    api<{ data: ModelEndpoints }>(`/models/${id}/endpoints`)
      .then((r) => {
        setModel(r.data)
        const title = document.getElementById('page-title')
        if (title) title.textContent = r.data.name
        document.title = `${r.data.name} · Switchboard`
      })
      .catch(setError)
  }, [])

  if (error) return <ErrorNote error={error} />
  if (!model) return <Loading what={id} />
  return (
    <div>
      <p><code>{model.id}</code> · {model.architecture.modality} · <a href={`/playground?model=${encodeURIComponent(model.id)}`}>Try it in the Playground</a></p>
      <p class="muted">{model.description}</p>
      <section class="card" aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        <TableWrap label="Endpoints table">
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th><th scope="col" class="num">Context</th><th scope="col" class="num">Max output</th><th scope="col" class="num">Prompt</th><th scope="col" class="num">Completion</th>
                <th scope="col">Quantization</th><th scope="col">Regions</th><th scope="col">Data policy</th><th scope="col">Status</th><th scope="col" class="num">Uptime (30 min)</th><th scope="col" class="num">Latency p50</th><th scope="col" class="num">Throughput p50</th>
              </tr>
            </thead>
            <tbody>
              {model.endpoints.map((e) => (
                <tr>
                  <th scope="row">{e.provider_name}<br /><code class="muted small">{e.tag}</code></th>
                  <td class="num">{tokensShort(e.context_length)}</td>
                  <td class="num">{e.max_completion_tokens ? tokensShort(e.max_completion_tokens) : '–'}</td>
                  <td class="num">{perMillion(e.pricing.prompt)}</td>
                  <td class="num">{perMillion(e.pricing.completion)}</td>
                  <td>{e.quantization}</td>
                  <td>{(e.regions ?? []).join(', ') || '–'}</td>
                  <td>{dataPolicyText(e.data_policy)}</td>
                  <td>{statusOf(e)}</td>
                  <td class="num">{e.uptime_last_30m === null ? '–' : `${e.uptime_last_30m}%`}</td>
                  <td class="num">{e.latency_last_30m ? `${Math.round(e.latency_last_30m.p50 * 1000)} ms` : '–'}</td>
                  <td class="num">{e.throughput_last_30m ? `${Math.round(e.throughput_last_30m.p50)} tok/s` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <section class="card" aria-labelledby="sample-heading">
        <h2 id="sample-heading">Call it</h2>
        <pre class="code" tabindex={0} aria-label="Code sample"><code>{sample(model.id)}</code></pre>
      </section>
    </div>
  )
}
