// Key lookups: one indexed read, on auth-cache misses only (I4); and the keys API's
// reads and writes, always scoped to one account.
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { accounts, apiKeys, type ApiKeyRow } from '../schema.ts'

export const findKeyByHash = async (db: Db, hash: string) => {
  const rows = await db
    .select({ key: apiKeys, accountStatus: accounts.status, contentLogging: accounts.contentLogging, contentRetentionDays: accounts.contentRetentionDays })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .where(eq(apiKeys.hash, hash))
    .limit(1)
  return rows[0]
}

type KeyKind = ApiKeyRow['kind']

/** One page of an account's keys of one kind, oldest first (stable for `offset`). */
export const listAccountKeys = (db: Db, accountId: string, opts: { kind?: KeyKind; includeDisabled: boolean; offset: number; limit: number }) =>
  db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        opts.kind ? eq(apiKeys.kind, opts.kind) : undefined,
        opts.includeDisabled ? undefined : eq(apiKeys.disabled, false),
      ),
    )
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.hash))
    .limit(opts.limit)
    .offset(opts.offset)

export const findAccountKey = async (db: Db, accountId: string, hash: string, kind?: KeyKind) =>
  (await db.select().from(apiKeys).where(and(eq(apiKeys.hash, hash), eq(apiKeys.accountId, accountId), kind ? eq(apiKeys.kind, kind) : undefined)).limit(1))[0]

export const insertKey = async (db: Db, row: typeof apiKeys.$inferInsert) => {
  await db.insert(apiKeys).values(row)
}

export type KeyPatch = Partial<Pick<ApiKeyRow, 'name' | 'disabled' | 'limitMicro' | 'limitReset' | 'updatedAt' | 'logContent'>>

export const updateKey = async (db: Db, hash: string, patch: KeyPatch) =>
  (await db.update(apiKeys).set(patch).where(eq(apiKeys.hash, hash)).returning())[0]

export const deleteKey = async (db: Db, hash: string) => {
  await db.delete(apiKeys).where(eq(apiKeys.hash, hash))
}
