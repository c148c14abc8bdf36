// The account gate's flush: each settled generation reaches D1 (its charge and its rollups)
// and R2 (its details) exactly once, across eviction and a crash at either point of a flush; the gate
// keeps only what settlement needs, for as long as it needs it. Rollups: rollups.test.ts.
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SETTLED_KEEP_MS, type AccountGate } from '../../../src/objects/account-gate.ts'
import { gateFor } from '../../../src/objects/clients.ts'
import { takeBatch } from '../../../src/objects/gate-store.ts'
import type { SettleInput } from '../../../src/objects/gate-types.ts'
import { detailsKey, putDetails } from '../../../src/storage/details.ts'
import { detailsOf, type GenerationRecord } from '../../../src/storage/record.ts'
import { noonToday, testClock, useClock } from '../../helpers/clock.ts'
import { flush, generationRow, ledgerBalance } from '../../helpers/ledger.ts'
import { seedAccount } from '../../helpers/seed.ts'
import { d1Charges, detailsObjects, rollupsVsRows } from '../../helpers/storage.ts'

type Gate = DurableObjectStub<AccountGate>

let seq = 0
const record = (accountId: string, keyHash: string, costMicro: number, extra: Partial<GenerationRecord> = {}): GenerationRecord => ({
  id: `gen-${Math.floor(Date.now() / 1000)}-flush${String(seq++).padStart(15, '0')}`,
  accountId, keyHash, model: 'fake/echo', providerId: 'fake', providerName: 'Switchboard Fake', region: 'us', upstreamId: `up-${seq}`,
  apiType: 'completions', streamed: false, cancelled: false, status: 200, finishReason: 'stop', nativeFinishReason: 'stop',
  tokensPrompt: 10, tokensCompletion: 5, costMicro, latencyMs: 120, generationTimeMs: 100, ttftMs: 40,
  attempts: [{ provider: 'fake', provider_name: 'Switchboard Fake', endpoint: 'fake', model: 'fake/echo', status: 200, latency_ms: 110 }],
  httpReferer: 'https://app.example.com/', appTitle: 'Example', userAgent: 'OpenAI/JS 5.23.1', externalUser: 'u-1',
  createdAt: Date.now(), ...extra,
})

const input = (r: GenerationRecord): SettleInput => ({ accountId: r.accountId, generationId: r.id, record: r })

/** Settle, then cancel the alarm the settlement set: the test decides when the flush runs (tests run with FLUSH_DELAY_MS 0). */
const settleHeld = (gate: Gate, records: GenerationRecord[]) =>
  runInDurableObject(gate, async (instance: AccountGate, state) => {
    const results = await instance.settleMany(records.map(input))
    await state.storage.deleteAlarm()
    return results
  })

/** The alarm (housekeeping, then one flush batch) run now, whatever was scheduled. */
const runAlarm = (gate: Gate) => runInDurableObject(gate, (instance: AccountGate) => instance.alarm())

const gateRows = (gate: Gate) =>
  runInDurableObject(gate, (_: AccountGate, state) => ({
    outbox: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n,
    settled: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM settled').one().n,
  }))

describe('account gate flush', () => {
  it('writes each generation to D1 and R2 exactly once across eviction and a crash at either point of a flush (I2)', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    await gate.snapshot(accountId)
    const records = [100, 200, 300].map((cost) => record(accountId, keyHash, cost))
    await settleHeld(gate, records)
    // Evicted before any flush: the settlements and their records are durable.
    await evictDurableObject(gate)
    expect(await gate.snapshot()).toMatchObject({ balanceMicro: 9_400, unflushed: 3 })
    // A settle retried after the restart is recognised.
    expect((await settleHeld(gate, [{ ...records[0]!, costMicro: 999 }]))[0]?.charged).toBe(false)

    // Crash after the R2 write, before D1's: the batch is numbered and its object written, then the object dies.
    const batch = await runInDurableObject(gate, async (instance: AccountGate, state) => {
      const taken = takeBatch(state.storage.sql, instance.clock(), 100)!
      await putDetails(env.DETAILS, detailsKey(accountId, records[0]!.createdAt, taken.batch), taken.records.map(detailsOf))
      return taken.batch
    })
    await evictDurableObject(gate)
    expect((await d1Charges(accountId)).rows).toHaveLength(0)
    await runAlarm(gate)
    const once = await d1Charges(accountId)
    expect(once.rows.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort())
    expect(once.rows.every((r) => r.batch === batch)).toBe(true)
    expect(once.markers).toEqual([{ batch, rows: 3 }])
    expect(await gate.snapshot()).toMatchObject({ unflushed: 0 })

    // Crash after D1's commit, before the gate dropped the batch: it is still in the outbox, numbered.
    await runInDurableObject(gate, (_: AccountGate, state) => {
      for (const r of records) {
        state.storage.sql.exec('INSERT INTO outbox (id, record, hour, created_at, batch) VALUES (?, ?, ?, ?, ?)',
          r.id, JSON.stringify(r), r.createdAt - (r.createdAt % 3_600_000), Date.now(), batch)
      }
    })
    await evictDurableObject(gate)
    await runAlarm(gate)
    expect(await gate.snapshot()).toMatchObject({ unflushed: 0, balanceMicro: 9_400 })
    expect(await d1Charges(accountId)).toEqual(once)
    const objects = await detailsObjects(accountId)
    expect(objects).toHaveLength(1)
    expect(objects[0]?.lines.map((l) => l.id).sort()).toEqual(records.map((r) => r.id).sort())
    expect(await ledgerBalance(accountId)).toBe(9_400)
    const rollups = await rollupsVsRows(accountId)
    expect(rollups.actual).toEqual(rollups.expected)

    // The next settlement is a new batch with a higher number, in its own object.
    const late = record(accountId, keyHash, 50)
    await settleHeld(gate, [late])
    await runAlarm(gate)
    const twice = await d1Charges(accountId)
    expect(twice.rows).toHaveLength(4)
    expect(twice.markers.map((m) => m.batch).sort()).toEqual([batch, twice.markers.find((m) => m.batch !== batch)!.batch].sort())
    expect(twice.markers.find((m) => m.batch !== batch)!.batch).toBeGreaterThan(batch)
    expect(await detailsObjects(accountId)).toHaveLength(2)
    expect(await ledgerBalance(accountId)).toBe(9_350)
  })

  it('flushes a backlog in batches of at most 100, each its own marker and object, the oldest hour first', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    const hourAgo = Date.now() - 3_600_000
    const records = Array.from({ length: 150 }, (_, i) => record(accountId, keyHash, 1, i < 20 ? { createdAt: hourAgo } : {}))
    await settleHeld(gate, records)
    await runAlarm(gate)
    const first = await d1Charges(accountId)
    expect(first.markers).toHaveLength(1)
    expect(first.rows.map((r) => r.id).sort()).toEqual(records.slice(0, 20).map((r) => r.id).sort())
    await flush(accountId)
    const all = await d1Charges(accountId)
    expect(all.rows).toHaveLength(150)
    expect(all.markers.map((m) => m.rows)).toEqual([20, 100, 30])
    expect((await detailsObjects(accountId)).map((o) => o.lines.length).sort()).toEqual([100, 20, 30])
  })

  it('reads a generation back whole: the charge from D1, the details from R2', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    const r = record(accountId, keyHash, 42, { router: { strategy: 'price', attempt: 1 }, tokensReasoning: 3, streamed: true, apiType: 'messages' })
    await settleHeld(gate, [r])
    await runAlarm(gate)
    expect(await generationRow(r.id)).toEqual({
      ...r, tokensCached: 0, tokensCacheWrite: 0,
    })
  })

  it('keeps a settled id an hour, and no record once it is flushed', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    const clock = testClock(noonToday())
    await useClock(gate, clock)
    const r = record(accountId, keyHash, 10)
    await settleHeld(gate, [r])
    await runAlarm(gate)
    expect(await gateRows(gate)).toEqual({ outbox: 0, settled: 1 })
    clock.advance(SETTLED_KEEP_MS - 1)
    await runAlarm(gate)
    expect((await settleHeld(gate, [r]))[0]?.charged).toBe(false)
    clock.advance(2)
    await runAlarm(gate)
    expect(await gateRows(gate)).toEqual({ outbox: 0, settled: 0 })
  })

  it('moves an older gate\'s 24-hour generations table: unflushed records to the outbox, every id to settled', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000 })
    const gate = gateFor(env, accountId)
    await gate.snapshot(accountId)
    const [flushed, unflushed] = [record(accountId, keyHash, 0), record(accountId, keyHash, 0)]
    await runInDurableObject(gate, (_: AccountGate, state) => {
      const sql = state.storage.sql
      sql.exec('CREATE TABLE generations (id TEXT PRIMARY KEY, cost INTEGER NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0)')
      sql.exec('INSERT INTO generations (id, cost, record, created_at, flushed) VALUES (?, 0, ?, ?, 1), (?, 0, ?, ?, 0)',
        flushed.id, JSON.stringify(flushed), flushed.createdAt, unflushed.id, JSON.stringify(unflushed), unflushed.createdAt)
    })
    await evictDurableObject(gate)
    expect(await gateRows(gate)).toEqual({ outbox: 1, settled: 2 })
    expect((await settleHeld(gate, [flushed]))[0]?.charged).toBe(false)
    await runAlarm(gate)
    expect((await d1Charges(accountId)).rows.map((r) => r.id)).toEqual([unflushed.id])
    expect((await generationRow(unflushed.id))?.userAgent).toBe('OpenAI/JS 5.23.1')
  })
})
