// The account gate on its own: admission, limits and windows on a clock the test
// holds (the gate's one clock). Settlement across eviction and crashes: account-gate.flush.test.ts.
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { AdmitInput, GateKey } from '../../../src/objects/gate-types.ts'
import { configOf } from '../../../src/env.ts'
import { gateFor } from '../../../src/objects/clients.ts'
import type { GenerationRecord } from '../../../src/storage/record.ts'
import { noonToday, testClock, useClock } from '../../helpers/clock.ts'
import { seedAccount } from '../../helpers/seed.ts'

const DAY_MS = 86_400_000
/**
 * A gate for a fresh account on a clock the test holds. It starts at noon UTC a month
 * behind the wall clock, so any decision the gate still took on the wall clock (say, the
 * alarm pruning windows) would show up as a failure here.
 */
const gateAtNoon = async (accountId: string) => {
  const gate = gateFor(env, accountId)
  const clock = testClock(noonToday() - 30 * DAY_MS)
  await useClock(gate, clock)
  return { gate, clock, T0: clock() }
}

const keyOf = (hash: string, overrides: Partial<GateKey> = {}): GateKey => ({
  hash, disabled: false, expiresAt: null, limitMicro: null, limitReset: null,
  requestsPerMinute: null, tokensPerMinute: null, concurrentRequests: null, ...overrides,
})

let seq = 0
const admitInput = (accountId: string, key: GateKey, extra: Partial<AdmitInput> = {}): AdmitInput => ({
  accountId, key, generationId: `gen-test-${seq++}`, holdMicro: 100, promptTokens: 10, free: false, ...extra,
})

const record = (accountId: string, keyHash: string, id: string, costMicro: number): GenerationRecord => ({
  id, accountId, keyHash, model: 'fake/echo', streamed: false, status: 200, costMicro, createdAt: Date.now(),
  tokensPrompt: 10, tokensCompletion: 5, attempts: [],
})

describe('account gate', () => {
  it('admits against balance minus open holds, and never past it (I1)', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000 })
    const { gate } = await gateAtNoon(accountId)
    const key = keyOf(keyHash)
    const results = await Promise.all(Array.from({ length: 25 }, () => gate.admit(admitInput(accountId, key, { holdMicro: 100 }))))
    expect(results.filter((r) => r.ok)).toHaveLength(10)
    expect(results.find((r) => !r.ok)).toMatchObject({ status: 402, reason: 'insufficient_credits', availableMicro: 0 })
    expect(await gate.snapshot()).toMatchObject({ heldMicro: 1_000, openHolds: 10 })
  })

  it('releases, settles and expires holds', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000 })
    const { gate, clock } = await gateAtNoon(accountId)
    const a = admitInput(accountId, keyOf(keyHash), { holdMicro: 600 })
    expect((await gate.admit(a)).ok).toBe(true)
    await gate.release(a.generationId)
    const b = admitInput(accountId, keyOf(keyHash), { holdMicro: 600 })
    expect((await gate.admit(b)).ok).toBe(true)
    await gate.settle({ accountId, generationId: b.generationId, record: record(accountId, keyHash, b.generationId, 250) })
    expect(await gate.snapshot()).toMatchObject({ balanceMicro: 750, heldMicro: 0 })
    // A hold that is never settled expires by alarm, once the gate's clock passes its TTL.
    const c = admitInput(accountId, keyOf(keyHash), { holdMicro: 700 })
    expect((await gate.admit(c)).ok).toBe(true)
    await runDurableObjectAlarm(gate)
    expect((await gate.snapshot()).openHolds).toBe(1)
    clock.advance(3_600_000)
    await runDurableObjectAlarm(gate)
    expect((await gate.snapshot()).openHolds).toBe(0)
  })

  it("an expired hold stops counting at its expiry by the gate's clock, before any alarm has run", async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000 })
    const { gate, clock } = await gateAtNoon(accountId)
    expect((await gate.admit(admitInput(accountId, keyOf(keyHash), { holdMicro: 700 }))).ok).toBe(true)
    expect(await gate.admit(admitInput(accountId, keyOf(keyHash), { holdMicro: 700 }))).toMatchObject({ ok: false, reason: 'insufficient_credits', availableMicro: 300 })
    const ttlMs = configOf(env).HOLD_TTL_SECONDS * 1000
    clock.advance(ttlMs - 1)
    expect((await gate.snapshot()).openHolds).toBe(1)
    clock.advance(1)
    expect(await gate.snapshot()).toMatchObject({ heldMicro: 0, openHolds: 0 })
    expect((await gate.admit(admitInput(accountId, keyOf(keyHash), { holdMicro: 700 }))).ok).toBe(true)
  })

  it('refuses a disabled key at once, whatever the caller cached', async () => {
    const { accountId, keyHash } = await seedAccount()
    const { gate, T0 } = await gateAtNoon(accountId)
    await gate.setKeyDisabled(accountId, keyHash, true)
    expect(await gate.admit(admitInput(accountId, keyOf(keyHash)))).toMatchObject({ ok: false, status: 401, reason: 'key_disabled' })
    expect(await gate.admit(admitInput(accountId, keyOf(keyHash, { expiresAt: T0 - 1 })))).toMatchObject({ ok: false, reason: 'key_disabled' })
    await gate.setKeyDisabled(accountId, keyHash, false)
    expect(await gate.admit(admitInput(accountId, keyOf(keyHash, { expiresAt: T0 - 1 })))).toMatchObject({ ok: false, status: 401, reason: 'key_expired' })
    expect((await gate.admit(admitInput(accountId, keyOf(keyHash, { expiresAt: T0 + 1 })))).ok).toBe(true)
  })

  it('refuses everything once the balance is negative, free models included', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 100 })
    const { gate } = await gateAtNoon(accountId)
    const a = admitInput(accountId, keyOf(keyHash), { holdMicro: 100 })
    await gate.admit(a)
    await gate.settle({ accountId, generationId: a.generationId, record: record(accountId, keyHash, a.generationId, 150) })
    expect(await gate.admit(admitInput(accountId, keyOf(keyHash), { holdMicro: 0, free: true }))).toMatchObject({ status: 402, reason: 'negative_balance' })
  })

  it('enforces a key credit limit per UTC period, with reset boundaries', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000_000 })
    const { gate, clock, T0 } = await gateAtNoon(accountId)
    const key = keyOf(keyHash, { limitMicro: 1_000, limitReset: 'daily' })
    const spend = async (cost: number) => {
      const a = admitInput(accountId, key, { holdMicro: cost })
      const r = await gate.admit(a)
      if (r.ok) await gate.settle({ accountId, generationId: a.generationId, record: record(accountId, keyHash, a.generationId, cost) })
      return r
    }
    expect((await spend(800)).ok).toBe(true)
    const denied = await spend(300)
    expect(denied).toMatchObject({ ok: false, status: 402, reason: 'key_limit', availableMicro: 200, keyLimit: { limitMicro: 1_000, usageMicro: 800 } })
    const tomorrow = T0 - DAY_MS / 2 + DAY_MS
    expect((denied as { keyLimit: { resetAt: number } }).keyLimit.resetAt).toBe(tomorrow)
    expect(await gate.keyUsage(accountId, key)).toMatchObject({ usageMicro: 800, dailyMicro: 800, limitRemainingMicro: 200 })
    // The last millisecond of the day still counts today's spend; the next one starts afresh.
    clock.set(tomorrow - 1)
    expect((await spend(300)).ok).toBe(false)
    clock.set(tomorrow)
    expect((await gate.keyUsage(accountId, key)).dailyMicro).toBe(0)
    expect((await spend(900)).ok).toBe(true)
    expect(await gate.keyUsage(accountId, key)).toMatchObject({ usageMicro: 1_700, dailyMicro: 900 })
  })

  it('slides a requests-per-minute window, admitting exactly N', async () => {
    const { accountId, keyHash } = await seedAccount()
    const { gate, clock, T0 } = await gateAtNoon(accountId)
    const key = keyOf(keyHash, { requestsPerMinute: 5 })
    const burst = await Promise.all(Array.from({ length: 12 }, () => gate.admit(admitInput(accountId, key))))
    expect(burst.filter((r) => r.ok)).toHaveLength(5)
    const denied = burst.find((r) => !r.ok)
    expect(denied).toMatchObject({ status: 429, rate: { limit: 'requests_per_minute', max: 5, value: 5, resetAt: T0 + 60_000 } })
    clock.set(T0 + 59_999)
    expect((await gate.admit(admitInput(accountId, key))).ok).toBe(false)
    // The alarm prunes on the same clock, so it never drops what the window still counts.
    await runDurableObjectAlarm(gate)
    expect((await gate.admit(admitInput(accountId, key))).ok).toBe(false)
    clock.set(T0 + 60_000)
    expect((await gate.admit(admitInput(accountId, key))).ok).toBe(true)
  })

  it('caps concurrent requests and tokens per minute', async () => {
    const { accountId, keyHash } = await seedAccount()
    const { gate } = await gateAtNoon(accountId)
    const concurrent = keyOf(keyHash, { concurrentRequests: 3 })
    const results = await Promise.all(Array.from({ length: 10 }, () => gate.admit(admitInput(accountId, concurrent))))
    expect(results.filter((r) => r.ok)).toHaveLength(3)
    expect(results.find((r) => !r.ok)).toMatchObject({ status: 429, rate: { limit: 'concurrent_requests', max: 3 } })

    const other = await seedAccount()
    const tokens = keyOf(other.keyHash, { tokensPerMinute: 100 })
    const { gate: otherGate, clock } = await gateAtNoon(other.accountId)
    expect((await otherGate.admit(admitInput(other.accountId, tokens, { promptTokens: 60 }))).ok).toBe(true)
    expect(await otherGate.admit(admitInput(other.accountId, tokens, { promptTokens: 60 }))).toMatchObject({ rate: { limit: 'tokens_per_minute', value: 60 } })
    expect((await otherGate.admit(admitInput(other.accountId, tokens, { promptTokens: 40 }))).ok).toBe(true)
    clock.advance(60_000)
    expect((await otherGate.admit(admitInput(other.accountId, tokens, { promptTokens: 100 }))).ok).toBe(true)
  })

  it('applies the free-model quotas per account: 20/min, 50/day until $10 was bought', async () => {
    const { accountId, keyHash } = await seedAccount()
    const { gate, clock, T0 } = await gateAtNoon(accountId)
    const key = keyOf(keyHash)
    const minute = await Promise.all(Array.from({ length: 25 }, () => gate.admit(admitInput(accountId, key, { free: true, holdMicro: 0 }))))
    expect(minute.filter((r) => r.ok)).toHaveLength(20)
    expect(minute.find((r) => !r.ok)).toMatchObject({ rate: { limit: 'free_models_per_minute', max: 20 } })
    // Paid models are not counted against free quotas.
    expect((await gate.admit(admitInput(accountId, key, { free: false }))).ok).toBe(true)
    // Spread over the day: 50 in all, then the daily quota bites until 00:00 UTC.
    // The alarm runs between bursts and prunes on the gate's clock: the day's free admissions survive it.
    for (let i = 1; i <= 3; i++) {
      clock.set(T0 + i * 120_000)
      await Promise.all(Array.from({ length: 20 }, () => gate.admit(admitInput(accountId, key, { free: true, holdMicro: 0 }))))
      await runDurableObjectAlarm(gate)
    }
    clock.set(T0 + 3_600_000)
    const tomorrow = T0 - DAY_MS / 2 + DAY_MS
    const day = await gate.admit(admitInput(accountId, key, { free: true, holdMicro: 0 }))
    expect(day).toMatchObject({ rate: { limit: 'free_models_per_day', max: 50, value: 50, resetAt: tomorrow } })
    // The quota resets at 00:00 UTC.
    clock.set(tomorrow)
    expect((await gate.admit(admitInput(accountId, key, { free: true, holdMicro: 0 }))).ok).toBe(true)
    // A $10 top-up raises the daily quota to 1000.
    clock.set(T0 + 3_600_000)
    await gate.credit({ accountId, event: { id: `topup-${accountId}`, accountId, amountMicro: 10_000_000, kind: 'topup', createdAt: T0 } })
    expect((await gate.admit(admitInput(accountId, key, { free: true, holdMicro: 0 }))).ok).toBe(true)
  })
})
