// The D1 side of a recorder's batch: one transaction (a D1 batch) holding the batch's
// marker, its charges and its rollup increments. The marker's key is the batch's (its writer
// and number), so a batch sent twice fails on it the second time and rolls back whole: exactly once.
import { and, eq, getTableName, inArray } from 'drizzle-orm'
import { createDb, type Db } from '../client.ts'
import { flushes, generations, usageDaily, usageHourly } from '../schema.ts'
import { chargeRow, idOf, type NameIds } from '../../storage/charge.ts'
import { BUCKETS } from '../../storage/histogram.ts'
import type { GenerationRecord, NameRef } from '../../storage/record.ts'
import { fellBack, rollupDeltas, type RollupDelta } from '../../storage/rollup.ts'
import { insertOrIgnore } from './ledger.ts'

export type { NameIds }

const insertCharge = insertOrIgnore(generations)

export interface BatchHead {
  /** Who numbered the batch: a recorder (kind writer). Its number is unique to it. */
  writer: NameRef
  batch: number
  /** When it was written (the writer's clock). */
  at: number
}

const DIMS = ['account_n', 'start', 'key_n', 'model_n', 'provider_n', 'app_n']
const SUMS = [
  'requests', 'errors', 'cancelled', 'fallbacks', 'tokens_prompt', 'tokens_completion', 'tokens_reasoning', 'tokens_cached', 'tokens_cache_write',
  'cost_micro', 'latency_ms_sum', 'ttft_ms_sum',
  ...Array.from({ length: BUCKETS }, (_, i) => `latency_h${i}`), ...Array.from({ length: BUCKETS }, (_, i) => `ttft_h${i}`),
]
/** Add a delta to its rollup row (created at the first one): 43 bound values, under D1's 100. */
const upsert = (table: string) =>
  `INSERT INTO ${table} (${[...DIMS, ...SUMS].join(', ')}) VALUES (${[...DIMS, ...SUMS].map(() => '?').join(', ')}) ` +
  `ON CONFLICT (${DIMS.join(', ')}) DO UPDATE SET ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`
const UPSERT = { hour: upsert(getTableName(usageHourly)), day: upsert(getTableName(usageDaily)) }

const upsertDelta = (d1: D1Database, d: RollupDelta) =>
  d1.prepare(UPSERT[d.span]).bind(
    d.accountN, d.start, d.keyN, d.modelN, d.providerN, d.appN,
    d.requests, d.errors, d.cancelled, d.fallbacks, d.tokensPrompt, d.tokensCompletion, d.tokensReasoning, d.tokensCached, d.tokensCacheWrite,
    d.costMicro, d.latencyMsSum, d.ttftMsSum, ...d.latency, ...d.ttft,
  )

/** The batch's statements, marker first: the charges, then their rollup increments. */
export const batchStatements = (d1: D1Database, head: BatchHead, records: GenerationRecord[], ids: NameIds): D1PreparedStatement[] => {
  const writerN = idOf(ids, head.writer)
  const rows = records.map((r) => ({ row: chargeRow(r, ids, head.batch, writerN), ttftMs: r.ttftMs ?? null, fallback: fellBack(r.attempts) }))
  return [
    d1.prepare('INSERT INTO flushes (account_n, batch, rows, at) VALUES (?, ?, ?, ?)').bind(writerN, head.batch, records.length, head.at),
    ...rows.map(({ row }) => insertCharge(d1, row)),
    ...rollupDeltas(rows).map((d) => upsertDelta(d1, d)),
  ]
}

/** Whether D1 holds this batch (its marker): after a failed send, tells a repeat from a failure. */
export const batchWritten = async (db: Db, writerN: number, batch: number): Promise<boolean> =>
  (await db.select({ batch: flushes.batch }).from(flushes).where(and(eq(flushes.accountN, writerN), eq(flushes.batch, batch))).limit(1)).length > 0

/** D1 binds at most 100 values a statement. */
const IDS_PER_QUERY = 100

/** Which of these generations D1 already has (a record that reached a recorder twice). */
export const generationsWritten = async (d1: D1Database, ids: string[]): Promise<Set<string>> => {
  const db = createDb(d1)
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await db.select({ id: generations.id }).from(generations).where(inArray(generations.id, ids.slice(i, i + IDS_PER_QUERY)))
    for (const r of rows) found.add(r.id)
  }
  return found
}
