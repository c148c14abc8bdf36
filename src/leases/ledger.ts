// The gate side of credit leases: one account's balance, its exact-path holds, and the
// leases it has handed to shards. Deterministic, no I/O: every method takes the time.
// Invariant (I1): charged + holds + outstanding leases <= credits, at every step.
import { leaseExpiry, sizeGrant, type LeaseSettings } from './sizing.ts'
import { MINUTE_MS } from '../billing/limits.ts'

export interface LeaseKey {
  hash: string
  disabled: boolean
  /** The key's credit limit and its spend this period; null when unlimited. */
  limitMicro: number | null
  usageMicro: number
  /** 0 = unlimited. */
  requestsPerMinute: number
  /** Keys with these limits never get a lease: exact per-request admission only. */
  tokensPerMinute: number
  concurrentRequests: number
}

export interface Lease {
  id: string
  shard: string
  keyHash: string
  grantedAt: number
  grantedMicro: number
  chargedMicro: number
  /** Requests this lease may admit (a slice of requests-per-minute); null when unlimited. */
  requests: number | null
  admitUntil: number
  expiresAt: number
  state: 'open' | 'revoked' | 'closed'
}

export type LeaseRefusal = 'suspended' | 'key_disabled' | 'exact_only' | 'below_floor' | 'rate_limited'

export type LeaseGrant =
  | { ok: true; lease: Lease }
  | { ok: false; reason: LeaseRefusal }

export interface Charge { generationId: string; costMicro: number }
export interface SettleEntry {
  leaseId: string
  charges: Charge[]
  close: boolean
  /** Shrink the lease to this (charges so far plus holds still in flight): unused credit goes back before the lease closes. Idempotent. */
  shrinkToMicro?: number
}
export interface SettleAck {
  /** Charges now recorded, including ones recorded before (a resent batch): the shard may forget them. */
  acked: string[]
  duplicates: number
  /** Charges refused because their lease had expired (the shard was later than its bound) or exceeded it. */
  refused: Charge[]
  closed: string[]
}

export class LeaseLedger {
  readonly leases = new Map<string, Lease>()
  /** Every charge recorded, by generation id: exactly once. */
  readonly settled = new Map<string, number>()
  /** Exact-path holds; like the gate's today, they lapse after a TTL if never settled. */
  readonly holds = new Map<string, { keyHash: string; micro: number; expiresAt: number }>()
  readonly keys = new Map<string, LeaseKey>()
  /** Request slices granted per key, for requests-per-minute. */
  private readonly slices = new Map<string, { at: number; n: number; leaseId: string | null }[]>()
  chargedMicro = 0
  suspended = false
  expired = 0
  private seq = 0

  constructor(readonly accountId: string, public creditsMicro: number, readonly settings: LeaseSettings) {}

  outstandingMicro(keyHash?: string): number {
    let sum = 0
    for (const l of this.leases.values()) {
      if (l.state !== 'closed' && (keyHash === undefined || l.keyHash === keyHash)) sum += l.grantedMicro - l.chargedMicro
    }
    return sum
  }

  holdsMicro(keyHash?: string): number {
    let sum = 0
    for (const h of this.holds.values()) if (keyHash === undefined || h.keyHash === keyHash) sum += h.micro
    return sum
  }

  get balanceMicro(): number { return this.creditsMicro - this.chargedMicro }

  availableMicro(): number { return this.balanceMicro - this.holdsMicro() - this.outstandingMicro() }

  private keyRoom(key: LeaseKey): number | null {
    return key.limitMicro === null ? null : key.limitMicro - key.usageMicro - this.holdsMicro(key.hash) - this.outstandingMicro(key.hash)
  }

  private requestsLeft(key: LeaseKey, now: number): number | null {
    if (key.requestsPerMinute <= 0) return null
    const live = (this.slices.get(key.hash) ?? []).filter((x) => x.at > now - MINUTE_MS)
    this.slices.set(key.hash, live)
    return key.requestsPerMinute - live.reduce((a, x) => a + x.n, 0)
  }

  private takeSlice(keyHash: string, now: number, n: number, leaseId: string | null): void {
    const list = this.slices.get(keyHash) ?? []
    list.push({ at: now, n, leaseId })
    this.slices.set(keyHash, list)
  }

  setKey(key: LeaseKey): void { this.keys.set(key.hash, key) }

  /** A lease for one key at one shard, sized from the shard's recent demand. */
  grant(now: number, req: { shard: string; keyHash: string; demandMicroPerSec: number; demandRequestsPerSec: number }): LeaseGrant {
    this.expire(now)
    const key = this.keys.get(req.keyHash)
    if (this.suspended) return { ok: false, reason: 'suspended' }
    if (!key || key.disabled) return { ok: false, reason: 'key_disabled' }
    if (key.tokensPerMinute > 0 || key.concurrentRequests > 0) return { ok: false, reason: 'exact_only' }
    const micro = sizeGrant({
      demandMicroPerSec: req.demandMicroPerSec, availableMicro: this.availableMicro(), keyRoomMicro: this.keyRoom(key),
      unheldMicro: this.balanceMicro - this.holdsMicro(), leasedMicro: this.outstandingMicro(),
    }, this.settings)
    if (micro === 0) return { ok: false, reason: 'below_floor' }
    const left = this.requestsLeft(key, now)
    let requests: number | null = null
    if (left !== null) {
      requests = Math.min(left, Math.ceil((req.demandRequestsPerSec * this.settings.horizonMs) / 1000) + 1)
      if (requests <= 0) return { ok: false, reason: 'rate_limited' }
    }
    const lease: Lease = {
      id: `${this.accountId}:L${++this.seq}`, shard: req.shard, keyHash: key.hash, grantedAt: now, grantedMicro: micro, chargedMicro: 0,
      requests, ...leaseExpiry(now, this.settings), state: 'open',
    }
    this.leases.set(lease.id, lease)
    if (requests !== null) this.takeSlice(key.hash, now, requests, lease.id)
    return { ok: true, lease }
  }

  /** Batched settlements from a shard, possibly across several leases; each charge exactly once. */
  settle(now: number, entries: SettleEntry[], returnedRequests: Record<string, number> = {}): SettleAck {
    this.expire(now)
    const ack: SettleAck = { acked: [], duplicates: 0, refused: [], closed: [] }
    for (const e of entries) {
      const lease = this.leases.get(e.leaseId)
      for (const c of e.charges) {
        if (this.settled.has(c.generationId)) { ack.duplicates++; ack.acked.push(c.generationId); continue }
        // A closed lease's reservation went back to the account: charging it now could overspend.
        if (!lease || lease.state === 'closed' || c.costMicro > lease.grantedMicro - lease.chargedMicro || c.costMicro < 0) {
          ack.refused.push(c)
          continue
        }
        lease.chargedMicro += c.costMicro
        this.charge(lease.keyHash, c)
        ack.acked.push(c.generationId)
      }
      if (e.shrinkToMicro !== undefined && lease && lease.state !== 'closed') {
        lease.grantedMicro = Math.max(lease.chargedMicro, Math.min(lease.grantedMicro, e.shrinkToMicro))
      }
      if (e.close && lease) {
        // A resent return (its ack was lost) is acknowledged again, and changes nothing.
        if (lease.state !== 'closed') this.close(lease, returnedRequests[lease.id] ?? 0)
        ack.closed.push(lease.id)
      }
    }
    return ack
  }

  private charge(keyHash: string, c: Charge): void {
    this.settled.set(c.generationId, c.costMicro)
    this.chargedMicro += c.costMicro
    const key = this.keys.get(keyHash)
    if (key) key.usageMicro += c.costMicro
  }

  private close(lease: Lease, unusedRequests: number): void {
    lease.state = 'closed'
    const slice = (this.slices.get(lease.keyHash) ?? []).find((x) => x.leaseId === lease.id)
    if (slice) slice.n = Math.max(0, slice.n - unusedRequests)
  }

  /** Leases past their expiry go back to the account: a crashed shard keeps nothing. */
  expire(now: number): Lease[] {
    const out: Lease[] = []
    for (const l of this.leases.values()) {
      if (l.state !== 'closed' && l.expiresAt <= now) { l.state = 'closed'; this.expired++; out.push(l) }
    }
    for (const [id, h] of this.holds) if (h.expiresAt <= now) this.holds.delete(id)
    return out
  }

  /**
   * Stop the leases of a key (or, without one, of the account). Their reservation stays until the
   * shard returns them or they expire, so requests already admitted still settle. Returns the
   * leases whose shards should be told; a shard that never hears stops at the lease's admitUntil.
   */
  revoke(keyHash?: string): Lease[] {
    const out: Lease[] = []
    for (const l of this.leases.values()) {
      if (l.state === 'open' && (keyHash === undefined || l.keyHash === keyHash)) { l.state = 'revoked'; out.push(l) }
    }
    return out
  }

  setKeyDisabled(keyHash: string, disabled: boolean): Lease[] {
    const key = this.keys.get(keyHash)
    if (key) key.disabled = disabled
    return disabled ? this.revoke(keyHash) : []
  }

  setSuspended(suspended: boolean): Lease[] {
    this.suspended = suspended
    return suspended ? this.revoke() : []
  }

  /** A new credit or rate limit: leases sized for the old one are revoked; the next grant uses the new one. */
  setKeyLimits(keyHash: string, limits: Pick<LeaseKey, 'limitMicro' | 'requestsPerMinute' | 'tokensPerMinute' | 'concurrentRequests'>): Lease[] {
    const key = this.keys.get(keyHash)
    if (key) Object.assign(key, limits)
    return this.revoke(keyHash)
  }

  /** The exact path, as the gate admits today: a hold against what is available, leases included. */
  admitExact(now: number, r: { generationId: string; keyHash: string; holdMicro: number }): { ok: true } | { ok: false; reason: LeaseRefusal | 'insufficient_credits' | 'key_limit' } {
    this.expire(now)
    const key = this.keys.get(r.keyHash)
    if (this.suspended) return { ok: false, reason: 'suspended' }
    if (!key || key.disabled) return { ok: false, reason: 'key_disabled' }
    const left = this.requestsLeft(key, now)
    if (left !== null && left <= 0) return { ok: false, reason: 'rate_limited' }
    if (r.holdMicro > this.availableMicro()) return { ok: false, reason: 'insufficient_credits' }
    const room = this.keyRoom(key)
    if (room !== null && r.holdMicro > room) return { ok: false, reason: 'key_limit' }
    this.holds.set(r.generationId, { keyHash: key.hash, micro: r.holdMicro, expiresAt: now + this.settings.maxRequestMs + this.settings.flushGraceMs })
    if (left !== null) this.takeSlice(key.hash, now, 1, null)
    return { ok: true }
  }

  /** Replace an exact-path hold with its charge (or drop it, cost null). Exactly once by id. */
  settleExact(generationId: string, costMicro: number | null): 'charged' | 'duplicate' | 'released' | 'unknown' {
    if (this.settled.has(generationId)) return 'duplicate'
    const hold = this.holds.get(generationId)
    if (!hold) return 'unknown'
    this.holds.delete(generationId)
    if (costMicro === null) return 'released'
    this.charge(hold.keyHash, { generationId, costMicro: Math.min(costMicro, hold.micro) })
    return 'charged'
  }
}
