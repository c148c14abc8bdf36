// The D1 side of an account gate flush batch: one transaction (a D1 batch) holding the
// batch's marker, its charges and its rollup increments. The marker's key is the batch's,
// so a batch sent twice fails on it the second time and rolls back whole: exactly once.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { flushes, generations, type GenerationRow } from '../schema.ts'
import { apiTypeCode, appName, type GenerationRecord, type NameRef } from '../../storage/record.ts'
import { insertOrIgnore } from './ledger.ts'
import { nameKey } from './names.ts'

const insertCharge = insertOrIgnore(generations)

/** Ids of the names a batch refers to (db/queries/names.ts internNames). */
export type NameIds = Map<string, number>

const idOf = (ids: NameIds, ref: NameRef): number => {
  const id = ids.get(nameKey(ref))
  if (id === undefined) throw new Error(`name not interned: ${ref.kind}`)
  return id
}

/** A record's charge as its D1 row: integers only. */
export const chargeRow = (r: GenerationRecord, ids: NameIds, batch: number): GenerationRow => {
  const app = appName(r.httpReferer, r.appTitle)
  return {
    id: r.id,
    accountN: idOf(ids, { kind: 'account', value: r.accountId }),
    keyN: idOf(ids, { kind: 'key', value: r.keyHash }),
    modelN: idOf(ids, { kind: 'model', value: r.model }),
    providerN: r.providerId ? idOf(ids, { kind: 'provider', value: r.providerId }) : 0,
    appN: app !== null ? idOf(ids, { kind: 'app', value: app }) : 0,
    apiType: apiTypeCode(r.apiType),
    status: r.status,
    streamed: r.streamed,
    cancelled: r.cancelled ?? false,
    tokensPrompt: r.tokensPrompt ?? 0,
    tokensCompletion: r.tokensCompletion ?? 0,
    tokensReasoning: r.tokensReasoning ?? 0,
    tokensCached: r.tokensCached ?? 0,
    tokensCacheWrite: r.tokensCacheWrite ?? 0,
    costMicro: r.costMicro,
    latencyMs: r.latencyMs ?? null,
    batch,
    createdAt: r.createdAt,
  }
}

export interface BatchHead {
  accountId: string
  batch: number
  /** When the gate flushed it (its clock). */
  at: number
}

/** The batch's statements, marker first. */
export const batchStatements = (d1: D1Database, head: BatchHead, records: GenerationRecord[], ids: NameIds): D1PreparedStatement[] => [
  d1.prepare('INSERT INTO flushes (account_n, batch, rows, at) VALUES (?, ?, ?, ?)')
    .bind(idOf(ids, { kind: 'account', value: head.accountId }), head.batch, records.length, head.at),
  ...records.map((r) => insertCharge(d1, chargeRow(r, ids, head.batch))),
]

/** Whether D1 holds this batch (its marker): after a failed send, tells a repeat from a failure. */
export const batchWritten = async (db: Db, accountN: number, batch: number): Promise<boolean> =>
  (await db.select({ batch: flushes.batch }).from(flushes).where(and(eq(flushes.accountN, accountN), eq(flushes.batch, batch))).limit(1)).length > 0
