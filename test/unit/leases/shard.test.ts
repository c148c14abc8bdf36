// The shard's pieces the gateway's isolate relies on (src/leases/edge.ts): refusal of a key
// stops its leases, renewal goes out a ticker period earlier, leases the gate has expired are
// forgotten, demand nobody shows is dropped, and per-account held credit.
import { describe, expect, it } from 'vitest'
import type { Lease } from '../../../src/leases/ledger.ts'
import { LeaseShard } from '../../../src/leases/shard.ts'
import { DEFAULT_LEASE_SETTINGS as S, shouldRenew } from '../../../src/leases/sizing.ts'

const T0 = 1_000_000
const lease = (id: string, keyHash = 'k1', grantedAt = T0, micro = 1_000_000): Lease => ({
  id, shard: 'test', keyHash, grantedAt, grantedMicro: micro, chargedMicro: 0, requests: null, admitUntil: grantedAt + S.admitMs,
  expiresAt: grantedAt + S.admitMs, state: 'open',
})

describe('LeaseShard in an isolate', () => {
  it('revokeKey stops every lease of that key, and only of that key', () => {
    const s = new LeaseShard('iso', S, 50)
    s.onGrant('a1', lease('L1'))
    s.onGrant('a1', lease('L2', 'k2'))
    expect(s.admit(T0 + 1, 'a1', 'k1', 10)).toEqual({ leaseId: 'L1' })
    s.revokeKey('a1', 'k1')
    expect(s.admit(T0 + 2, 'a1', 'k1', 10)).toBeNull()
    expect(s.admit(T0 + 3, 'a1', 'k2', 10)).toEqual({ leaseId: 'L2' })
  })

  it('asks for a lease only at the minimum request rate: a key seen now and then stays exact', () => {
    const s = new LeaseShard('iso', { ...S, minRequestsPerSec: 1 }, 50)
    // Two requests in the 3 s window: 0.67/s, below 1/s.
    expect(s.admit(T0, 'a1', 'k1', 10)).toBeNull()
    expect(s.admit(T0 + 1_000, 'a1', 'k1', 10)).toBeNull()
    expect(s.outbox(T0 + 1_000).renewals).toEqual([])
    // A third inside the window reaches 1/s: now a lease is worth asking for.
    expect(s.admit(T0 + 2_000, 'a1', 'k1', 10)).toBeNull()
    expect(s.outbox(T0 + 2_000).renewals).toMatchObject([{ account: 'a1', keyHash: 'k1', demandRequestsPerSec: 1 }])
  })

  it('a look without a sweep asks for the keys that met no room, and leaves held leases and charges to the sweep', () => {
    const s = new LeaseShard('iso', S, 50)
    s.onGrant('a1', lease('L1'))
    expect(s.admit(T0 + 1, 'a1', 'k1', 10)).toEqual({ leaseId: 'L1' })
    s.complete('L1', 'g1', 10, 4)
    // k2 has no lease: two requests in the window meet no room.
    expect(s.admit(T0 + 10, 'a1', 'k2', 10)).toBeNull()
    expect(s.admit(T0 + 20, 'a1', 'k2', 10)).toBeNull()
    const quick = s.outbox(T0 + 30, false)
    expect(quick.renewals).toMatchObject([{ account: 'a1', keyHash: 'k2' }])
    expect(quick.settlements.size).toBe(0)
    // The sweep sends L1's charge (the first look is always due), and, once L1 has ended, returns it.
    expect(s.outbox(T0 + 40).settlements.get('a1')?.entries).toMatchObject([{ leaseId: 'L1', charges: [{ generationId: 'g1', costMicro: 4 }] }])
    const ended = T0 + S.admitMs + 1
    expect(s.outbox(ended, false).settlements.size).toBe(0)
    expect(s.outbox(ended).settlements.get('a1')?.entries).toMatchObject([{ leaseId: 'L1', close: true }])
  })

  it('an acknowledgement clears only its own charges, across many leases and accounts', () => {
    const s = new LeaseShard('iso', S, 50)
    for (let a = 0; a < 50; a++) {
      s.onGrant(`a${a}`, lease(`L${a}`, `k${a}`))
      expect(s.admit(T0 + 1, `a${a}`, `k${a}`, 10)).toEqual({ leaseId: `L${a}` })
      s.complete(`L${a}`, `g${a}`, 10, 3)
    }
    s.onAck({ acked: ['g7', 'g8'], duplicates: 0, refused: [{ generationId: 'g9', costMicro: 0 }], closed: [] })
    expect([...s.journal.keys()]).toHaveLength(47)
    expect(s.journal.has('L7') || s.journal.has('L8') || s.journal.has('L9')).toBe(false)
    expect(s.journal.get('L10')?.charges).toEqual([{ generationId: 'g10', costMicro: 3 }])
    // A closed lease is forgotten by its slot too: that key admits nothing under it any more.
    s.onAck({ acked: [], duplicates: 0, refused: [], closed: ['L11'] })
    expect(s.admit(T0 + 2, 'a11', 'k11', 1)).toBeNull()
    expect(s.admit(T0 + 2, 'a12', 'k12', 1)).toEqual({ leaseId: 'L12' })
  })

  it('heldMicro counts one account or all', () => {
    const s = new LeaseShard('iso', S, 50)
    s.onGrant('a1', lease('L1'))
    s.onGrant('a2', lease('L2', 'k9', T0, 300_000))
    s.admit(T0 + 1, 'a1', 'k1', 100_000)
    expect(s.heldMicro('a1')).toBe(900_000)
    expect(s.heldMicro('a2')).toBe(300_000)
    expect(s.heldMicro()).toBe(1_200_000)
  })

  it('asks for the next lease a ticker period earlier', () => {
    const base = { remainingMicro: 10_000_000, demandMicroPerSec: 1, largestHoldMicro: 1, rttMs: 80, now: T0 }
    const admitUntil = T0 + 2 * 80 + 100 + 200 // inside the window only with a 250 ms ticker
    expect(shouldRenew({ ...base, admitUntil })).toBe(false)
    expect(shouldRenew({ ...base, admitUntil, pumpDelayMs: 250 })).toBe(true)
  })

  it('forgets a lease the gate has expired, keeping its unsent charges', () => {
    const s = new LeaseShard('iso', S, 50)
    s.onGrant('a1', lease('L1'))
    s.admit(T0 + 1, 'a1', 'k1', 10)
    s.admit(T0 + 2, 'a1', 'k1', 10)
    s.complete('L1', 'g1', 10, 7)
    const gone = T0 + S.admitMs + S.maxRequestMs + S.flushGraceMs
    s.dropExpired(gone - 1)
    expect(s.heldMicro()).toBeGreaterThan(0)
    s.dropExpired(gone)
    expect(s.heldMicro()).toBe(0)
    expect(s.journal.get('L1')?.charges).toEqual([{ generationId: 'g1', costMicro: 7 }])
    expect(s.busy()).toBe(true) // the journal still has to go out
    expect(() => s.complete('L1', 'g2', 10, 5)).toThrow() // the edge then sends it to the gate as a late charge
  })

  it('keeps a renewal that waited unused while the lease before it had room, as long as the key shows demand', () => {
    const s = new LeaseShard('iso', S, 200)
    s.onGrant('a1', lease('L1'))
    s.onGrant('a1', lease('L2', 'k1', T0 + 4_000)) // asked ahead of need, 1 s before L1 closes
    for (const at of [T0 + 1_500, T0 + 3_000, T0 + 4_500]) expect(s.admit(at, 'a1', 'k1', 10)).toEqual({ leaseId: 'L1' })
    // 2.6 s after L2's grant (more than half its window), 2.1 s after the key's last request: L1 is over, L2 stays.
    const out = s.outbox(T0 + 6_600)
    expect(out.settlements.get('a1')?.entries.find((e) => e.leaseId === 'L2')).toBeUndefined()
    expect(s.admit(T0 + 6_600, 'a1', 'k1', 10)).toEqual({ leaseId: 'L2' })
    // Once the key is quiet for the demand window, it is returned.
    const later = s.outbox(T0 + 6_600 + S.demandWindowMs + 1)
    expect(later.settlements.get('a1')?.entries.find((e) => e.leaseId === 'L2')).toMatchObject({ close: false, shrinkToMicro: 10 }) // one in flight: shrink only
    s.complete('L2', 'g9', 10, 4)
    const done = s.outbox(T0 + 6_600 + S.demandWindowMs + 2_000)
    expect(done.settlements.get('a1')?.entries.find((e) => e.leaseId === 'L2')).toMatchObject({ close: true })
  })

  it('forgets demand older than its window, and is idle once nothing is held or journaled', () => {
    const s = new LeaseShard('iso', S, 50)
    expect(s.admit(T0, 'a1', 'k1', 10)).toBeNull()
    expect(s.outbox(T0).renewals).toHaveLength(1)
    s.onRefuse(T0, 'a1', 'k1', 0)
    s.forgetIdle(T0 + S.demandWindowMs)
    expect(s.outbox(T0 + S.demandWindowMs).renewals).toHaveLength(0)
    expect(s.busy()).toBe(false)
  })
})
