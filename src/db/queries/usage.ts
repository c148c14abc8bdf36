// Usage reads for the account endpoints: daily activity per model, provider and app.
import { and, desc, eq, gte, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../client.ts'
import { generations, names } from '../schema.ts'

const day = sql<string>`strftime('%Y-%m-%d', ${generations.createdAt} / 1000, 'unixepoch')`
const model = alias(names, 'model_name')
const provider = alias(names, 'provider_name')
const app = alias(names, 'app_name')

const nameId = (db: Db, kind: 'account' | 'key', value: string) =>
  db.select({ id: names.id }).from(names).where(and(eq(names.kind, kind), eq(names.value, value)))

/** Daily usage per model, provider and app since `since` (ms), newest day first. */
export const dailyActivity = (db: Db, accountId: string, since: number, filter: { keyHash?: string; date?: string }) =>
  db
    .select({
      date: day,
      model: model.value,
      providerId: provider.value,
      app: app.value,
      usageMicro: sql<number>`SUM(${generations.costMicro})`,
      requests: sql<number>`COUNT(*)`,
      promptTokens: sql<number>`SUM(${generations.tokensPrompt})`,
      completionTokens: sql<number>`SUM(${generations.tokensCompletion})`,
      reasoningTokens: sql<number>`SUM(${generations.tokensReasoning})`,
    })
    .from(generations)
    .innerJoin(model, eq(model.id, generations.modelN))
    .leftJoin(provider, eq(provider.id, generations.providerN))
    .leftJoin(app, eq(app.id, generations.appN))
    .where(
      and(
        eq(generations.accountN, nameId(db, 'account', accountId)),
        gte(generations.createdAt, since),
        filter.keyHash ? eq(generations.keyN, nameId(db, 'key', filter.keyHash)) : undefined,
        filter.date ? eq(day, filter.date) : undefined,
      ),
    )
    .groupBy(day, generations.modelN, generations.providerN, generations.appN)
    .orderBy(desc(day), model.value)
