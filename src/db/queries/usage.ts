// Usage reads for the account endpoints, from the daily rollups only: their cost grows with
// the number of days and combinations asked for, not with the number of requests.
import { and, desc, eq, gte, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../client.ts'
import { names, usageDaily } from '../schema.ts'

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
