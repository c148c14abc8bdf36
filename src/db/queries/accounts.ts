// Accounts for the operator API and the top-up webhooks.
import { eq } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { accounts, type AccountRow } from '../schema.ts'

export const findAccount = async (db: Db, id: string) => (await db.select().from(accounts).where(eq(accounts.id, id)).limit(1))[0]

export const insertAccount = async (db: Db, row: AccountRow) => {
  await db.insert(accounts).values(row)
}

export const setAccountStatus = async (db: Db, id: string, status: AccountRow['status']) => {
  await db.update(accounts).set({ status }).where(eq(accounts.id, id))
}
