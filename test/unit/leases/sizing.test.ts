// Lease sizing, expiry and renewal: the pure rules behind every grant.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LEASE_SETTINGS as S, leaseExpiry, shouldRenew, sizeGrant } from '../../../src/leases/sizing.ts'

const input = (o: Partial<Parameters<typeof sizeGrant>[0]> = {}) => ({
  demandMicroPerSec: 100_000, availableMicro: 1_000_000_000, keyRoomMicro: null, unheldMicro: 1_000_000_000, leasedMicro: 0, ...o,
})

describe('sizeGrant', () => {
  it('covers recent demand over the horizon, within the min and max', () => {
    expect(sizeGrant(input(), S)).toBe(100_000 * S.horizonMs / 1000)
    expect(sizeGrant(input({ demandMicroPerSec: 1 }), S)).toBe(S.minGrantMicro)
    expect(sizeGrant(input({ demandMicroPerSec: 1e9 }), S)).toBe(S.maxGrantMicro)
  })

  it('shrinks with the balance and refuses below the floor, so admission turns exact', () => {
    expect(sizeGrant(input({ demandMicroPerSec: 1e9, availableMicro: 10_000_000, unheldMicro: 10_000_000 }), S)).toBe(1_000_000)
    expect(sizeGrant(input({ availableMicro: S.floorMicro - 1, unheldMicro: S.floorMicro - 1 }), S)).toBe(0)
  })

  it('stays within the key limit room and the account-wide leased share', () => {
    expect(sizeGrant(input({ keyRoomMicro: 300_000 }), S)).toBe(300_000)
    expect(sizeGrant(input({ keyRoomMicro: S.minGrantMicro - 1 }), S)).toBe(0)
    expect(sizeGrant(input({ unheldMicro: 10_000_000, availableMicro: 5_000_000, leasedMicro: 5_000_000 }), S)).toBe(0)
  })

  it('never grants more than is available, nor a fraction of a microdollar', () => {
    fc.assert(fc.property(
      fc.nat(1e9), fc.nat(1e10), fc.option(fc.nat(1e9)), fc.nat(1e10),
      (demand, available, room, leased) => {
        const g = sizeGrant(input({ demandMicroPerSec: demand, availableMicro: available, keyRoomMicro: room, unheldMicro: available + leased, leasedMicro: leased }), S)
        expect(Number.isInteger(g)).toBe(true)
        expect(g).toBeGreaterThanOrEqual(0)
        expect(g).toBeLessThanOrEqual(available)
        if (room !== null) expect(g).toBeLessThanOrEqual(room)
      },
    ))
  })
})

describe('leaseExpiry', () => {
  it('stops admission after admitMs, and reclaims after the longest request and the flush grace', () => {
    expect(leaseExpiry(1_000, S)).toEqual({ admitUntil: 1_000 + S.admitMs, expiresAt: 1_000 + S.admitMs + S.maxRequestMs + S.flushGraceMs })
  })
})

describe('shouldRenew', () => {
  const base = { remainingMicro: 1_000_000, admitUntil: 10_000, demandMicroPerSec: 10_000, largestHoldMicro: 20_000, rttMs: 200, now: 0 }
  it('asks ahead of need: low credit for two round trips, one large request, or the end of admission', () => {
    expect(shouldRenew(base)).toBe(false)
    expect(shouldRenew({ ...base, remainingMicro: 24_000 })).toBe(true)
    expect(shouldRenew({ ...base, now: 9_600 })).toBe(true)
  })
  it('never asks without demand', () => {
    expect(shouldRenew({ ...base, remainingMicro: 0, demandMicroPerSec: 0 })).toBe(false)
  })
})
