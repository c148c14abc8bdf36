// PURE: a recorder batch's increments to the hourly and daily rollups, one per account × key ×
// model × provider × app and period. The flush adds them in the transaction that writes the
// batch's rows, so rollups and rows never disagree.
import type { GenerationRow } from '../db/schema.ts'
import { BUCKETS, bucketOf } from './histogram.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

export type Span = 'hour' | 'day'
export const SPAN_MS: Record<Span, number> = { hour: HOUR_MS, day: DAY_MS }

export interface RollupDelta {
  span: Span
  accountN: number
  start: number
  keyN: number
  modelN: number
  providerN: number
  appN: number
  requests: number
  errors: number
  cancelled: number
  fallbacks: number
  tokensPrompt: number
  tokensCompletion: number
  tokensReasoning: number
  tokensCached: number
  tokensCacheWrite: number
  costMicro: number
  latencyMsSum: number
  ttftMsSum: number
  latency: number[]
  ttft: number[]
}

/** A charge row, its time to first token and whether it fell back (both kept in the details, counted here). */
export interface RollupInput {
  row: GenerationRow
  ttftMs: number | null
  /** More than one upstream attempt. */
  fallback?: boolean
}

/** A record's attempts say whether it fell back: any attempt after the first is a fallback. */
export const fellBack = (attempts: unknown[] | null | undefined): boolean => (attempts?.length ?? 0) > 1

export const rollupDeltas = (items: RollupInput[]): RollupDelta[] => {
  const out = new Map<string, RollupDelta>()
  for (const { row, ttftMs, fallback } of items) {
    for (const span of ['hour', 'day'] as const) {
      const start = row.createdAt - (row.createdAt % SPAN_MS[span])
      const dims = { accountN: row.accountN, start, keyN: row.keyN, modelN: row.modelN, providerN: row.providerN ?? 0, appN: row.appN ?? 0 }
      const k = `${span}|${Object.values(dims).join('|')}`
      let d = out.get(k)
      if (!d) {
        d = {
          span, ...dims, requests: 0, errors: 0, cancelled: 0, fallbacks: 0, tokensPrompt: 0, tokensCompletion: 0, tokensReasoning: 0, tokensCached: 0,
          tokensCacheWrite: 0, costMicro: 0, latencyMsSum: 0, ttftMsSum: 0, latency: new Array<number>(BUCKETS).fill(0), ttft: new Array<number>(BUCKETS).fill(0),
        }
        out.set(k, d)
      }
      d.requests += 1
      if (row.status >= 400) d.errors += 1
      if (row.cancelled) d.cancelled += 1
      if (fallback) d.fallbacks += 1
      d.tokensPrompt += row.tokensPrompt ?? 0
      d.tokensCompletion += row.tokensCompletion ?? 0
      d.tokensReasoning += row.tokensReasoning ?? 0
      d.tokensCached += row.tokensCached ?? 0
      d.tokensCacheWrite += row.tokensCacheWrite ?? 0
      d.costMicro += row.costMicro
      if (row.latencyMs != null) {
        d.latencyMsSum += row.latencyMs
        d.latency[bucketOf(row.latencyMs)]! += 1
      }
      if (ttftMs != null) {
        d.ttftMsSum += ttftMs
        d.ttft[bucketOf(ttftMs)]! += 1
      }
    }
  }
  return [...out.values()]
}
