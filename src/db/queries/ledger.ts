// The ledger in D1: credit events, idempotent by their unique id (I3), and the account's
// charges as the gate first reads them.
import { and, eq, getTableColumns, getTableName, sql, type Table } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { periodStart } from '../../billing/periods.ts'
import type { Db } from '../client.ts'
import { accounts, creditEvents, names, usageDaily, type CreditEventRow } from '../schema.ts'

/**
 * An account as the ledger sees it: credits (and how much of them were purchases),
 * charges, and each key's spend in the current day, week and month. The account
 * gate hydrates from this once; afterwards it is the authority.
 */
export const ledgerSnapshot = async (db: Db, accountId: string, now: number) => {
  const [day, week, month] = (['day', 'week', 'month'] as const).map((p) => periodStart(p, now))
  // Charges come from the daily rollups (never pruned, unlike the generation rows): periods start at a UTC day.
  // Aliased: the three differ only in a bound value, and a batch's rows come back by column name.
  const since = (start: number | undefined, name: string) =>
    sql<number>`COALESCE(SUM(CASE WHEN ${usageDaily.start} >= ${start} THEN ${usageDaily.costMicro} ELSE 0 END), 0)`.as(name)
  const keyName = alias(names, 'key_name')
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
      .select({
        keyHash: keyName.value, all: sql<number>`COALESCE(SUM(${usageDaily.costMicro}), 0)`.as('all_time'),
        day: since(day, 'day'), week: since(week, 'week'), month: since(month, 'month'),
      })
      .from(usageDaily)
      .innerJoin(keyName, eq(keyName.id, usageDaily.keyN))
      .where(eq(usageDaily.accountN, accountName(db, accountId)))
      .groupBy(usageDaily.keyN),
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

/** An account's names.id, as a subquery (no row: matches nothing). */
export const accountName = (db: Db, accountId: string) =>
  db.select({ id: names.id }).from(names).where(and(eq(names.kind, 'account'), eq(names.value, accountId)))

/**
 * A prepared `INSERT … ON CONFLICT DO NOTHING` with every column of a Drizzle table, built
 * once. The recorders write hundreds of rows a second; building each through the
 * query builder cost more than the write, so rows are bound to one fixed statement.
 */
export const insertOrIgnore = <T extends Table>(table: T) => {
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
const insertCreditEvent = insertOrIgnore(creditEvents)

/** Credit events in one batch; ids D1 already has (a repeated flush) are ignored, so the write is idempotent (I3). */
export const insertCredits = async (d1: D1Database, credits: CreditEventRow[]) => {
  if (credits.length) await d1.batch(credits.map((r) => insertCreditEvent(d1, r)))
}

/** A credit event already in D1 (flushed by a gate, or seeded): its account, to tell a repeat from a clash (I3). */
export const findCreditEvent = async (db: Db, id: string) =>
  (await db.select({ accountId: creditEvents.accountId }).from(creditEvents).where(eq(creditEvents.id, id)).limit(1))[0]
