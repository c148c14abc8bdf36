// A deterministic simulation of credit leases: simulated colos, each with a lease
// shard and a fixed round-trip time to the account gates, an injected clock, a seeded
// RNG. Messages to and from the gates take half an RTT each way; acks can be lost.
import { LeaseLedger, type Lease, type LeaseKey } from '../../../src/leases/ledger.ts'
import { LeaseShard } from '../../../src/leases/shard.ts'
import { DEFAULT_LEASE_SETTINGS, type LeaseSettings } from '../../../src/leases/sizing.ts'

/** mulberry32: small, seeded, and the same on every machine. */
export const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export interface SimConfig {
  seed: number
  colos: number
  durationMs: number
  /** Requests per second per colo outside bursts. */
  baseRate: number
  accounts: { id: string; creditsMicro: number; keys: string[] }[]
  /** Disable this key at this time; without push, shards never hear of it and stop at the lease's end. */
  disable?: { account: string; keyHash: string; at: number; push: boolean }
  crashes: number
  ackLossRate: number
  settings?: Partial<LeaseSettings>
}

export interface SimResult {
  requests: number
  /** Per key: requests, and those admitted without a round trip. */
  byKey: Map<string, { requests: number; local: number }>
  admittedLocal: number
  admittedExact: number
  denied: number
  gateRoundTrips: number
  blockingRoundTrips: number
  completed: Map<string, { account: string; cost: number }>
  ledgers: Map<string, LeaseLedger>
  shards: LeaseShard[]
  violations: string[]
  /** Latest admission of the disabled key after the disable, in ms (−1 if none). */
  disabledStaleMs: number
  duplicatesResent: number
  refused: number
  expiredLeases: number
  maxColoHeldMicro: number
  settings: LeaseSettings
}

const key = (hash: string): LeaseKey => ({ hash, disabled: false, limitMicro: null, usageMicro: 0, requestsPerMinute: 0, tokensPerMinute: 0, concurrentRequests: 0 })

export const simulate = (cfg: SimConfig): SimResult => {
  const settings = { ...DEFAULT_LEASE_SETTINGS, ...cfg.settings }
  const rand = rng(cfg.seed)
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  // Event queue: (time, seq) ordered, so ties resolve the same way every run.
  const queue: { at: number; seq: number; run: () => void }[] = []
  let seq = 0
  let now = 0
  const at = (t: number, run: () => void) => {
    const e = { at: t, seq: seq++, run }
    let i = queue.length
    queue.push(e)
    while (i > 0) {
      const p = (i - 1) >> 1
      const q = queue[p]!
      if (q.at < e.at || (q.at === e.at && q.seq < e.seq)) break
      queue[i] = q
      queue[p] = e
      i = p
    }
  }
  const pop = () => {
    const top = queue[0]!
    const last = queue.pop()!
    if (queue.length > 0) {
      queue[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        const less = (a: number, b: number) => queue[a]!.at < queue[b]!.at || (queue[a]!.at === queue[b]!.at && queue[a]!.seq < queue[b]!.seq)
        if (l < queue.length && less(l, m)) m = l
        if (r < queue.length && less(r, m)) m = r
        if (m === i) break
        ;[queue[i], queue[m]] = [queue[m]!, queue[i]!]
        i = m
      }
    }
    return top
  }

  const ledgers = new Map(cfg.accounts.map((a) => {
    const l = new LeaseLedger(a.id, a.creditsMicro, settings)
    for (const k of a.keys) l.setKey(key(k))
    return [a.id, l] as const
  }))
  const shards = Array.from({ length: cfg.colos }, (_, i) => new LeaseShard(`colo${i}`, settings, between(5, 250)))
  const epoch = shards.map(() => 0)
  const r: SimResult = {
    requests: 0, byKey: new Map(), admittedLocal: 0, admittedExact: 0, denied: 0, gateRoundTrips: 0, blockingRoundTrips: 0, completed: new Map(),
    ledgers, shards, violations: [], disabledStaleMs: -1, duplicatesResent: 0, refused: 0, expiredLeases: 0, maxColoHeldMicro: 0, settings,
  }
  const check = (what: string) => {
    for (const [id, l] of ledgers) {
      if (l.chargedMicro > l.creditsMicro) r.violations.push(`${what}: ${id} charged ${l.chargedMicro} > credits ${l.creditsMicro}`)
      if (l.availableMicro() < 0) r.violations.push(`${what}: ${id} committed beyond its credits (available ${l.availableMicro()})`)
    }
  }
  const disabledAfter = (account: string, keyHash: string, t: number) => {
    const d = cfg.disable
    if (d && d.account === account && d.keyHash === keyHash && t >= d.at) r.disabledStaleMs = Math.max(r.disabledStaleMs, t - d.at)
  }

  let gen = 0
  const request = (c: number) => {
    const shard = shards[c]!
    const acct = cfg.accounts[between(0, cfg.accounts.length - 1)]!
    const keyHash = acct.keys[between(0, acct.keys.length - 1)]!
    const hold = between(2_000, 40_000)
    const cost = between(0, hold)
    const duration = between(200, 20_000)
    const id = `g${++gen}`
    const ep = epoch[c]!
    r.requests++
    const acc = r.byKey.get(keyHash) ?? { requests: 0, local: 0 }
    r.byKey.set(keyHash, acc)
    acc.requests++
    const local = shard.admit(now, acct.id, keyHash, hold)
    if (local) {
      r.admittedLocal++
      acc.local++
      disabledAfter(acct.id, keyHash, now)
      at(now + duration, () => {
        if (epoch[c] !== ep) return // the isolate died mid-request: nothing was served, nothing is charged
        shard.complete(local.leaseId, id, hold, cost)
        if (cost > 0) r.completed.set(id, { account: acct.id, cost })
      })
      return
    }
    // The exact path: one blocking round trip before the upstream call, the settle afterwards.
    const rtt = shard.rttMs
    r.gateRoundTrips++
    r.blockingRoundTrips++
    at(now + rtt / 2, () => {
      const ledger = ledgers.get(acct.id)!
      const res = ledger.admitExact(now, { generationId: id, keyHash, holdMicro: hold })
      check('admitExact')
      if (!res.ok) { r.denied++; return }
      r.admittedExact++
      disabledAfter(acct.id, keyHash, now)
      at(now + rtt / 2 + duration, () => {
        if (epoch[c] !== ep) return // the hold lapses at the gate
        r.completed.set(id, { account: acct.id, cost })
        r.gateRoundTrips++
        at(now + rtt / 2, () => { ledger.settleExact(id, cost); check('settleExact') })
      })
    })
  }

  const tick = (c: number) => {
    const shard = shards[c]!
    const ep = epoch[c]!
    const out = shard.outbox(now)
    const rtt = shard.rttMs
    r.maxColoHeldMicro = Math.max(r.maxColoHeldMicro, shard.heldMicro())
    if (out.settlements.size > 0) {
      // One message for every account's settlements: batching works across accounts.
      r.gateRoundTrips++
      const batch = [...out.settlements]
      at(now + rtt / 2, () => {
        const acks = batch.map(([account, s]) => ledgers.get(account)!.settle(now, s.entries, s.returnedRequests))
        check('settle')
        if (rand() < cfg.ackLossRate) return
        at(now + rtt / 2, () => { for (const ack of acks) { r.duplicatesResent += ack.duplicates; r.refused += ack.refused.length; shard.onAck(ack) } })
      })
    }
    for (const ask of out.renewals) {
      r.gateRoundTrips++
      at(now + rtt / 2, () => {
        const g = ledgers.get(ask.account)!.grant(now, { shard: shard.name, ...ask })
        check('grant')
        at(now + rtt / 2, () => {
          if (epoch[c] !== ep) return // the reply went to a dead isolate; the lease will expire
          if (g.ok) shard.onGrant(ask.account, g.lease)
          else shard.onRefuse(now, ask.account, ask.keyHash)
        })
      })
    }
  }

  // Arrivals: a base Poisson rate per colo with bursts of ten times the rate.
  for (let c = 0; c < cfg.colos; c++) {
    let t = between(0, 1000)
    const bursts = Array.from({ length: 3 }, () => { const s = between(0, cfg.durationMs); return [s, s + between(1_000, 5_000)] as const })
    while (t < cfg.durationMs) {
      const rate = bursts.some(([s, e]) => t >= s && t < e) ? cfg.baseRate * 10 : cfg.baseRate
      t += Math.max(1, Math.round(-Math.log(1 - rand()) * (1000 / rate)))
      if (t < cfg.durationMs) { const cc = c; at(t, () => request(cc)) }
    }
  }
  const end = cfg.durationMs + settings.admitMs + settings.maxRequestMs + settings.flushGraceMs + 1_000
  for (let t = 0; t <= end; t += 100) for (let c = 0; c < cfg.colos; c++) { const cc = c; at(t + c, () => tick(cc)) }
  for (let i = 0; i < cfg.crashes; i++) {
    const c = between(0, cfg.colos - 1)
    at(between(1_000, cfg.durationMs), () => { epoch[c]!++; shards[c]!.crash() })
  }
  if (cfg.disable) {
    const d = cfg.disable
    at(d.at, () => {
      for (const lease of ledgers.get(d.account)!.setKeyDisabled(d.keyHash, true)) {
        if (!d.push) continue
        const s = shards.find((x) => x.name === lease.shard)!
        at(now + s.rttMs / 2, () => s.onRevoke(lease.id))
      }
    })
  }

  while (queue.length > 0) {
    const e = pop()
    now = e.at
    e.run()
  }
  for (const l of ledgers.values()) { l.expire(now); r.expiredLeases += l.expired }
  return r
}

export type { Lease }
