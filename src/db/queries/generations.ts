// Reads of generation charges with their names spelled out: one by id (/generation),
// and pages of an account's in time order (the Logs view, the export).
import { and, asc, desc, eq, gt, gte, inArray, lt, or, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Charge, Details } from '../../storage/record.ts'
import type { Db } from '../client.ts'
import { generations, generationsLegacy, names } from '../schema.ts'

const account = alias(names, 'account_name')
const key = alias(names, 'key_name')
const model = alias(names, 'model_name')
const provider = alias(names, 'provider_name')
const app = alias(names, 'app_name')
const writer = alias(names, 'writer_name')

const charges = (db: Db) =>
  db
    .select({
      id: generations.id,
      accountId: account.value,
      keyHash: key.value,
      model: model.value,
      providerId: provider.value,
      app: app.value,
      apiType: generations.apiType,
      status: generations.status,
      streamed: generations.streamed,
      cancelled: generations.cancelled,
      tokensPrompt: generations.tokensPrompt,
      tokensCompletion: generations.tokensCompletion,
      tokensReasoning: generations.tokensReasoning,
      tokensCached: generations.tokensCached,
      tokensCacheWrite: generations.tokensCacheWrite,
      costMicro: generations.costMicro,
      latencyMs: generations.latencyMs,
      batch: generations.batch,
      writer: writer.value,
      createdAt: generations.createdAt,
    })
    .from(generations)
    .innerJoin(account, eq(account.id, generations.accountN))
    .innerJoin(key, eq(key.id, generations.keyN))
    .innerJoin(model, eq(model.id, generations.modelN))
    .leftJoin(provider, eq(provider.id, generations.providerN))
    .leftJoin(app, eq(app.id, generations.appN))
    .leftJoin(writer, eq(writer.id, generations.writerN))

/** One charge by id; with an account, only that account's. */
export const findCharge = async (db: Db, id: string, accountId?: string): Promise<Charge | undefined> =>
  (await charges(db).where(and(eq(generations.id, id), accountId !== undefined ? eq(account.value, accountId) : undefined)).limit(1))[0]

export interface PageQuery {
  accountId: string
  /** created_at bounds, ms: from inclusive, to exclusive. */
  from: number
  to: number
  /** Continue after this generation (the last of the previous page). */
  after?: { createdAt: number; id: string }
  order: 'asc' | 'desc'
  limit: number
}

/** One page of an account's charges in a time range, newest or oldest first: a range scan of (account_n, created_at). */
export const pageCharges = (db: Db, q: PageQuery): Promise<Charge[]> => {
  const accountN = db.select({ id: names.id }).from(names).where(and(eq(names.kind, 'account'), eq(names.value, q.accountId)))
  const past = q.order === 'desc' ? lt : gt
  const beyond = (a: { createdAt: number; id: string }): SQL | undefined =>
    or(past(generations.createdAt, a.createdAt), and(eq(generations.createdAt, a.createdAt), past(generations.id, a.id)))
  const dir = q.order === 'desc' ? desc : asc
  return charges(db)
    .where(and(
      eq(generations.accountN, accountN),
      gte(generations.createdAt, q.from),
      lt(generations.createdAt, q.to),
      q.after ? beyond(q.after) : undefined,
    ))
    .orderBy(dir(generations.createdAt), dir(generations.id))
    .limit(q.limit)
}

/** Details of generations from before issue 14, kept in their old rows (migration 0002). */
export const legacyDetails = async (db: Db, ids: string[]): Promise<Map<string, Details>> => {
  if (ids.length === 0) return new Map()
  const rows = await db.select().from(generationsLegacy).where(inArray(generationsLegacy.id, ids))
  return new Map(rows.map((r) => [r.id, {
    id: r.id, providerName: r.providerName, region: r.region, upstreamId: r.upstreamId, finishReason: r.finishReason,
    nativeFinishReason: r.nativeFinishReason, generationTimeMs: r.generationTimeMs, ttftMs: null, attempts: r.attempts,
    httpReferer: r.httpReferer, appTitle: r.appTitle, userAgent: r.userAgent, externalUser: r.externalUser,
  }]))
}
