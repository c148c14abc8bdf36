// Settled records forwarded by the isolate that settled them (billing/forward.ts): many accounts'
// to a recorder in one call, confirmed to each gate with the next settlement. Whatever way a
// record reaches the recorder, and however often, D1 and the rollups get it once (I2).
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { forward, takeConfirmed } from '../../../src/billing/forward.ts'
import type { AccountGate } from '../../../src/objects/account-gate.ts'
import { gateFor, recorderFor } from '../../../src/objects/clients.ts'
import type { SettleInput } from '../../../src/objects/gate-types.ts'
import type { Recorder } from '../../../src/objects/recorder.ts'
import type { GenerationRecord } from '../../../src/storage/record.ts'
import { drainRecorders, ledgerBalance } from '../../helpers/ledger.ts'
import { seedAccount } from '../../helpers/seed.ts'
import { d1Charges, rollupsVsRows } from '../../helpers/storage.ts'

let seq = 0
const record = (accountId: string, keyHash: string, costMicro: number): GenerationRecord => ({
  id: `gen-${Math.floor(Date.now() / 1000)}-fwd${String(seq++).padStart(17, '0')}`,
  accountId, keyHash, model: 'fake/echo', providerId: 'fake', providerName: 'Switchboard Fake', region: 'us', upstreamId: `up-${seq}`,
  apiType: 'completions', streamed: false, cancelled: false, status: 200, finishReason: 'stop', nativeFinishReason: 'stop',
  tokensPrompt: 10, tokensCompletion: 5, costMicro, latencyMs: 120, generationTimeMs: 100, ttftMs: 40,
  attempts: [{ provider: 'fake', provider_name: 'Switchboard Fake', endpoint: 'fake', model: 'fake/echo', status: 200, latency_ms: 110 }],
  httpReferer: null, appTitle: null, userAgent: 'OpenAI/JS 5.23.1', externalUser: null, createdAt: Date.now(),
})
const input = (r: GenerationRecord): SettleInput => ({ accountId: r.accountId, generationId: r.id, record: r })

const gateOutbox = (accountId: string) =>
  runInDurableObject(gateFor(env, accountId), (_: AccountGate, state) =>
    state.storage.sql.exec<{ id: string }>('SELECT id FROM outbox ORDER BY id').toArray().map((r) => r.id))

const recorderOutbox = (name: string) =>
  runInDurableObject(recorderFor(env, name), (_: Recorder, state) =>
    state.storage.sql.exec<{ id: string }>('SELECT id FROM outbox ORDER BY id').toArray().map((r) => r.id))

/** The recorder writes only when the test runs its alarm. */
const holdWrites = (name: string) =>
  runInDurableObject(recorderFor(env, name), async (instance: Recorder, state) => {
    instance.delayMs = 3_600_000
    await state.storage.deleteAlarm()
  })

const expectOnce = async (accountId: string, records: GenerationRecord[], balance: number) => {
  await drainRecorders()
  expect((await d1Charges(accountId)).rows.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort())
  const rollups = await rollupsVsRows(accountId)
  expect(rollups.actual).toEqual(rollups.expected)
  expect(await ledgerBalance(accountId)).toBe(balance)
}

describe('settled records forwarded by the isolate', () => {
  it('reach D1 once through the recorder, and leave the gate\'s outbox with the next settlement, the gate handing on nothing', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    const first = [record(accountId, keyHash, 100), record(accountId, keyHash, 200)]
    const a = await gate.settleForwarded(first.map(input), takeConfirmed(accountId))
    expect(a.results.map((r) => r.charged)).toEqual([true, true])
    expect(a.batch).not.toBeNull()
    await forward(env, a.recorder, accountId, a.batch!, first)
    expect(takeConfirmed(accountId)).toEqual([a.batch])
    // Until confirmed, the gate keeps its copy (its alarm would hand it on).
    expect(await gateOutbox(accountId)).toEqual(first.map((r) => r.id).sort())
    const second = [record(accountId, keyHash, 300)]
    const b = await gate.settleForwarded(second.map(input), [a.batch!])
    expect(b.recorder).toBe(a.recorder)
    expect(await gateOutbox(accountId)).toEqual([second[0]!.id])
    await forward(env, b.recorder, accountId, b.batch!, second)
    expect((await gate.snapshot()).lastFlush).toBeNull()
    await expectOnce(accountId, [...first, ...second], 9_400)
  })

  it('a forward that never came is handed on by the gate\'s alarm', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    const lost = [record(accountId, keyHash, 250)]
    await gate.settleForwarded(lost.map(input), [])
    await runInDurableObject(gate, (g: AccountGate) => g.alarm())
    expect(await gateOutbox(accountId)).toEqual([])
    await expectOnce(accountId, lost, 9_750)
  })

  it('a record forwarded and handed on by its gate too is taken once, before or after its first write (I2)', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000 })
    const gate = gateFor(env, accountId)
    const records = [record(accountId, keyHash, 10), record(accountId, keyHash, 20)]
    const s = await gate.settleForwarded(records.map(input), [])
    await holdWrites(s.recorder)
    await forward(env, s.recorder, accountId, s.batch!, records)
    // The confirmation is lost (this isolate never settles the account again): the gate hands the batch on as well.
    takeConfirmed(accountId)
    await runInDurableObject(gate, (g: AccountGate) => g.alarm())
    const ours = (ids: string[]) => ids.filter((id) => records.some((r) => r.id === id))
    expect(ours(await recorderOutbox(s.recorder))).toEqual(records.map((r) => r.id).sort())
    await expectOnce(accountId, records, 9_970)
    // And again after the write: D1 has them, so the recorder drops them.
    await forward(env, s.recorder, accountId, s.batch!, records)
    await expectOnce(accountId, records, 9_970)
  })

  it('takes one account\'s batches in any order (two isolates), and many accounts\' in one call', async () => {
    const seeded = await Promise.all(Array.from({ length: 3 }, () => seedAccount({ balanceMicro: 10_000 })))
    const sent: { accountId: string; records: GenerationRecord[]; recorder: string; batch: number }[] = []
    for (const { accountId, keyHash } of seeded) {
      for (const cost of [1, 2]) {
        const records = [record(accountId, keyHash, cost)]
        const s = await gateFor(env, accountId).settleForwarded(records.map(input), [])
        sent.push({ accountId, records, recorder: s.recorder, batch: s.batch! })
      }
    }
    // Newest first: each account's second batch reaches its recorder before its first.
    await Promise.all(sent.reverse().map((s) => forward(env, s.recorder, s.accountId, s.batch, s.records)))
    for (const { accountId } of seeded) {
      const mine = sent.filter((s) => s.accountId === accountId)
      expect(takeConfirmed(accountId).sort()).toEqual(mine.map((s) => s.batch).sort())
      await expectOnce(accountId, mine.flatMap((s) => s.records), 9_997)
    }
  })
})
