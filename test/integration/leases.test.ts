// Credit leases wired into the gateway (docs/limits.md#credit-leases), against the real account
// gate: leased requests make no admit round trip, their charges reach D1 exactly once through the
// gate's outbox, near-zero balances stay exact and never overspend, a disable is bounded, an
// unreturned lease expires back, and Idempotency-Key stays exact.
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import worker from '../../src/index.ts'
import { drainLeases, edgeState, setEdgeClock } from '../../src/leases/edge.ts'
import { DEFAULT_LEASE_SETTINGS, leaseExpiry } from '../../src/leases/sizing.ts'
import { gateFor } from '../../src/objects/clients.ts'
import type { GateKey } from '../../src/objects/gate-types.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { noonToday, testClock, useClock } from '../helpers/clock.ts'
import { flush, ledgerBalance, settled } from '../helpers/ledger.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'
import { d1Charges } from '../helpers/storage.ts'

/** The gate's RPCs made by the gateway, by name: the test's own count, through the binding. */
const calls = new Map<string, number>()
const counted = (ns: Env['ACCOUNT_GATE']): Env['ACCOUNT_GATE'] => new Proxy(ns, {
  get(target, prop) {
    const value: unknown = Reflect.get(target, prop)
    if (prop !== 'get') return typeof value === 'function' ? (...a: unknown[]) => Reflect.apply(value, target, a) : value
    return (...args: Parameters<typeof target.get>) => {
      const stub = target.get(...args)
      return new Proxy(stub, {
        get(s, m) {
          const v: unknown = Reflect.get(s, m)
          if (typeof v !== 'function' || m === 'then') return v
          if (typeof m === 'string') calls.set(m, (calls.get(m) ?? 0) + 1)
          return (...a: unknown[]) => Reflect.apply(v, s, a)
        },
      })
    }
  },
})

/** The gateway with LEASES on (the suite's default config leaves them off). */
const leaseEnv = { ...env, LEASES: 'on', ACCOUNT_GATE: counted(env.ACCOUNT_GATE) } as Env
const count = (m: string) => calls.get(m) ?? 0

const body = { model: 'fake/echo', provider: { only: ['fake'] }, max_tokens: 8, messages: [{ role: 'user', content: 'lease me' }] }
const chat = (key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  worker.fetch(new Request('https://gateway.test/api/v1/chat/completions', {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ ...body, ...extra }),
  }), leaseEnv, createExecutionContext())

const until = async (what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * A key's first requests are exact; at LEASE_MIN_REQUESTS_PER_SECOND (0.5/s over 3 s) its demand
 * asks for a lease. Returns what they cost, once the isolate holds the lease.
 */
const leased = async (accountId: string, key: string): Promise<number> => {
  let cost = 0
  for (let i = 0; i < 3; i++) {
    const r = await chat(key)
    expect(r.status).toBe(200)
    cost += await costOf(r)
  }
  await until('a lease', () => edgeState(accountId).heldMicro > 0)
  return cost
}

const costOf = async (r: Response) => Math.round((await r.json<{ usage: { cost: number } }>()).usage.cost * 1e6)

afterEach(() => setEdgeClock(() => Date.now()))

describe('credit leases in the gateway', () => {
  it('a key seen less than LEASE_MIN_REQUESTS_PER_SECOND stays exact; a second request within 3 s asks for a lease', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 10_000_000 })
    // In the past, so nothing this isolate keeps is ahead of the real clock the next test runs on.
    let now = Date.now() - 60_000
    setEdgeClock(() => now)
    const [admits, grants] = [count('admit'), count('grantLease')]
    for (let i = 0; i < 4; i++) {
      expect((await chat(key)).status).toBe(200)
      now += 3_500 // one request every 3.5 s: 0.33 a second over the 3 s window
    }
    expect(count('admit') - admits).toBe(4)
    expect(count('grantLease')).toBe(grants)
    expect(edgeState(accountId).heldMicro).toBe(0)
    expect((await chat(key)).status).toBe(200)
    now += 1_000
    expect((await chat(key)).status).toBe(200) // two within 3 s: 0.67 a second
    await until('a lease', () => edgeState(accountId).heldMicro > 0)
    expect(count('grantLease')).toBeGreaterThan(grants)
    await drainLeases(leaseEnv)
  })

  it('admits with no gate admit round trip, and each charge lands in D1 exactly once', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 10_000_000 })
    const firstCost = await leased(accountId, key)
    const admits = count('admit')
    const responses = await Promise.all(Array.from({ length: 40 }, () => chat(key)))
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200))
    expect(count('admit')).toBe(admits) // none of the 40 went to the gate before its upstream call
    const costs = await Promise.all(responses.map(costOf))
    // Streams too: each is charged when it ends.
    const streams = await Promise.all(Array.from({ length: 5 }, () => chat(key, {}, { stream: true })))
    expect(count('admit')).toBe(admits)
    for (const r of streams) {
      const events = (await r.text()).split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)) as { usage?: { cost: number } })
      costs.push(Math.round((events.at(-1)?.usage?.cost ?? NaN) * 1e6))
    }
    await drainLeases(leaseEnv)
    await flush(accountId)
    const { rows } = await d1Charges(accountId)
    expect(rows).toHaveLength(3 + 40 + 5) // the exact requests that asked for the lease, then the leased ones
    expect(new Set(rows.map((r) => r.id)).size).toBe(3 + 40 + 5)
    const snap = await settled(accountId)
    const charged = rows.reduce((a, r) => a + r.costMicro, 0)
    expect(charged).toBe(firstCost + costs.reduce((a, c) => a + c, 0)) // what each response said it cost, no more
    expect(snap.balanceMicro).toBe(10_000_000 - charged)
    expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro)
  })

  it('a resent settlement changes nothing', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000_000 })
    const gate = gateFor(env, accountId)
    const g = await gate.grantLease({ accountId, key: gateKey(keyHash), shard: 'test:resend', demandMicroPerSec: 1_000, demandRequestsPerSec: 1 })
    if (!g.ok) throw new Error(`no lease: ${g.reason}`)
    const charge = { generationId: 'gen-lease-resend', costMicro: 1_234, record: record(accountId, keyHash, 'gen-lease-resend', 1_234) }
    const first = await gate.settleLeases({ accountId, entries: [{ leaseId: g.leaseId, charges: [charge], close: false }] })
    expect(first).toMatchObject({ acked: ['gen-lease-resend'], duplicates: 0, refused: [] })
    const after = await gate.snapshot()
    const again = await gate.settleLeases({ accountId, entries: [{ leaseId: g.leaseId, charges: [charge], close: true }] })
    expect(again).toMatchObject({ acked: ['gen-lease-resend'], duplicates: 1, refused: [], closed: [g.leaseId] })
    expect((await gate.snapshot()).balanceMicro).toBe(after.balanceMicro)
    expect(after.balanceMicro).toBe(10_000_000 - 1_234)
    // Closed: its unused credit is back, and a charge beyond what it had left is refused.
    expect((await gate.leaseSnapshot()).leasedMicro).toBe(0)
    const late = await gate.settleLeases({ accountId, entries: [{ leaseId: g.leaseId, charges: [{ ...charge, generationId: 'gen-x', costMicro: 20_000_000, record: record(accountId, keyHash, 'gen-x', 20_000_000) }], close: false }] })
    expect(late.refused).toEqual(['gen-x'])
    await flush(accountId)
    expect((await d1Charges(accountId)).rows).toEqual([expect.objectContaining({ id: 'gen-lease-resend', costMicro: 1_234 })])
    expect(await ledgerBalance(accountId)).toBe(10_000_000 - 1_234)
  })

  it('near zero balance: every request is exact, and concurrency never overspends', async () => {
    const balance = 3_400 // µ$: about a hundred worst-case holds, far below the lease floor
    const { accountId, key } = await seedAccount({ balanceMicro: balance })
    const admits = count('admit')
    const responses = await Promise.all(Array.from({ length: 300 }, () => chat(key)))
    const ok = responses.filter((r) => r.status === 200)
    expect(ok.length + responses.filter((r) => r.status === 402).length).toBe(300)
    expect(ok.length).toBeGreaterThan(0)
    expect(count('admit') - admits).toBe(300) // all exact
    expect(edgeState(accountId).heldMicro).toBe(0)
    const charged = (await Promise.all(ok.map(costOf))).reduce((a, c) => a + c, 0)
    await flush(accountId)
    const snap = await gateFor(env, accountId).snapshot()
    expect(snap.balanceMicro).toBe(balance - charged)
    expect(snap.balanceMicro).toBeGreaterThanOrEqual(0)
    expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro)
    expect((await gateFor(env, accountId).leaseSnapshot()).grants).toBe(0)
  }, 60_000)

  it('an exact admission counts what leases hold: holds and leases never exceed the balance', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 4_000_000 })
    const gate = gateFor(env, accountId)
    const g = await gate.grantLease({ accountId, key: gateKey(keyHash), shard: 'test:i1', demandMicroPerSec: 10_000_000, demandRequestsPerSec: 100 })
    if (!g.ok) throw new Error(`no lease: ${g.reason}`)
    expect(g.grantedMicro).toBe(400_000) // 10% of what is available
    const admit = (id: string, holdMicro: number) => gate.admit({ accountId, key: gateKey(keyHash), generationId: id, holdMicro, promptTokens: 1, free: false })
    expect(await admit('gen-too-much', 4_000_000 - 400_000 + 1)).toMatchObject({ ok: false, reason: 'insufficient_credits' })
    expect(await admit('gen-fits', 4_000_000 - 400_000)).toMatchObject({ ok: true })
  })

  it('a disabled key stops admitting within the lease window, even if the isolate never hears', async () => {
    const clock = testClock(Date.now())
    setEdgeClock(clock)
    const { accountId, key, keyHash } = await seedAccount({ balanceMicro: 10_000_000 })
    await leased(accountId, key)
    const admits = count('admit')
    expect((await chat(key)).status).toBe(200)
    expect(count('admit')).toBe(admits) // leased
    // Disabled at the gate only, as the keys API in another isolate would: this isolate's key cache still trusts the key.
    await gateFor(env, accountId).setKeyDisabled(accountId, keyHash, true)
    expect(await gateFor(env, accountId).leaseSnapshot()).toMatchObject({ open: 0, revoked: 1 })
    // Inside the window a request may still be admitted (stale, bounded) or already refused.
    expect([200, 401]).toContain((await chat(key)).status)
    clock.advance(DEFAULT_LEASE_SETTINGS.admitMs)
    for (let i = 0; i < 5; i++) expect((await chat(key)).status).toBe(401)
    // And no renewal is granted: the gate refuses the disabled key.
    expect(await gateFor(env, accountId).grantLease({ accountId, key: gateKey(keyHash), shard: 'test:x', demandMicroPerSec: 1, demandRequestsPerSec: 1 }))
      .toEqual({ ok: false, reason: 'key_disabled' })
    await drainLeases(leaseEnv)
  })

  it('a new credit limit through the keys API revokes the key\'s leases, and the next grant fits the new limit', async () => {
    const { accountId, key, keyHash } = await seedAccount({ balanceMicro: 10_000_000 })
    await leased(accountId, key)
    const gate = gateFor(env, accountId)
    expect((await gate.leaseSnapshot()).open).toBeGreaterThan(0)
    const { key: manager } = await addKey(accountId, 'management')
    const patched = await worker.fetch(new Request(`https://gateway.test/api/v1/keys/${keyHash}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' }, body: JSON.stringify({ limit: 0.3 }),
    }), leaseEnv, createExecutionContext())
    expect(patched.status).toBe(200)
    expect(await gate.leaseSnapshot()).toMatchObject({ open: 0 })
    const g = await gate.grantLease({ accountId, key: { ...gateKey(keyHash), limitMicro: 300_000 }, shard: 'test:after', demandMicroPerSec: 10_000_000, demandRequestsPerSec: 100 })
    if (g.ok) expect(g.grantedMicro).toBeLessThanOrEqual(300_000)
    await drainLeases(leaseEnv)
  })

  it('an unreturned lease expires back to the balance', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 10_000_000 })
    const gate = gateFor(env, accountId)
    const clock = testClock(noonToday())
    await gate.snapshot(accountId)
    await useClock(gate, clock)
    const g = await gate.grantLease({ accountId, key: gateKey(keyHash), shard: 'test:crashed', demandMicroPerSec: 100_000, demandRequestsPerSec: 10 })
    if (!g.ok) throw new Error(`no lease: ${g.reason}`)
    expect((await gate.leaseSnapshot()).leasedMicro).toBe(g.grantedMicro)
    const whole = { accountId, key: gateKey(keyHash), generationId: 'gen-whole', holdMicro: 10_000_000, promptTokens: 1, free: false }
    expect(await gate.admit(whole)).toMatchObject({ ok: false, reason: 'insufficient_credits' })
    // The shard that held it is gone: nobody returns it, and it expires after its bound.
    const { expiresAt } = leaseExpiry(0, DEFAULT_LEASE_SETTINGS)
    clock.advance(expiresAt - 1)
    expect((await gate.leaseSnapshot()).leasedMicro).toBe(g.grantedMicro)
    clock.advance(1)
    expect(await gate.leaseSnapshot()).toMatchObject({ leasedMicro: 0, expired: 1 })
    expect(await gate.admit(whole)).toMatchObject({ ok: true })
  })

  it('Idempotency-Key requests stay exact', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 10_000_000 })
    await leased(accountId, key)
    const admits = count('admit')
    const first = await chat(key, { 'idempotency-key': 'lease-idem-1' })
    expect(first.status).toBe(200)
    expect(count('admit')).toBe(admits + 1)
    const replay = await chat(key, { 'idempotency-key': 'lease-idem-1' })
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    await drainLeases(leaseEnv)
  })
})

const gateKey = (hash: string): GateKey => ({
  hash, disabled: false, expiresAt: null, limitMicro: null, limitReset: null, requestsPerMinute: null, tokensPerMinute: null, concurrentRequests: null,
})

const record = (accountId: string, keyHash: string, id: string, costMicro: number): GenerationRecord => ({
  id, accountId, keyHash, model: 'fake/echo', providerId: 'fake', streamed: false, status: 200, costMicro, createdAt: Date.now(),
  tokensPrompt: 3, tokensCompletion: 2,
})
