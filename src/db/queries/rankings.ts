// The leaderboard's reads: the daily rollups of every account since a day, summed per model or
// per app. Only aggregate counts leave here: no account, key or row of any one account.
// usage_daily's index on `start` keeps them to the period's rows.
import { and, desc, eq, gte, ne, sql } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { names, usageDaily } from '../schema.ts'

/** Requests that succeeded (an error is not usage worth ranking), and their tokens. */
const counts = {
  requests: sql<number>`SUM(${usageDaily.requests}) - SUM(${usageDaily.errors})`,
  promptTokens: sql<number>`SUM(${usageDaily.tokensPrompt})`,
  completionTokens: sql<number>`SUM(${usageDaily.tokensCompletion})`,
}

export type RankBy = 'tokens' | 'requests'
const orderOf = (by: RankBy) =>
  by === 'tokens'
    ? [desc(sql`SUM(${usageDaily.tokensPrompt}) + SUM(${usageDaily.tokensCompletion})`), desc(counts.requests)]
    : [desc(counts.requests), desc(sql`SUM(${usageDaily.tokensPrompt}) + SUM(${usageDaily.tokensCompletion})`)]

const numbers = <R extends { requests: number; promptTokens: number; completionTokens: number }>(r: R) => ({
  ...r,
  requests: Number(r.requests),
  promptTokens: Number(r.promptTokens),
  completionTokens: Number(r.completionTokens),
})

/** Models by tokens or requests since `since`, across accounts: the first `limit`. */
export const modelRanking = async (db: Db, since: number, by: RankBy, limit: number) =>
  (
    await db
      .select({ model: names.value, ...counts })
      .from(usageDaily)
      .innerJoin(names, eq(names.id, usageDaily.modelN))
      .where(gte(usageDaily.start, since))
      .groupBy(usageDaily.modelN)
      .orderBy(...orderOf(by), names.value)
      .limit(limit)
  ).map(numbers)

/** Attributed apps (their interned `["<referer>", "<title>"]`) by tokens or requests since `since`: the first `limit`. */
export const appRanking = async (db: Db, since: number, by: RankBy, limit: number) =>
  (
    await db
      .select({ app: names.value, ...counts })
      .from(usageDaily)
      .innerJoin(names, eq(names.id, usageDaily.appN))
      .where(and(gte(usageDaily.start, since), ne(usageDaily.appN, 0)))
      .groupBy(usageDaily.appN)
      .orderBy(...orderOf(by), names.value)
      .limit(limit)
  ).map(numbers)

/** Requests and tokens with no app attribution since `since`, summed (shown as one line, never by account). */
export const unattributedUsage = async (db: Db, since: number) => {
  const [row] = await db
    .select(counts)
    .from(usageDaily)
    .where(and(gte(usageDaily.start, since), eq(usageDaily.appN, 0)))
  return numbers({ requests: row?.requests ?? 0, promptTokens: row?.promptTokens ?? 0, completionTokens: row?.completionTokens ?? 0 })
}
