// Usage reads for the account endpoints, from the daily rollups only: their cost grows with
// the number of days and combinations asked for, not with the number of requests.
import { and, desc, eq, getTableColumns, gte, sql, type AnyColumn, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { BUCKETS } from '../../storage/histogram.ts'
import type { Db } from '../client.ts'
import { apiKeys, names, usageDaily } from '../schema.ts'

const model = alias(names, 'model_name')
const provider = alias(names, 'provider_name')
const app = alias(names, 'app_name')

const nameId = (db: Db, kind: 'account' | 'key', value: string) =>
  db.select({ id: names.id }).from(names).where(and(eq(names.kind, kind), eq(names.value, value)))

/** Daily usage per model, provider and app since `since` (ms, a UTC day's start), newest day first; `day` one day's start only. */
export const dailyActivity = (db: Db, accountId: string, since: number, filter: { keyHash?: string; day?: number }) =>
  db
    .select({
      start: usageDaily.start,
      model: model.value,
      providerId: provider.value,
      app: app.value,
      usageMicro: sql<number>`SUM(${usageDaily.costMicro})`,
      requests: sql<number>`SUM(${usageDaily.requests})`,
      promptTokens: sql<number>`SUM(${usageDaily.tokensPrompt})`,
      completionTokens: sql<number>`SUM(${usageDaily.tokensCompletion})`,
      reasoningTokens: sql<number>`SUM(${usageDaily.tokensReasoning})`,
    })
    .from(usageDaily)
    .innerJoin(model, eq(model.id, usageDaily.modelN))
    .leftJoin(provider, eq(provider.id, usageDaily.providerN))
    .leftJoin(app, eq(app.id, usageDaily.appN))
    .where(
      and(
        eq(usageDaily.accountN, nameId(db, 'account', accountId)),
        gte(usageDaily.start, since),
        filter.keyHash ? eq(usageDaily.keyN, nameId(db, 'key', filter.keyHash)) : undefined,
        filter.day !== undefined ? eq(usageDaily.start, filter.day) : undefined,
      ),
    )
    .groupBy(usageDaily.start, usageDaily.modelN, usageDaily.providerN, usageDaily.appN)
    .orderBy(desc(usageDaily.start), model.value)

export type GroupBy = 'model' | 'provider' | 'app' | 'key'
const GROUP_COLUMN = { model: usageDaily.modelN, provider: usageDaily.providerN, app: usageDaily.appN, key: usageDaily.keyN } as const
const groupName = alias(names, 'group_name')

const sumOf = (column: AnyColumn) => sql<number>`SUM(${column})`
const dailyColumns: Record<string, AnyColumn> = getTableColumns(usageDaily)
const histogramSums = (prefix: 'latency' | 'ttft'): Record<string, SQL<number>> =>
  Object.fromEntries(Array.from({ length: BUCKETS }, (_, i) => [`${prefix}${i}`, sumOf(dailyColumns[`${prefix}${i}`] as AnyColumn)]))

/**
 * Daily sums per day and group (one model, provider, app or key) since `since` (a UTC day's
 * start), with the latency and TTFT histograms: what /activity/metrics turns into rates and
 * quantiles. `group` is the group's interned string (null: none recorded).
 */
export const dailySums = async (db: Db, accountId: string, since: number, by: GroupBy, keyHash?: string) => {
  const column = GROUP_COLUMN[by]
  const rows = await db
    .select({
      start: usageDaily.start,
      group: groupName.value,
      requests: sumOf(usageDaily.requests),
      errors: sumOf(usageDaily.errors),
      fallbacks: sumOf(usageDaily.fallbacks),
      cancelled: sumOf(usageDaily.cancelled),
      costMicro: sumOf(usageDaily.costMicro),
      tokensPrompt: sumOf(usageDaily.tokensPrompt),
      tokensCompletion: sumOf(usageDaily.tokensCompletion),
      tokensReasoning: sumOf(usageDaily.tokensReasoning),
      latencyMsSum: sumOf(usageDaily.latencyMsSum),
      ttftMsSum: sumOf(usageDaily.ttftMsSum),
      ...histogramSums('latency'),
      ...histogramSums('ttft'),
    })
    .from(usageDaily)
    .leftJoin(groupName, eq(groupName.id, column))
    .where(
      and(
        eq(usageDaily.accountN, nameId(db, 'account', accountId)),
        gte(usageDaily.start, since),
        keyHash ? eq(usageDaily.keyN, nameId(db, 'key', keyHash)) : undefined,
      ),
    )
    .groupBy(usageDaily.start, column)
  const counts = (r: Record<string, unknown>, prefix: string) => Array.from({ length: BUCKETS }, (_, i) => Number(r[`${prefix}${i}`] ?? 0))
  return rows.map((r) => ({
    start: r.start,
    group: r.group,
    requests: Number(r.requests),
    errors: Number(r.errors),
    fallbacks: Number(r.fallbacks),
    cancelled: Number(r.cancelled),
    costMicro: Number(r.costMicro),
    tokensPrompt: Number(r.tokensPrompt),
    tokensCompletion: Number(r.tokensCompletion),
    tokensReasoning: Number(r.tokensReasoning),
    latencyMsSum: Number(r.latencyMsSum),
    ttftMsSum: Number(r.ttftMsSum),
    latency: counts(r, 'latency'),
    ttft: counts(r, 'ttft'),
  }))
}

/** The account's keys as the key grouping names them (hash → name and masked label). */
export const keyNames = (db: Db, accountId: string) =>
  db.select({ hash: apiKeys.hash, name: apiKeys.name, label: apiKeys.label }).from(apiKeys).where(eq(apiKeys.accountId, accountId))
