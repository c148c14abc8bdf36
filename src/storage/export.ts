// PURE: generations as the operator API and the export write them: one flat object per
// generation (snake_case, money as integer microdollars and as USD), a CSV rendering of
// it, and the opaque cursor that continues a page.
import { toDollars } from '../lib/money.ts'
import type { StoredGeneration } from './record.ts'

export const exportRow = (g: StoredGeneration) => ({
  id: g.id,
  created_at: new Date(g.createdAt).toISOString(),
  account_id: g.accountId,
  key_hash: g.keyHash,
  model: g.model,
  provider_id: g.providerId,
  provider_name: g.providerName,
  region: g.region,
  upstream_id: g.upstreamId,
  api_type: g.apiType,
  streamed: g.streamed,
  cancelled: g.cancelled,
  status: g.status,
  finish_reason: g.finishReason,
  native_finish_reason: g.nativeFinishReason,
  tokens_prompt: g.tokensPrompt,
  tokens_completion: g.tokensCompletion,
  tokens_reasoning: g.tokensReasoning,
  tokens_cached: g.tokensCached,
  tokens_cache_write: g.tokensCacheWrite,
  cost_micro: g.costMicro,
  cost_usd: toDollars(g.costMicro),
  latency_ms: g.latencyMs,
  generation_time_ms: g.generationTimeMs,
  ttft_ms: g.ttftMs,
  http_referer: g.httpReferer,
  app_title: g.appTitle,
  user_agent: g.userAgent,
  external_user: g.externalUser,
  attempts: g.attempts,
  router: g.router,
})
export type ExportRow = ReturnType<typeof exportRow>

/** The CSV columns, in order: every field of a row. */
export const CSV_COLUMNS = Object.keys(exportRow({
  id: '', accountId: '', keyHash: '', model: '', providerId: null, providerName: null, region: null, upstreamId: null, apiType: 'completions',
  streamed: false, cancelled: false, status: 0, finishReason: null, nativeFinishReason: null, tokensPrompt: 0, tokensCompletion: 0,
  tokensReasoning: 0, tokensCached: 0, tokensCacheWrite: 0, costMicro: 0, latencyMs: null, generationTimeMs: null, ttftMs: null, attempts: [],
  httpReferer: null, appTitle: null, userAgent: null, externalUser: null, router: null, createdAt: 0,
})) as (keyof ExportRow)[]

/** RFC 4180: quoted when it holds a comma, quote or line break; objects as JSON; null as empty. */
const csvField = (v: unknown): string => {
  if (v === null || v === undefined) return ''
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

export const csvHeader = (): string => CSV_COLUMNS.join(',')
export const csvLine = (row: Record<string, unknown>): string => CSV_COLUMNS.map((c) => csvField(row[c])).join(',')

/** Where a page ended: the last generation's time and id (opaque to callers). */
export const encodeCursor = (last: { createdAt: number; id: string }): string => btoa(`${last.createdAt}:${last.id}`)

export const decodeCursor = (cursor: string): { createdAt: number; id: string } | null => {
  let text: string
  try {
    text = atob(cursor)
  } catch {
    return null
  }
  const m = /^(\d{1,16}):(gen-[\w-]{1,100})$/.exec(text)
  return m ? { createdAt: Number(m[1]), id: m[2] as string } : null
}
