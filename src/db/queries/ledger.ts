// The ledger in D1: credit events and generations, each idempotent by its unique id (I2, I3).
import { eq, getTableColumns, getTableName, sql, type Table } from 'drizzle-orm'
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

/**
 * A prepared `INSERT … ON CONFLICT DO NOTHING` with every column of a Drizzle table, built
 * once. The gate's flush writes hundreds of rows a second; building each through the
 * query builder cost more than the write, so rows are bound to one fixed statement.
 */
const insertOrIgnore = <T extends Table>(table: T) => {
  const columns = Object.entries(getTableColumns(table))
  const text = `INSERT INTO "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(', ')}) ` +
    `VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`
  return (d1: D1Database, row: Record<string, unknown>) =>
    d1.prepare(text).bind(
      ...columns.map(([key, column]) => {
        const value = row[key] ?? (typeof column.default !== 'object' ? column.default : undefined)
        return value === undefined || value === null ? null : column.mapToDriverValue(value)
      }),
    )
}
const insertGeneration = insertOrIgnore(generations)
const insertCreditEvent = insertOrIgnore(creditEvents)

/** All rows in one batch; duplicates (a repeated flush) are ignored, so the write is idempotent. */
export const insertLedgerRows = async (d1: D1Database, rows: { generations: GenerationRow[]; credits: CreditEventRow[] }) => {
  const statements = [...rows.generations.map((r) => insertGeneration(d1, r)), ...rows.credits.map((r) => insertCreditEvent(d1, r))]
  if (statements.length) await d1.batch(statements)
}

/** A credit event already in D1 (flushed by a gate, or seeded): its account, to tell a repeat from a clash (I3). */
export const findCreditEvent = async (db: Db, id: string) =>
  (await db.select({ accountId: creditEvents.accountId }).from(creditEvents).where(eq(creditEvents.id, id)).limit(1))[0]
