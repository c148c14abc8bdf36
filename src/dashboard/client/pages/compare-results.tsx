// Compare's figures table (per model and total) and the session's runs with their exports.
import { TableWrap } from '../components.tsx'
import { totalsOf, toCsv, toJson, type CompareResult, type CompareRun } from '../compare-data.ts'
import { int, money, ms } from '../format.ts'

export const CompareTable = ({ columns }: { columns: { model: string; result: CompareResult | null; error: string | null }[] }) => {
  const done = columns.flatMap((c) => (c.result ? [c.result] : []))
  const t = totalsOf(done)
  return (
    <TableWrap label="Figures per model" class="card">
      <table data-testid="compare-table">
        <caption>Figures per model</caption>
        <thead>
          <tr><th scope="col">Model</th><th scope="col">Provider</th><th scope="col" class="num">TTFT</th><th scope="col" class="num">Tokens/s</th><th scope="col" class="num">Prompt tokens</th><th scope="col" class="num">Completion tokens</th><th scope="col" class="num">Cost</th><th scope="col" class="num">Total time</th></tr>
        </thead>
        <tbody>
          {columns.map(({ model, result: r, error }) => (
            <tr data-model={model}>
              <th scope="row"><code>{model}</code></th>
              {r ? (
                <>
                  <td>{r.provider ?? '–'}</td>
                  <td class="num">{ms(r.ttft_ms)}</td>
                  <td class="num">{r.tokens_per_second === null ? '–' : int(r.tokens_per_second)}</td>
                  <td class="num">{r.prompt_tokens ?? '–'}</td>
                  <td class="num">{r.completion_tokens ?? '–'}</td>
                  <td class="num">{r.cost === null ? '–' : money(r.cost, true)}</td>
                  <td class="num">{ms(r.total_ms)}</td>
                </>
              ) : <td colSpan={7} class="muted">{error ?? 'Running…'}</td>}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th scope="row">Total</th><td /><td /><td /><td class="num">{int(t.promptTokens)}</td><td class="num">{int(t.completionTokens)}</td><td class="num" data-testid="compare-total-cost">{money(t.cost, true)}</td><td /></tr>
        </tfoot>
      </table>
    </TableWrap>
  )
}

const download = (name: string, type: string, text: string) => {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const RunHistory = ({ runs }: { runs: CompareRun[] }) => {
  if (runs.length === 0) return null
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
  return (
    <section class="card" aria-labelledby="runs-heading">
      <h2 id="runs-heading">This session's runs</h2>
      <p class="muted small">Kept in this browser tab until you sign out.</p>
      <div class="row">
        <button type="button" class="button" onClick={() => download(`compare-${stamp}.json`, 'application/json', toJson(runs))}>Export JSON</button>
        <button type="button" class="button" onClick={() => download(`compare-${stamp}.csv`, 'text/csv', toCsv(runs))}>Export CSV</button>
      </div>
      <TableWrap label="Runs this session">
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Prompt</th><th scope="col">Models</th><th scope="col" class="num">Total cost</th></tr></thead>
          <tbody>
            {[...runs].reverse().map((r) => (
              <tr><td>{new Date(r.at).toLocaleTimeString()}</td><td>{r.prompt.length > 80 ? `${r.prompt.slice(0, 80)}…` : r.prompt}</td><td>{r.results.map((x) => x.model).join(', ')}</td><td class="num">{money(totalsOf(r.results).cost, true)}</td></tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  )
}
