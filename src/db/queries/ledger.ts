// The ledger in D1: credit events and generations, each idempotent by its unique id (I2, I3).
import { eq, sql } from 'drizzle-orm'
import { periodStart } from '../../billing/periods.ts'
import type { Db } from '../client.ts'
import { accounts, creditEvents, generations, type CreditEventRow, type GenerationRow } from '../schema.ts'

/**
 * An account as the ledger sees it: credits (and how much of them were purchases),
 * charges, and each key's spend in the current day, week and month. The account
 * gate hydrates from this once; afterwards it is the authority.
 */
export const ledgerSnapshot = async (db: Db, accountId: string, now: number) => {
  const [day, week, month] = (['day', 'week', 'month'] as const).map((p) => periodStart(p, now))
  const since = (start: number | undefined) => sql<number>`COALESCE(SUM(CASE WHEN ${generations.createdAt} >= ${start} THEN ${generations.costMicro} ELSE 0 END), 0)`
  const [account, credits, keys] = await db.batch([
    db.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, accountId)),
    db
      .select({
        sum: sql<number>`COALESCE(SUM(${creditEvents.amountMicro}), 0)`,
        purchased: sql<number>`COALESCE(SUM(CASE WHEN ${creditEvents.kind} = 'topup' AND ${creditEvents.amountMicro} > 0 THEN ${creditEvents.amountMicro} ELSE 0 END), 0)`,
      })
      .from(creditEvents)
      .where(eq(creditEvents.accountId, accountId)),
    db
      .select({ keyHash: generations.keyHash, all: sql<number>`COALESCE(SUM(${generations.costMicro}), 0)`, day: since(day), week: since(week), month: since(month) })
      .from(generations)
      .where(eq(generations.accountId, accountId))
      .groupBy(generations.keyHash),
  ])
  const status = account[0]?.status
  if (!status) return undefined
  const keyRows = keys.map((k) => ({ keyHash: k.keyHash, all: Number(k.all), day: Number(k.day), week: Number(k.week), month: Number(k.month) }))
  return {
    status,
    credits: Number(credits[0]?.sum ?? 0),
    purchased: Number(credits[0]?.purchased ?? 0),
    charges: keyRows.reduce((sum, k) => sum + k.all, 0),
    keys: keyRows,
  }
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

/** A credit event already in D1 (flushed by a gate, or seeded): its account, to tell a repeat from a clash (I3). */
export const findCreditEvent = async (db: Db, id: string) =>
  (await db.select({ accountId: creditEvents.accountId }).from(creditEvents).where(eq(creditEvents.id, id)).limit(1))[0]
