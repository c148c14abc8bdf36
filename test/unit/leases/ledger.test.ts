// The gate-side lease ledger and the shard: grants, settlement exactly once, expiry back to
// the account, revocation on disable, suspension and limit changes.
import { describe, expect, it } from 'vitest'
import { LeaseLedger, type LeaseKey } from '../../../src/leases/ledger.ts'
import { LeaseShard } from '../../../src/leases/shard.ts'
import { DEFAULT_LEASE_SETTINGS as S } from '../../../src/leases/sizing.ts'

const T0 = 1_000_000
const key = (o: Partial<LeaseKey> = {}): LeaseKey => ({
  hash: 'k1', disabled: false, limitMicro: null, usageMicro: 0, requestsPerMinute: 0, tokensPerMinute: 0, concurrentRequests: 0, ...o,
})
const ledger = (credits = 100_000_000, k: Partial<LeaseKey> = {}) => {
  const l = new LeaseLedger('a1', credits, S)
  l.setKey(key(k))
  return l
}
const ask = { shard: 'FRA', keyHash: 'k1', demandMicroPerSec: 100_000, demandRequestsPerSec: 5 }
const granted = (l: LeaseLedger, now = T0) => {
  const g = l.grant(now, ask)
  if (!g.ok) throw new Error(`refused: ${g.reason}`)
  return g.lease
}

describe('LeaseLedger.grant', () => {
  it('reserves the lease out of what is available, and ids name the account', () => {
    const l = ledger()
    const lease = granted(l)
    expect(lease.id).toMatch(/^a1:/)
    expect(lease.grantedMicro).toBe(1_000_000)
    expect(l.availableMicro()).toBe(100_000_000 - 1_000_000)
    expect(l.balanceMicro).toBe(100_000_000)
  })

  it('refuses a disabled key, a suspended account, exact-only limits, and a balance below the floor', () => {
    expect(ledger(100_000_000, { disabled: true }).grant(T0, ask)).toEqual({ ok: false, reason: 'key_disabled' })
    expect(ledger(100_000_000, { concurrentRequests: 2 }).grant(T0, ask)).toEqual({ ok: false, reason: 'exact_only' })
    expect(ledger(100_000_000, { tokensPerMinute: 1000 }).grant(T0, ask)).toEqual({ ok: false, reason: 'exact_only' })
    expect(ledger(S.floorMicro - 1).grant(T0, ask)).toEqual({ ok: false, reason: 'below_floor' })
    const l = ledger()
    l.setSuspended(true)
    expect(l.grant(T0, ask)).toEqual({ ok: false, reason: 'suspended' })
  })

  it('takes a slice of requests-per-minute and gives back what a returned lease did not use', () => {
    const l = ledger(100_000_000, { requestsPerMinute: 80 })
    const a = granted(l)
    expect(a.requests).toBe(5 * S.horizonMs / 1000 + 1)
    const b = granted(l)
    expect(b.requests).toBe(80 - a.requests!)
    expect(l.grant(T0, ask)).toEqual({ ok: false, reason: 'rate_limited' })
    l.settle(T0 + 1, [{ leaseId: a.id, charges: [], close: true }], { [a.id]: 10 })
    expect(granted(l, T0 + 2).requests).toBe(10)
    // The window slides: a minute later the whole limit is there again.
    expect(l.grant(T0 + 60_001, ask)).toMatchObject({ ok: true })
  })

  it('keeps a key within its credit limit, counting its other leases', () => {
    const l = ledger(100_000_000, { limitMicro: 1_500_000, usageMicro: 200_000 })
    expect(granted(l).grantedMicro).toBe(1_000_000)
    expect(granted(l).grantedMicro).toBe(300_000)
    expect(l.grant(T0, ask)).toEqual({ ok: false, reason: 'below_floor' })
  })
})

describe('LeaseLedger.settle', () => {
  it('charges each generation once, refuses charges beyond the lease, and returns the rest on close', () => {
    const l = ledger()
    const lease = granted(l)
    const ack = l.settle(T0 + 10, [{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 400 }, { generationId: 'g2', costMicro: 2_000_000 }], close: false }])
    expect(ack).toMatchObject({ acked: ['g1'], duplicates: 0, refused: [{ generationId: 'g2' }] })
    const again = l.settle(T0 + 20, [{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 400 }], close: true }])
    expect(again).toMatchObject({ acked: ['g1'], duplicates: 1, closed: [lease.id] })
    expect(l.chargedMicro).toBe(400)
    expect(l.outstandingMicro()).toBe(0)
    expect(l.availableMicro()).toBe(100_000_000 - 400)
    // A resent return is acknowledged again and changes nothing.
    expect(l.settle(T0 + 30, [{ leaseId: lease.id, charges: [], close: true }]).closed).toEqual([lease.id])
    expect(l.chargedMicro).toBe(400)
  })

  it('shrinks a lease to what is still in flight, idempotently, never below its charges', () => {
    const l = ledger()
    const lease = granted(l)
    l.settle(T0 + 1, [{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 100 }], close: false, shrinkToMicro: 5_000 }])
    expect(l.outstandingMicro()).toBe(4_900)
    l.settle(T0 + 2, [{ leaseId: lease.id, charges: [], close: false, shrinkToMicro: 5_000 }])
    expect(l.outstandingMicro()).toBe(4_900)
    l.settle(T0 + 3, [{ leaseId: lease.id, charges: [], close: false, shrinkToMicro: 0 }])
    expect(l.leases.get(lease.id)!.grantedMicro).toBe(100)
    expect(l.outstandingMicro()).toBe(0)
  })

  it('expires an unreturned lease back to the account, then refuses its late charges', () => {
    const l = ledger()
    const lease = granted(l)
    expect(l.expire(lease.expiresAt - 1)).toEqual([])
    expect(l.expire(lease.expiresAt).map((x) => x.id)).toEqual([lease.id])
    expect(l.availableMicro()).toBe(100_000_000)
    const late = l.settle(lease.expiresAt + 1, [{ leaseId: lease.id, charges: [{ generationId: 'g9', costMicro: 5 }], close: false }])
    expect(late.refused).toHaveLength(1)
    expect(l.chargedMicro).toBe(0)
  })
})

describe('revocation', () => {
  it('disabling a key revokes its leases; their charges still settle; no new lease is granted', () => {
    const l = ledger()
    l.setKey(key({ hash: 'k2' }))
    const lease = granted(l)
    const other = l.grant(T0, { ...ask, keyHash: 'k2' })
    expect(l.setKeyDisabled('k1', true).map((x) => x.id)).toEqual([lease.id])
    expect(l.leases.get(lease.id)!.state).toBe('revoked')
    expect(other.ok && l.leases.get(other.lease.id)!.state).toBe('open')
    expect(l.settle(T0 + 5, [{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 10 }], close: true }]).acked).toEqual(['g1'])
    expect(l.grant(T0 + 6, ask)).toEqual({ ok: false, reason: 'key_disabled' })
  })

  it('suspension revokes every lease of the account; a limit change revokes the key\'s', () => {
    const l = ledger()
    granted(l)
    granted(l)
    expect(l.setSuspended(true)).toHaveLength(2)
    const m = ledger()
    granted(m)
    expect(m.setKeyLimits('k1', { limitMicro: 10, requestsPerMinute: 0, tokensPerMinute: 0, concurrentRequests: 0 })).toHaveLength(1)
    expect(m.grant(T0, ask)).toEqual({ ok: false, reason: 'below_floor' })
  })
})

describe('LeaseShard', () => {
  const setup = () => {
    const l = ledger()
    const shard = new LeaseShard('FRA', S, 100)
    const lease = granted(l)
    shard.onGrant('a1', lease)
    return { l, shard, lease }
  }

  it('admits locally within the lease until admitUntil, then sends the exact path', () => {
    const { shard, lease } = setup()
    expect(shard.admit(T0 + 1, 'a1', 'k1', 600_000)).toEqual({ leaseId: lease.id })
    expect(shard.admit(T0 + 2, 'a1', 'k1', 600_000)).toBeNull()
    expect(shard.admit(T0 + 3, 'a1', 'k1', 400_000)).toEqual({ leaseId: lease.id })
    expect(shard.admit(T0 + 4, 'a1', 'k2', 1)).toBeNull()
    shard.complete(lease.id, 'g1', 600_000, 100_000)
    expect(shard.admit(lease.admitUntil, 'a1', 'k1', 1)).toBeNull()
  })

  it('stops admitting on revoke, and returns the lease with its charges in one batch once nothing is in flight', () => {
    const { l, shard, lease } = setup()
    const a = shard.admit(T0 + 1, 'a1', 'k1', 1_000)!
    shard.onRevoke(lease.id)
    expect(shard.admit(T0 + 2, 'a1', 'k1', 1_000)).toBeNull()
    expect(shard.outbox(T0 + 3).settlements.get('a1')?.entries[0]?.close ?? false).toBe(false)
    shard.complete(a.leaseId, 'g1', 1_000, 700)
    const out = shard.outbox(T0 + 4).settlements.get('a1')!
    expect(out.entries).toEqual([{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 700 }], close: true }])
    shard.onAck(l.settle(T0 + 5, out.entries))
    expect(shard.journal.size).toBe(0)
    expect(shard.heldMicro()).toBe(0)
    expect(l.chargedMicro).toBe(700)
    expect(l.outstandingMicro()).toBe(0)
  })

  it('gives back unused credit while it waits on requests in flight', () => {
    const { l, shard, lease } = setup()
    shard.admit(T0 + 1, 'a1', 'k1', 3_000)
    shard.onRevoke(lease.id)
    const out = shard.outbox(T0 + 2).settlements.get('a1')!
    expect(out.entries).toEqual([{ leaseId: lease.id, charges: [], close: false, shrinkToMicro: 3_000 }])
    l.settle(T0 + 3, out.entries)
    expect(l.outstandingMicro()).toBe(3_000)
    expect(shard.heldMicro()).toBe(0)
  })

  it('keeps its journal through a crash, forgets its leases, and the gate expires them', () => {
    const { l, shard, lease } = setup()
    const a = shard.admit(T0 + 1, 'a1', 'k1', 1_000)!
    shard.complete(a.leaseId, 'g1', 1_000, 900)
    shard.admit(T0 + 2, 'a1', 'k1', 1_000)
    shard.crash()
    expect(shard.heldMicro()).toBe(0)
    const out = shard.outbox(T0 + 3).settlements.get('a1')!
    expect(out.entries).toEqual([{ leaseId: lease.id, charges: [{ generationId: 'g1', costMicro: 900 }], close: false }])
    shard.onAck(l.settle(T0 + 4, out.entries))
    l.expire(lease.expiresAt)
    expect(l.chargedMicro).toBe(900)
    expect(l.availableMicro()).toBe(100_000_000 - 900)
  })

  it('asks for a lease when demand has none, and again ahead of need', () => {
    const shard = new LeaseShard('FRA', S, 100)
    expect(shard.admit(T0, 'a1', 'k1', 5_000)).toBeNull()
    expect(shard.outbox(T0).renewals).toEqual([{ account: 'a1', keyHash: 'k1', demandMicroPerSec: 5_000 * 1000 / S.demandWindowMs, demandRequestsPerSec: 1000 / S.demandWindowMs }])
    // Already asking: not again until an answer.
    expect(shard.outbox(T0 + 1).renewals).toEqual([])
    shard.onRefuse(T0 + 2, 'a1', 'k1', 1_000)
    expect(shard.outbox(T0 + 3).renewals).toEqual([])
  })
})
