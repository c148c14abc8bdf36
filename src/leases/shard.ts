// The shard side of credit leases: one per colo (or isolate), holding leases for any
// number of accounts' keys. It admits locally against a lease, journals each charge
// (durably: a crash keeps the journal, loses only what was in flight), and sends
// settlements back in batches that span leases and accounts. Deterministic, no I/O.
import { DemandWindow } from './demand.ts'
import { shouldRenew, type LeaseSettings } from './sizing.ts'
import type { Charge, Lease, SettleAck, SettleEntry } from './ledger.ts'

interface HeldLease {
  lease: Lease
  account: string
  /** Holds of requests in flight plus charges already made. */
  usedMicro: number
  requestsLeft: number | null
  inFlight: number
  revoked: boolean
  /** Being returned: admits nothing more, so no charge can arrive after the gate closes it. */
  returning: boolean
  lastAdmitAt: number
}

export interface LeaseRequest { account: string; keyHash: string; demandMicroPerSec: number; demandRequestsPerSec: number }

export interface Outbox {
  /** Per account: charges to settle and leases to return. */
  settlements: Map<string, { entries: SettleEntry[]; returnedRequests: Record<string, number> }>
  renewals: LeaseRequest[]
}

const slot = (account: string, keyHash: string) => `${account}\u0000${keyHash}`

export class LeaseShard {
  private held = new Map<string, HeldLease>()
  /** Durable: charges not yet acknowledged, by lease. */
  readonly journal = new Map<string, { account: string; charges: Charge[] }>()
  private demand = new Map<string, DemandWindow>()
  private asking = new Set<string>()
  /** When each charge (by generation id) or return (by lease id) was last sent: resent only if unanswered. */
  private sentAt = new Map<string, number>()
  private lastSettleAt = -Infinity
  private backoffUntil = new Map<string, number>()
  /** Held leases by key slot, and each journaled charge's lease: an isolate serving thousands of keys looks up, never scans. */
  private bySlot = new Map<string, Map<string, HeldLease>>()
  private chargeLease = new Map<string, string>()
  /** Slots that met no lease with room since the last outbox: with the slots holding leases, the only ones that may need to ask. */
  private candidates = new Set<string>()
  private lastForgetAt = -Infinity

  /** How long may pass between looks at the outbox (an isolate's ticker): renewals go out that much earlier. */
  pumpDelayMs = 0

  constructor(readonly name: string, readonly settings: LeaseSettings, public rttMs: number) {}

  /** Admit locally if a lease has room; null means take the exact path (one round trip). */
  admit(now: number, account: string, keyHash: string, holdMicro: number): { leaseId: string } | null {
    const k = slot(account, keyHash)
    let demand = this.demand.get(k)
    if (!demand) this.demand.set(k, (demand = new DemandWindow(this.settings.demandWindowMs)))
    demand.push(now, holdMicro)
    for (const h of this.bySlot.get(k)?.values() ?? []) {
      if (h.revoked || h.returning || now >= h.lease.admitUntil) continue
      if (h.lease.grantedMicro - h.usedMicro < holdMicro || h.requestsLeft === 0) continue
      h.usedMicro += holdMicro
      h.inFlight++
      h.lastAdmitAt = now
      if (h.requestsLeft !== null) h.requestsLeft--
      return { leaseId: h.lease.id }
    }
    this.candidates.add(k)
    return null
  }

  /** A leased request ended: its hold becomes its charge (cost 0 = nothing to settle). */
  complete(leaseId: string, generationId: string, holdMicro: number, costMicro: number): void {
    const h = this.held.get(leaseId)
    const cost = Math.min(costMicro, holdMicro)
    if (h) { h.usedMicro -= holdMicro - cost; h.inFlight-- }
    if (cost <= 0) return
    if (!h) throw new Error(`complete on unknown lease ${leaseId}`)
    const j = this.journal.get(leaseId) ?? { account: h.account, charges: [] }
    j.charges.push({ generationId, costMicro: cost })
    this.journal.set(leaseId, j)
    this.chargeLease.set(generationId, leaseId)
  }

  onGrant(account: string, lease: Lease): void {
    const k = slot(account, lease.keyHash)
    this.asking.delete(k)
    const h: HeldLease = { lease, account, usedMicro: 0, requestsLeft: lease.requests, inFlight: 0, revoked: false, returning: false, lastAdmitAt: lease.grantedAt }
    this.held.set(lease.id, h)
    let leases = this.bySlot.get(k)
    if (!leases) this.bySlot.set(k, (leases = new Map()))
    leases.set(lease.id, h)
  }

  private forget(leaseId: string): void {
    const h = this.held.get(leaseId)
    if (!h) return
    this.held.delete(leaseId)
    const k = slot(h.account, h.lease.keyHash)
    const leases = this.bySlot.get(k)
    leases?.delete(leaseId)
    if (leases?.size === 0) this.bySlot.delete(k)
  }

  /** The gate refused: use the exact path, and don't ask again for a while. */
  onRefuse(now: number, account: string, keyHash: string, retryMs = 1_000): void {
    this.asking.delete(slot(account, keyHash))
    this.backoffUntil.set(slot(account, keyHash), now + retryMs)
  }

  onRevoke(leaseId: string): void {
    const h = this.held.get(leaseId)
    if (h) h.revoked = true
  }

  /** The gate refused a key (disabled, suspended): stop admitting under all of its leases here. */
  revokeKey(account: string, keyHash: string): void {
    for (const h of this.bySlot.get(slot(account, keyHash))?.values() ?? []) h.revoked = true
  }

  /**
   * Forget leases the gate has expired by now (a request that never ended kept one open): their
   * unsent charges stay in the journal, and the gate takes them late only if the balance has room.
   */
  dropExpired(now: number): void {
    const s = this.settings
    for (const [id, h] of this.held) if (now >= h.lease.grantedAt + s.admitMs + s.maxRequestMs + s.flushGraceMs) this.forget(id)
  }

  /** Anything still to send or return: leases held, or charges not yet acknowledged. */
  busy(): boolean {
    return this.held.size > 0 || this.journal.size > 0
  }

  /** Forget demand nobody has shown for a window: an isolate serving many keys over time stays small. */
  forgetIdle(now: number): void {
    // A full pass at most once a window: it is a scan of every key this isolate has seen lately.
    if (now - this.lastForgetAt < this.settings.demandWindowMs) return
    this.lastForgetAt = now
    for (const [k, demand] of this.demand) if (demand.lastAt() <= now - this.settings.demandWindowMs) this.demand.delete(k)
  }

  onAck(ack: SettleAck): void {
    const done = new Set([...ack.acked, ...ack.refused.map((c) => c.generationId)])
    // Only the journal entries of the leases these charges were made under.
    const touched = new Set<string>()
    for (const id of done) {
      const leaseId = this.chargeLease.get(id)
      if (leaseId !== undefined) touched.add(leaseId)
      this.chargeLease.delete(id)
      this.sentAt.delete(id)
    }
    for (const leaseId of touched) {
      const j = this.journal.get(leaseId)
      if (!j) continue
      j.charges = j.charges.filter((c) => !done.has(c.generationId))
      if (j.charges.length === 0) this.journal.delete(leaseId)
    }
    for (const id of ack.closed) { this.forget(id); this.sentAt.delete(id) }
  }

  /** Process lost: in-flight requests die with it (uncharged), leases are forgotten (the gate expires them), the journal survives. */
  crash(): void {
    this.held.clear()
    this.bySlot.clear()
    this.candidates.clear()
    this.sentAt.clear()
    this.asking.clear()
    this.backoffUntil.clear()
  }

  /** What to send now: the journal, leases to return (ended, revoked or idle, none in flight), and renewals ahead of need. */
  /**
   * What to send now. `sweep` (the default) looks at everything held: charges due, leases to
   * return or shrink, renewals ahead of need. Without it, only the keys that met no lease with
   * room since the last look: the cheap look a request can afford, with many leases held.
   */
  outbox(now: number, sweep = true): Outbox {
    const out: Outbox = { settlements: new Map(), renewals: [] }
    const entry = (account: string, leaseId: string) => {
      const s = out.settlements.get(account) ?? { entries: [], returnedRequests: {} }
      out.settlements.set(account, s)
      let e = s.entries.find((x) => x.leaseId === leaseId)
      if (!e) { e = { leaseId, charges: [], close: false }; s.entries.push(e) }
      return { s, e }
    }
    // Unanswered after two round trips and a margin: the batch or its ack was lost, send again.
    const due = (id: string) => {
      const last = this.sentAt.get(id)
      if (last !== undefined && now - last < 2 * this.rttMs + 500) return false
      this.sentAt.set(id, now)
      return true
    }
    const settleNow = sweep && now - this.lastSettleAt >= this.settings.settleEveryMs
    if (settleNow) this.lastSettleAt = now
    for (const [leaseId, j] of sweep ? this.journal : []) {
      // Charges of a lease being returned go with the return; the rest wait for the next batch.
      const h = this.held.get(leaseId)
      if (!settleNow && !(h?.returning && h.inFlight === 0)) continue
      const charges = j.charges.filter((c) => due(c.generationId))
      if (charges.length > 0) entry(j.account, leaseId).e.charges.push(...charges)
    }
    for (const h of sweep ? this.held.values() : []) {
      // Idle means the key showed no demand here for the demand window (its measured demand is 0),
      // not that this lease admitted nothing: a renewal waits unused while the lease before it
      // still has room, and must not be returned for that.
      const lastDemand = this.demand.get(slot(h.account, h.lease.keyHash))?.lastAt() ?? -Infinity
      const idleMs = now - Math.max(h.lastAdmitAt, lastDemand)
      const ended = h.returning || h.revoked || now >= h.lease.admitUntil || idleMs > this.settings.demandWindowMs
      if (!ended) continue
      h.returning = true
      if (h.inFlight === 0) {
        if (!due(h.lease.id)) continue
        const { s, e } = entry(h.account, h.lease.id)
        e.close = true
        if (h.requestsLeft !== null) s.returnedRequests[h.lease.id] = h.requestsLeft
      } else if (settleNow && h.lease.grantedMicro > h.usedMicro) {
        // Still waiting on requests in flight: give back what they can't use now.
        h.lease = { ...h.lease, grantedMicro: h.usedMicro }
        entry(h.account, h.lease.id).e.shrinkToMicro = h.usedMicro
      }
    }
    // Only slots that met no room since the last look, or hold leases (renewal ahead of need): not every key seen.
    const look = sweep ? new Set([...this.candidates, ...this.bySlot.keys()]) : new Set(this.candidates)
    this.candidates.clear()
    for (const k of look) {
      const demand = this.demand.get(k)
      if (!demand) continue
      const [account, keyHash] = k.split('\u0000') as [string, string]
      if (this.asking.has(k) || (this.backoffUntil.get(k) ?? 0) > now) continue
      const reqRate = (demand.count(now) * 1000) / this.settings.demandWindowMs
      if (reqRate < this.settings.minRequestsPerSec) continue
      const rate = (demand.sumMicro(now) * 1000) / this.settings.demandWindowMs
      const usable = [...this.bySlot.get(k)?.values() ?? []].filter((h) => !h.revoked && !h.returning && now < h.lease.admitUntil)
      const remaining = usable.reduce((a, h) => a + h.lease.grantedMicro - h.usedMicro, 0)
      const admitUntil = usable.reduce((a, h) => Math.max(a, h.lease.admitUntil), 0)
      // At most two usable leases per key: the current one and the next.
      if (usable.length < 2 && shouldRenew({ remainingMicro: remaining, admitUntil, demandMicroPerSec: rate, largestHoldMicro: demand.maxMicro(now), rttMs: this.rttMs, now, pumpDelayMs: this.pumpDelayMs })) {
        this.asking.add(k)
        out.renewals.push({ account, keyHash, demandMicroPerSec: rate, demandRequestsPerSec: reqRate })
      }
    }
    return out
  }

  heldMicro(account?: string): number {
    let sum = 0
    for (const h of this.held.values()) if (account === undefined || h.account === account) sum += h.lease.grantedMicro - h.usedMicro
    return sum
  }
}
