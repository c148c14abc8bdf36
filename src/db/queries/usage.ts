// Usage reads for the account endpoints: one generation, and daily rollups.
import { and, desc, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { generations } from '../schema.ts'

export const findGeneration = async (db: Db, accountId: string, id: string) =>
  (await db.select().from(generations).where(and(eq(generations.id, id), eq(generations.accountId, accountId))).limit(1))[0]

const day = sql<string>`strftime('%Y-%m-%d', ${generations.createdAt} / 1000, 'unixepoch')`

/** Daily usage per model, provider and app since `since` (ms), newest day first. */
export const dailyActivity = (db: Db, accountId: string, since: number, filter: { keyHash?: string; date?: string }) =>
  db
    .select({
      date: day,
      model: generations.model,
      providerId: generations.providerId,
      providerName: generations.providerName,
      httpReferer: generations.httpReferer,
      appTitle: generations.appTitle,
      usageMicro: sql<number>`SUM(${generations.costMicro})`,
      requests: sql<number>`COUNT(*)`,
      promptTokens: sql<number>`SUM(${generations.tokensPrompt})`,
      completionTokens: sql<number>`SUM(${generations.tokensCompletion})`,
      reasoningTokens: sql<number>`SUM(${generations.tokensReasoning})`,
    })
    .from(generations)
    .where(
      and(
        eq(generations.accountId, accountId),
        gte(generations.createdAt, since),
        filter.keyHash ? eq(generations.keyHash, filter.keyHash) : undefined,
        filter.date ? eq(day, filter.date) : undefined,
      ),
    )
    .groupBy(day, generations.model, generations.providerId, generations.providerName, generations.httpReferer, generations.appTitle)
    .orderBy(desc(day), generations.model)
