// Reading settlement results: wait for the gate, flush it through its recorder, read D1.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq, sql } from 'drizzle-orm'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { creditEvents, usageDaily } from '../../src/db/schema.ts'
import { configOf } from '../../src/env.ts'
import type { AccountGate } from '../../src/objects/account-gate.ts'
import { gateFor, recorderFor, recorderName } from '../../src/objects/clients.ts'
import type { Recorder } from '../../src/objects/recorder.ts'
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

/** Every recorder writes what it holds to D1 and R2 now (its alarm, run here), until nothing waits. */
export const drainRecorders = async () => {
  const { RECORDERS } = configOf(env)
  for (let n = 0; n < RECORDERS; n++) {
    const recorder = recorderFor(env, `recorders/${n}`)
    for (let i = 0; (await recorder.snapshot()).unflushed > 0; i++) {
      if (i === 200) throw new Error(`recorders/${n} did not write to D1`)
      await runInDurableObject(recorder, (r: Recorder) => r.alarm())
    }
  }
}

/** The gate hands everything it holds to its recorder now (its alarm, run here), and the recorders write it. */
export const flushGate = async (gate: DurableObjectStub<AccountGate>) => {
  for (let i = 0; (await gate.snapshot()).unflushed > 0; i++) {
    if (i === 500) throw new Error('the gate did not hand its records on')
    await runInDurableObject(gate, (g: AccountGate) => g.alarm())
  }
  await drainRecorders()
}

/**
 * Run the gate's alarm (the hand-off to its recorder) now instead of waiting for it; the
 * hand-off may also have run on its own and still be going, so wait until nothing is left;
 * then the recorder's write.
 */
export const flush = async (accountId: string, timeoutMs = 30_000) => {
  await settled(accountId)
  const gate = gateFor(env, accountId)
  await runDurableObjectAlarm(gate)
  const deadline = Date.now() + timeoutMs
  while ((await gate.snapshot()).unflushed > 0) {
    if (Date.now() > deadline) throw new Error('the gate did not hand its records to the recorder')
    await new Promise((r) => setTimeout(r, 20))
  }
  const recorder = recorderFor(env, recorderName(accountId, configOf(env).RECORDERS))
  while ((await recorder.snapshot()).unflushed > 0) {
    if (Date.now() > deadline) throw new Error('the recorder did not write to D1')
    await runInDurableObject(recorder, (r: Recorder) => r.alarm())
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
