// Reading settlement results: wait for the gate, flush it, read D1.
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq, sql } from 'drizzle-orm'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { creditEvents, usageDaily } from '../../src/db/schema.ts'
import { gateFor } from '../../src/objects/clients.ts'
import { readGeneration } from '../../src/storage/read.ts'
import { call } from './gateway.ts'

/** Settlement runs in waitUntil after the response: poll until the gate holds nothing open. */
export const settled = async (accountId: string, timeoutMs = 30_000) => {
  const gate = gateFor(env, accountId)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const snap = await gate.snapshot()
    if (snap.openHolds === 0) return snap
    if (Date.now() > deadline) throw new Error(`holds still open: ${JSON.stringify(snap)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Run the gate's alarm (the D1 flush) now instead of waiting for it; the alarm may
 * also have fired on its own and still be writing, so wait until nothing is unflushed.
 */
export const flush = async (accountId: string, timeoutMs = 30_000) => {
  await settled(accountId)
  const gate = gateFor(env, accountId)
  await runDurableObjectAlarm(gate)
  const deadline = Date.now() + timeoutMs
  while ((await gate.snapshot()).unflushed > 0) {
    if (Date.now() > deadline) throw new Error('the gate did not flush to D1')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A flushed generation read back whole (D1 charge + R2 details), as /generation reads it. */
export const generationRow = (id: string) => readGeneration(env.DETAILS, createDb(env.DB), id)

/** Credits minus charges, as D1 records them: the credit ledger and the daily rollups (which outlive the generation rows). */
export const ledgerBalance = async (accountId: string) => {
  const db = createDb(env.DB)
  const [credits] = await db.select({ sum: sql<number>`COALESCE(SUM(${creditEvents.amountMicro}), 0)` }).from(creditEvents).where(eq(creditEvents.accountId, accountId))
  const [charges] = await db.select({ sum: sql<number>`COALESCE(SUM(${usageDaily.costMicro}), 0)` }).from(usageDaily).where(eq(usageDaily.accountN, accountName(db, accountId)))
  return Number(credits?.sum) - Number(charges?.sum)
}

/** GET /generation of one id, as the account's key sees it, once the gate has flushed it. */
export const publicGeneration = async (account: { accountId: string; key: string }, id: string): Promise<Record<string, unknown>> => {
  await flush(account.accountId)
  const res = await call(`/generation?id=${id}`, { key: account.key })
  if (res.status !== 200) throw new Error(`GET /generation?id=${id}: ${res.status} ${await res.text()}`)
  return (await res.json<{ data: Record<string, unknown> }>()).data
}
