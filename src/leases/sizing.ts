// PURE: how big a credit lease is and when a shard should ask for the next one.
// Money is integer microdollars; times are ms on an injected clock.

export interface LeaseSettings {
  /** A shard admits under a lease for at most this long after the grant: the bound on a stale disable. */
  admitMs: number
  /** The longest a leased request may run after admission before its charge is final. */
  maxRequestMs: number
  /** Time a shard has after that to deliver its settlements; the gate then reclaims the lease. */
  flushGraceMs: number
  /** Below this available balance no lease is granted: admission is the exact per-request round trip. */
  floorMicro: number
  minGrantMicro: number
  maxGrantMicro: number
  /** A lease takes at most this share of what is available, so leases shrink as the balance runs low. */
  shareOfAvailable: number
  /** All outstanding leases together hold at most this share of the balance less holds: the rest stays for the exact path. */
  maxLeasedShare: number
  /** A grant covers this much of the shard's recent demand. */
  horizonMs: number
  /** A shard sends its journal at most this often (returns and renewals go at once). */
  settleEveryMs: number
  /** Recent demand is measured over this window. */
  demandWindowMs: number
  /**
   * A key asks for a lease only at this many requests per second or more (over the demand window):
   * a lease costs a grant, a settlement and a return at its gate, so a key that sends a request
   * every few seconds is cheaper on the exact path.
   */
  minRequestsPerSec: number
}

export const DEFAULT_LEASE_SETTINGS: LeaseSettings = {
  admitMs: 5_000,
  maxRequestMs: 120_000,
  flushGraceMs: 30_000,
  floorMicro: 1_000_000,
  minGrantMicro: 200_000,
  maxGrantMicro: 5_000_000,
  shareOfAvailable: 0.1,
  maxLeasedShare: 0.5,
  horizonMs: 10_000,
  settleEveryMs: 1_000,
  demandWindowMs: 3_000,
  // The gateway asks for 0.5 (LEASE_MIN_REQUESTS_PER_SECOND); the protocol itself leases on any demand.
  minRequestsPerSec: 0,
}

/** When the gate reclaims a lease nobody returned: after admission stops, the longest request, and the flush grace. */
export const leaseExpiry = (grantedAt: number, s: LeaseSettings): { admitUntil: number; expiresAt: number } => {
  const admitUntil = grantedAt + s.admitMs
  return { admitUntil, expiresAt: admitUntil + s.maxRequestMs + s.flushGraceMs }
}

export interface GrantInput {
  demandMicroPerSec: number
  availableMicro: number
  /** Balance less exact-path holds, and what leases hold of it now. */
  unheldMicro: number
  leasedMicro: number
  /** Room left under the key's credit limit (holds and its other leases taken out); null when unlimited. */
  keyRoomMicro: number | null
}

/** The lease size in microdollars; 0 means refuse, so admission falls back to the exact path. */
export const sizeGrant = (g: GrantInput, s: LeaseSettings): number => {
  if (g.availableMicro < s.floorMicro) return 0
  const wanted = Math.max(Math.ceil((g.demandMicroPerSec * s.horizonMs) / 1000), s.minGrantMicro)
  const leaseRoom = Math.floor(g.unheldMicro * s.maxLeasedShare) - g.leasedMicro
  let grant = Math.min(wanted, s.maxGrantMicro, Math.floor(g.availableMicro * s.shareOfAvailable), leaseRoom)
  if (g.keyRoomMicro !== null) grant = Math.min(grant, g.keyRoomMicro)
  // A slice too small to hold one typical request is not worth a lease.
  return grant >= s.minGrantMicro ? grant : 0
}

/**
 * Whether a shard should ask for its next lease now: the credit left would not last two
 * round trips plus a margin at the recent rate (plus one large request), or admission under
 * it ends within that time.
 */
export const shouldRenew = (
  r: { remainingMicro: number; admitUntil: number; demandMicroPerSec: number; largestHoldMicro: number; rttMs: number; now: number; pumpDelayMs?: number },
): boolean => {
  if (r.demandMicroPerSec <= 0) return false
  // pumpDelayMs: how late the shard may look at its outbox (a ticker's period), so the ask still goes out in time.
  const aheadMs = 2 * r.rttMs + 100 + (r.pumpDelayMs ?? 0)
  // The largest recent hold too: a lease with less left than one request can't admit it.
  return r.remainingMicro < (r.demandMicroPerSec * aheadMs) / 1000 + r.largestHoldMicro || r.admitUntil - r.now < aheadMs
}
