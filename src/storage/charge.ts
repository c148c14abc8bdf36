// PURE: a generation record's charge as its D1 row: integers only, its strings replaced by
// their interned ids (names).
import type { GenerationRow } from '../db/schema.ts'
import { apiTypeCode, appName, nameKey, type GenerationRecord, type NameRef } from './record.ts'

/** Ids of the names a batch refers to (db/queries/names.ts internNames). */
export type NameIds = Map<string, number>

export const idOf = (ids: NameIds, ref: NameRef): number => {
  const id = ids.get(nameKey(ref))
  if (id === undefined) throw new Error(`name not interned: ${ref.kind}`)
  return id
}

/** A record's charge as its D1 row: integers only. `writerN`: the recorder that writes it (0: its account's gate). */
export const chargeRow = (r: GenerationRecord, ids: NameIds, batch: number, writerN = 0): GenerationRow => {
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
    writerN,
    createdAt: r.createdAt,
  }
}
