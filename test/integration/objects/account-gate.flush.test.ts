// Settled generations on their way out: the account gate hands them to its recorder, which
// writes many accounts' at once to D1 (charges, rollups) and R2 (details). Each reaches D1 and
// R2 exactly once across eviction and a crash at any point of either step; the gate keeps only
// what settlement needs, for as long as it needs it. Rollups: rollups.test.ts.
import { evictDurableObject, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { configOf } from '../../../src/env.ts'
import { SETTLED_KEEP_MS, type AccountGate } from '../../../src/objects/account-gate.ts'
import { gateFor, recorderFor, recorderName } from '../../../src/objects/clients.ts'
import { takeBatch } from '../../../src/objects/outbox-store.ts'
import type { Recorder } from '../../../src/objects/recorder.ts'
import type { SettleInput } from '../../../src/objects/gate-types.ts'
import { internNames } from '../../../src/db/queries/names.ts'
import { detailsKey, putDetails } from '../../../src/storage/details.ts'
import { writeBatch } from '../../../src/storage/flush.ts'
import { detailsOf, namesOf, type GenerationRecord } from '../../../src/storage/record.ts'
import { noonToday, testClock, useClock } from '../../helpers/clock.ts'
import { flush, flushGate, generationRow, ledgerBalance } from '../../helpers/ledger.ts'
import { seedAccount } from '../../helpers/seed.ts'
import { d1Charges, detailsObjects, rollupsVsRows } from '../../helpers/storage.ts'

type Gate = DurableObjectStub<AccountGate>
type RecorderStub = DurableObjectStub<Recorder>

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

/** The account's recorder (tests run with RECORDERS 4 and FLUSH_DELAY_MS 0: hand-offs and writes start at once). */
const recorderOf = (accountId: string) => {
  const name = recorderName(accountId, configOf(env).RECORDERS)
  return { name, stub: recorderFor(env, name) }
}

/** Settle, and wait for the gate's own hand-off to the recorder (the recorder may be writing already). */
const settleHandedOff = async (gate: Gate, records: GenerationRecord[]) => {
  const results = await gate.settleMany(records.map(input))
  for (let i = 0; (await gate.snapshot()).unflushed > 0; i++) {
    if (i === 1500) throw new Error('the gate did not hand its records on')
    await new Promise((r) => setTimeout(r, 20))
  }
  return results
}

const runAlarm = (gate: Gate) => runInDurableObject(gate, (instance: AccountGate) => instance.alarm())
const runRecorder = (recorder: RecorderStub) => runInDurableObject(recorder, (instance: Recorder) => instance.alarm())

/** The recorder writes only when the test runs its alarm (until it is evicted). */
const holdWrites = (recorder: RecorderStub) =>
  runInDurableObject(recorder, async (instance: Recorder, state) => {
    instance.delayMs = 3_600_000
    await state.storage.deleteAlarm()
  })

/** Until the recorder holds nothing: its alarm may be running on its own too. */
const drain = async (recorder: RecorderStub) => {
  for (let i = 0; (await recorder.snapshot()).unflushed > 0; i++) {
    if (i === 200) throw new Error('the recorder did not write to D1')
    await runRecorder(recorder)
  }
}

const gateRows = (gate: Gate) =>
  runInDurableObject(gate, (_: AccountGate, state) => ({
    outbox: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n,
    settled: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM settled').one().n,
  }))

/** The D1 marker rows of one writer (a recorder), by its interned name. */
const writerMarkers = async (writer: string) =>
  (await env.DB.prepare(`SELECT f.batch, f.rows FROM flushes f JOIN names n ON n.id = f.account_n WHERE n.kind = 'writer' AND n.value = ? ORDER BY f.batch`)
    .bind(writer).all<{ batch: number; rows: number }>()).results

describe('settled generations to D1 and R2', () => {
  it('a gate hands each batch to its recorder exactly once, across eviction before the gate dropped it (I2)', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    const recorder = recorderOf(accountId)
    const records = [100, 200, 300].map((cost) => record(accountId, keyHash, cost))
    await settleHandedOff(gate, records)
    // Handed on, and dropped only with the gate's next write: evicted first, the gate forgets it handed them on.
    expect(await gateRows(gate)).toEqual({ outbox: 3, settled: 3 })
    await evictDurableObject(gate)
    expect(await gate.snapshot()).toMatchObject({ balanceMicro: 9_400, unflushed: 3 })
    // A settle retried after the restart is recognised.
    expect((await gate.settleMany([input({ ...records[0]!, costMicro: 999 })]))[0]?.charged).toBe(false)
    // The alarm hands the same batch on again, to the same recorder, which knows its number.
    await runAlarm(gate)
    expect(await gateRows(gate)).toEqual({ outbox: 0, settled: 3 })
    await drain(recorder.stub)
    const once = await d1Charges(accountId)
    expect(once.rows.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort())
    expect(await ledgerBalance(accountId)).toBe(9_400)
    const rollups = await rollupsVsRows(accountId)
    expect(rollups.actual).toEqual(rollups.expected)

    // The next settlement is a new batch with a higher number.
    await settleHandedOff(gate, [record(accountId, keyHash, 50)])
    await drain(recorder.stub)
    expect((await d1Charges(accountId)).rows).toHaveLength(4)
    expect(await ledgerBalance(accountId)).toBe(9_350)
  })

  it('a recorder writes each batch to D1 and R2 exactly once, across a crash after its R2 write or after D1\'s commit (I2)', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    const recorder = recorderOf(accountId)
    await drain(recorder.stub) // whatever other tests left
    const records = [100, 200, 300].map((cost) => record(accountId, keyHash, cost))
    // The recorder's writes are held: the test numbers the batch and writes its object, then "crashes".
    await holdWrites(recorder.stub)
    await settleHandedOff(gate, records)
    const batch = await runInDurableObject(recorder.stub, async (_: Recorder, state) => {
      const taken = takeBatch(state.storage.sql, Date.now(), 100)!
      await putDetails(env.DETAILS, detailsKey(recorder.name, records[0]!.createdAt, taken.batch), taken.lines.map((l) => detailsOf(JSON.parse(l.record) as GenerationRecord)))
      return taken.batch
    })
    await evictDurableObject(recorder.stub)
    expect((await d1Charges(accountId)).rows).toHaveLength(0)
    await drain(recorder.stub)
    const once = await d1Charges(accountId)
    expect(once.rows.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort())
    expect(once.rows.every((r) => r.batch === batch)).toBe(true)
    expect((await writerMarkers(recorder.name)).filter((m) => m.batch === batch)).toEqual([{ batch, rows: 3 }])

    // Crash after D1's commit, before the recorder dropped the batch: it is still in the outbox, numbered.
    await runInDurableObject(recorder.stub, (_: Recorder, state) => {
      for (const r of records) {
        state.storage.sql.exec('INSERT INTO outbox (id, record, hour, created_at, batch) VALUES (?, ?, ?, ?, ?)',
          r.id, JSON.stringify(r), r.createdAt - (r.createdAt % 3_600_000), Date.now(), batch)
      }
    })
    await evictDurableObject(recorder.stub)
    await drain(recorder.stub)
    expect(await d1Charges(accountId)).toEqual(once)
    const objects = await detailsObjects(accountId)
    expect(objects).toHaveLength(1)
    expect(objects[0]?.key).toBe(detailsKey(recorder.name, records[0]!.createdAt, batch))
    expect(objects[0]?.lines.map((l) => l.id).sort()).toEqual(records.map((r) => r.id).sort())
    expect(await ledgerBalance(accountId)).toBe(9_400)
    const rollups = await rollupsVsRows(accountId)
    expect(rollups.actual).toEqual(rollups.expected)
  })

  it('writes many accounts\' generations as one batch: one R2 object and one D1 transaction', async () => {
    // Five accounts over four recorders: at least two share one (tests run with RECORDERS 4).
    const seeded = await Promise.all(Array.from({ length: 5 }, () => seedAccount()))
    const name = seeded.map((s) => recorderOf(s.accountId).name).find((n, i, all) => all.indexOf(n) !== i)!
    const sharing = seeded.filter((s) => recorderOf(s.accountId).name === name)
    const recorder = recorderFor(env, name)
    await drain(recorder)
    await holdWrites(recorder)
    const records = sharing.map((s) => record(s.accountId, s.keyHash, 7))
    // Each gate hands its own record on; the recorder writes once all are in.
    await Promise.all(sharing.map((s, i) => settleHandedOff(gateFor(env, s.accountId), [records[i]!])))
    const before = (await writerMarkers(name)).length
    await runRecorder(recorder)
    expect((await writerMarkers(name)).slice(before)).toEqual([{ batch: expect.any(Number), rows: sharing.length }])
    const keys = new Set((await Promise.all(sharing.map((s) => detailsObjects(s.accountId)))).flat().map((o) => o.key))
    expect(keys.size).toBe(1)
    for (const r of records) expect(await generationRow(r.id)).toMatchObject({ id: r.id, accountId: r.accountId, userAgent: 'OpenAI/JS 5.23.1' })
  })

  it('sends a batch again to the recorder it first went to, and follows RECORDERS once nothing is left for that one', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    await gate.snapshot(accountId)
    const own = recorderOf(accountId).name
    const elsewhere = `recorders/${(Number(own.split('/')[1]) + 1) % configOf(env).RECORDERS}`
    for (const name of [own, elsewhere]) await holdWrites(recorderFor(env, name))
    const [r, next] = [record(accountId, keyHash, 3), record(accountId, keyHash, 4)]
    // As if batch 1 had gone to `elsewhere` (RECORDERS then different) and the gate restarted before dropping it.
    await runInDurableObject(gate, (_: AccountGate, state) => {
      const sql = state.storage.sql
      sql.exec('INSERT INTO outbox (id, record, hour, created_at, batch) VALUES (?, ?, ?, ?, ?)', r.id, JSON.stringify(r), r.createdAt - (r.createdAt % 3_600_000), Date.now(), 1)
      sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('push_to', ?), ('last_batch', 1)`, elsewhere)
    })
    await evictDurableObject(gate)
    await runAlarm(gate)
    // The outbox is empty now: the next settlement's batch goes to the account's recorder under today's RECORDERS.
    await settleHandedOff(gate, [next])
    const holding = (name: string) => runInDurableObject(recorderFor(env, name), (_: Recorder, state) =>
      state.storage.sql.exec<{ id: string }>('SELECT id FROM outbox WHERE id IN (?, ?)', r.id, next.id).toArray().map((x) => x.id))
    expect(await holding(elsewhere)).toEqual([r.id])
    expect(await holding(own)).toEqual([next.id])
  })

  it('a batch an older gate numbered and wrote to D1 itself is not written again', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    await gate.snapshot(accountId)
    const [written, unwritten] = [[record(accountId, keyHash, 5), record(accountId, keyHash, 6)], [record(accountId, keyHash, 7)]]
    // The old gate numbered both batches; it wrote the first to D1 itself (marker under the account) and crashed before dropping it.
    const ids = await internNames(env.DB, [{ kind: 'account', value: accountId }, ...written.flatMap(namesOf)])
    await writeBatch(env, { writer: { kind: 'account', value: accountId }, batch: 7, at: Date.now() }, written, ids)
    await runInDurableObject(gate, (_: AccountGate, state) => {
      for (const [batch, records] of [[7, written], [8, unwritten]] as const) {
        for (const r of records) {
          state.storage.sql.exec('INSERT INTO outbox (id, record, hour, created_at, batch) VALUES (?, ?, ?, ?, ?)',
            r.id, JSON.stringify(r), r.createdAt - (r.createdAt % 3_600_000), Date.now(), batch)
        }
      }
    })
    await evictDurableObject(gate) // the new code starts
    await flushGate(gate)
    expect((await d1Charges(accountId)).rows.map((r) => r.id).sort()).toEqual([...written, ...unwritten].map((r) => r.id).sort())
    const rollups = await rollupsVsRows(accountId)
    expect(rollups.actual).toEqual(rollups.expected)
  })

  it('reads a generation back whole: the charge from D1, the details from R2', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    const r = record(accountId, keyHash, 42, { router: { strategy: 'price', attempt: 1 }, tokensReasoning: 3, streamed: true, apiType: 'messages' })
    await gate.settleMany([input(r)])
    await flush(accountId)
    expect(await generationRow(r.id)).toEqual({
      ...r, tokensCached: 0, tokensCacheWrite: 0,
    })
  })

  it('keeps a settled id an hour, and no record once its recorder has it', async () => {
    const { accountId, keyHash } = await seedAccount()
    const gate = gateFor(env, accountId)
    const clock = testClock(noonToday())
    await useClock(gate, clock)
    const r = record(accountId, keyHash, 10)
    await settleHandedOff(gate, [r])
    await runAlarm(gate) // a write: what the recorder has leaves the outbox
    expect(await gateRows(gate)).toEqual({ outbox: 0, settled: 1 })
    clock.advance(SETTLED_KEEP_MS - 1)
    await runAlarm(gate)
    expect((await gate.settleMany([input(r)]))[0]?.charged).toBe(false)
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
    expect((await gate.settleMany([input(flushed)]))[0]?.charged).toBe(false)
    await flush(accountId)
    expect((await d1Charges(accountId)).rows.map((r) => r.id)).toEqual([unflushed.id])
    expect((await generationRow(unflushed.id))?.userAgent).toBe('OpenAI/JS 5.23.1')
  })
})
