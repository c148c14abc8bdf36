// Retention: generation rows (D1, legacy rows too) and details (R2) older than RETENTION_DAYS
// go, a bounded batch per pass, by the scheduled handler; the credit ledger and the rollups
// stay exactly as they were.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { creditEvents, flushes, generationsLegacy, usageDaily, usageHourly } from '../../src/db/schema.ts'
import worker from '../../src/index.ts'
import { generationId } from '../../src/lib/ids.ts'
import { gateFor } from '../../src/objects/clients.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { prune } from '../../src/storage/retention.ts'
import { flushGate, generationRow, ledgerBalance } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { d1Charges, detailsObjects } from '../helpers/storage.ts'

const DAY_MS = 86_400_000

const record = (accountId: string, keyHash: string, createdAt: number): GenerationRecord => ({
  id: generationId(createdAt), accountId, keyHash, model: 'fake/echo', providerId: 'fake', apiType: 'completions', streamed: false,
  status: 200, tokensPrompt: 3, tokensCompletion: 4, costMicro: 7, latencyMs: 90, ttftMs: 30, userAgent: 'kept-in-r2', createdAt,
})

/** Settle, then flush every batch (one per hour of start times). */
const settleAll = async (accountId: string, records: GenerationRecord[]) => {
  const gate = gateFor(env, accountId)
  await gate.settleMany(records.map((r) => ({ accountId, generationId: r.id, record: r })))
  await flushGate(gate)
}

const legacyRow = (accountId: string, createdAt: number) => ({
  id: generationId(createdAt), accountId, keyHash: 'legacy-key', model: 'fake/echo', streamed: false, status: 200, costMicro: 0, createdAt,
})

describe('retention', () => {
  it('prunes rows, legacy rows, details and old flush markers in bounded passes, never the ledger or the rollups', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000_000 })
    const now = Date.now()
    const old = [40, 40, 35, 31].map((d) => record(accountId, keyHash, now - d * DAY_MS))
    const kept = [29, 1, 0].map((d) => record(accountId, keyHash, now - d * DAY_MS))
    await settleAll(accountId, [...old, ...kept])
    const db = createDb(env.DB)
    const [oldLegacy, keptLegacy] = [legacyRow(accountId, now - 45 * DAY_MS), legacyRow(accountId, now - 2 * DAY_MS)]
    await db.insert(generationsLegacy).values([oldLegacy, keptLegacy])
    const markerAccount = 999_999_999
    await db.insert(flushes).values([{ accountN: markerAccount, batch: 1, rows: 0, at: now - 8 * DAY_MS }, { accountN: markerAccount, batch: 2, rows: 0, at: now - 6 * DAY_MS }])

    const ledgerTables = async () => {
      const acct = accountName(db, accountId)
      return {
        hourly: await db.select().from(usageHourly).where(eq(usageHourly.accountN, acct)).orderBy(usageHourly.start),
        daily: await db.select().from(usageDaily).where(eq(usageDaily.accountN, acct)).orderBy(usageDaily.start),
        credits: await db.select().from(creditEvents).where(eq(creditEvents.accountId, accountId)),
        balance: await ledgerBalance(accountId),
      }
    }
    const before = await ledgerTables()
    const ids = [...old, ...kept].map((r) => r.id)
    expect((await detailsObjects(accountId, ids)).length).toBe(6) // one per hour: the two 40-day-old records share theirs

    // One row, one legacy row and one object per pass: many passes, each bounded, until done.
    const limits = { retentionDays: 30, batchRows: 1, maxBatches: 1, maxObjects: 1 }
    const first = await prune(env, now, limits)
    expect(first).toMatchObject({ rows: 1, legacyRows: 1, objects: 1, markers: 1, done: false })
    let passes = 1
    for (let report = first; !report.done; passes++) report = await prune(env, now, limits)
    expect(passes).toBeGreaterThanOrEqual(4)

    for (const r of old) expect(await generationRow(r.id)).toBeUndefined()
    for (const r of kept) expect(await generationRow(r.id)).toMatchObject({ id: r.id, userAgent: 'kept-in-r2', ttftMs: 30 })
    expect((await d1Charges(accountId)).rows.map((r) => r.id).sort()).toEqual(kept.map((r) => r.id).sort())
    expect((await detailsObjects(accountId, ids)).flatMap((o) => o.lines.map((l) => l.id)).sort()).toEqual(kept.map((r) => r.id).sort())
    expect((await db.select({ id: generationsLegacy.id }).from(generationsLegacy)).map((r) => r.id)).toEqual([keptLegacy.id])
    expect((await db.select({ batch: flushes.batch }).from(flushes).where(eq(flushes.accountN, markerAccount))).map((m) => m.batch)).toEqual([2])
    // The ledger and the rollups are as they were: balances and activity never depended on the rows.
    expect(await ledgerTables()).toEqual(before)
    expect(await prune(env, now, limits)).toMatchObject({ rows: 0, legacyRows: 0, objects: 0, done: true })
  })

  it('keeps everything when RETENTION_DAYS is 0', async () => {
    const { accountId, keyHash } = await seedAccount()
    const r = record(accountId, keyHash, Date.now() - 400 * DAY_MS)
    await settleAll(accountId, [r])
    expect(await prune(env, Date.now(), { retentionDays: 0, batchRows: 100, maxBatches: 10, maxObjects: 100 })).toMatchObject({ cutoff: null, rows: 0, done: true })
    expect(await generationRow(r.id)).toMatchObject({ id: r.id, userAgent: 'kept-in-r2' })
  })

  it('runs from the cron trigger with the configured RETENTION_DAYS (30 by default)', async () => {
    const { accountId, keyHash } = await seedAccount()
    const [gone, stays] = [record(accountId, keyHash, Date.now() - 31 * DAY_MS), record(accountId, keyHash, Date.now() - 29 * DAY_MS)]
    await settleAll(accountId, [gone, stays])
    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/10 * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(await generationRow(gone.id)).toBeUndefined()
    expect(await generationRow(stays.id)).toMatchObject({ id: stays.id })
  })
})
