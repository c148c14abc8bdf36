// Compare's results: each model's figures, the run's totals, and the session's runs as JSON
// or CSV. Pure.
import { tokensPerSecond, type StreamResult } from './chat-stats.ts'

export interface CompareResult {
  model: string
  provider: string | null
  text: string
  ttft_ms: number | null
  tokens_per_second: number | null
  prompt_tokens: number | null
  completion_tokens: number | null
  /** USD. */
  cost: number | null
  total_ms: number
  error: string | null
}

export interface CompareRun {
  at: string
  prompt: string
  system: string
  params: Record<string, number>
  results: CompareResult[]
}

const round = (n: number | null, digits: number) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits)

export const resultOf = (r: StreamResult): CompareResult => ({
  model: r.model,
  provider: r.provider,
  text: r.text,
  ttft_ms: round(r.ttftMs, 1),
  tokens_per_second: round(tokensPerSecond(r), 1),
  prompt_tokens: r.promptTokens,
  completion_tokens: r.completionTokens,
  cost: r.cost,
  total_ms: round(r.totalMs, 1) ?? 0,
  error: r.error,
})

/** A run's totals; cost summed in microdollars so it is exact to the cent and below. */
export const totalsOf = (results: CompareResult[]) => ({
  cost: results.reduce((s, r) => s + Math.round((r.cost ?? 0) * 1_000_000), 0) / 1_000_000,
  promptTokens: results.reduce((s, r) => s + (r.prompt_tokens ?? 0), 0),
  completionTokens: results.reduce((s, r) => s + (r.completion_tokens ?? 0), 0),
})

export const CSV_COLUMNS = ['at', 'prompt', 'model', 'provider', 'ttft_ms', 'tokens_per_second', 'prompt_tokens', 'completion_tokens', 'cost', 'total_ms', 'error', 'text'] as const

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export const toCsv = (runs: CompareRun[]): string =>
  [
    CSV_COLUMNS.join(','),
    ...runs.flatMap((run) =>
      run.results.map((r) => CSV_COLUMNS.map((c) => cell(c === 'at' ? run.at : c === 'prompt' ? run.prompt : r[c])).join(',')),
    ),
  ].join('\r\n') + '\r\n'

export const toJson = (runs: CompareRun[]) => JSON.stringify({ runs }, null, 2)

/** Model ids for a run: 2 to 6, none empty, no repeats. Returns the problem, or null. */
export const checkModels = (models: string[]): string | null => {
  if (models.length < 2 || models.length > 6) return 'Compare 2 to 6 models.'
  if (models.some((m) => m === '')) return 'Fill in every model, or remove the empty ones.'
  if (new Set(models).size !== models.length) return 'Each model may appear once.'
  return null
}
