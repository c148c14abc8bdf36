// The ledger in D1: credit events and generations, each idempotent by its unique id (I2, I3).
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../client.ts'
import { accounts, creditEvents, generations, type CreditEventRow, type GenerationRow } from '../schema.ts'

/** Balance as the ledger sees it: credits minus charges. The account gate hydrates from this once. */
export const ledgerBalance = async (db: Db, accountId: string) => {
  const [account, credits, charges] = await db.batch([
    db.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, accountId)),
    db.select({ sum: sql<number>`COALESCE(SUM(${creditEvents.amountMicro}), 0)` }).from(creditEvents).where(eq(creditEvents.accountId, accountId)),
    db.select({ sum: sql<number>`COALESCE(SUM(${generations.costMicro}), 0)` }).from(generations).where(eq(generations.accountId, accountId)),
  ])
  const status = account[0]?.status
  if (!status) return undefined
  return { status, balanceMicro: Number(credits[0]?.sum ?? 0) - Number(charges[0]?.sum ?? 0) }
}

/** One statement per row (D1 caps bound parameters per statement), all in one batch; duplicates are ignored. */
export const insertLedgerRows = async (db: Db, rows: { generations: GenerationRow[]; credits: CreditEventRow[] }) => {
  const statements = [
    ...rows.generations.map((r) => db.insert(generations).values(r).onConflictDoNothing()),
    ...rows.credits.map((r) => db.insert(creditEvents).values(r).onConflictDoNothing()),
  ]
  const [first, ...rest] = statements
  if (first) await db.batch([first, ...rest])
}

export const findGeneration = async (db: Db, id: string) =>
  (await db.select().from(generations).where(eq(generations.id, id)).limit(1))[0]
