// Key lookups: one indexed read, on auth-cache misses only (I4).
import { eq } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { accounts, apiKeys } from '../schema.ts'

export const findKeyByHash = async (db: Db, hash: string) => {
  const rows = await db
    .select({ key: apiKeys, accountStatus: accounts.status })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(eq(apiKeys.hash, hash))
    .limit(1)
  return rows[0]
}
