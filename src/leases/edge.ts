// Credit leases at the edge: this Worker isolate is the lease shard (docs/limits.md#credit-leases).
// Module state, so admission under a lease is in memory with no round trip and no per-colo
// object that would serialize every account of a colo. The account gates are reached only from
// waitUntil: lease requests ahead of need, and the journal of charges at most every settleEveryMs.
import type { KeyRecord } from '../auth/key-cache.ts'
import type { Admission } from '../billing/admission.ts'
import type { Config } from '../config.ts'
import type { Clock } from '../lib/clock.ts'
import { gateFor } from '../objects/clients.ts'
import type { GenerationRecord } from '../storage/record.ts'
import { leaseable, leaseSettings } from './settings.ts'
import { LeaseShard } from './shard.ts'
import type { GrantRefusal } from './wire.ts'

let shard: LeaseShard | undefined
/** The isolate's clock for admitUntil and demand; tests replace it (setEdgeClock). */
let clock: Clock = () => Date.now()
/** Leased generations in flight: their lease and hold. */
const inFlight = new Map<string, { leaseId: string; holdMicro: number }>()
/** Journaled charges' whole records, sent with their charge and dropped once acknowledged. */
const records = new Map<string, GenerationRecord>()
/** The latest key record seen per lease slot: what a lease request tells the gate. */
const keys = new Map<string, KeyRecord>()
let lastPumpAt = -Infinity
let lastSweepAt = -Infinity
/** A request's pump sweeps everything held (shard.outbox) at most this often; the ticker always does. */
const SWEEP_MS = 50
let rttMeasured = false
/** Tickers are numbered; the active one's number (0: none) tells an older one it was replaced. */
let tickerGen = 0
let activeTicker = 0
let tickerStartedAt = 0
const TICK_MS = 250
/** A ticker lives inside one request's waitUntil, which the platform ends 30 s after the response. */
const TICKER_MAX_MS = 20_000
/** A request after this hands the ticker over to itself: the outbox keeps moving while requests come. */
const TICKER_HANDOFF_MS = 5_000
const MAX_SLOTS = 10_000

export const setEdgeClock = (c: Clock) => { clock = c }

/**
 * A lease is for one key under one set of limits: a changed credit limit is a new slot, so leases
 * sized under the old one stop being used as soon as this isolate sees the new key record.
 */
const slotOf = (key: KeyRecord) => `${key.hash}|${key.limitMicro ?? ''}|${key.limitReset ?? ''}`

const shardOf = (config: Config, colo: string | undefined): LeaseShard => {
  if (!shard) {
    // Random values are only available while handling a request, hence lazily here.
    shard = new LeaseShard(`${colo ?? 'local'}:${crypto.randomUUID().slice(0, 8)}`, leaseSettings(config), 50)
    shard.pumpDelayMs = TICK_MS
  }
  return shard
}

export type LeaseAdmission = 'leased' | 'exact' | 'off'

/**
 * Admit in memory against a lease if the key may lease and one has room. 'exact' means this
 * request takes the gate's round trip (and its demand may ask for a lease); 'off' means the
 * request is not one leases serve: Idempotency-Key, free models, rate or concurrency limits.
 */
export const leaseAdmit = (config: Config, key: KeyRecord, a: Admission, colo: string | undefined): LeaseAdmission => {
  if (config.LEASES !== 'on' || a.idempotency || a.free || !leaseable(key, config) || key.disabled || key.accountStatus !== 'active') return 'off'
  const now = clock()
  if (key.expiresAt !== null && key.expiresAt <= now) return 'off'
  const s = shardOf(config, colo)
  const slot = slotOf(key)
  // Bounded like the key cache: the oldest slot goes (a renewal for it is then simply skipped).
  if (keys.size >= MAX_SLOTS && !keys.has(slot)) keys.delete(keys.keys().next().value ?? '')
  keys.set(slot, key)
  const r = s.admit(now, key.accountId, slot, a.holdMicro)
  if (!r) return 'exact'
  inFlight.set(a.generationId, { leaseId: r.leaseId, holdMicro: a.holdMicro })
  return 'leased'
}

const gateKeyOf = (k: KeyRecord) => ({
  hash: k.hash, disabled: k.disabled, expiresAt: k.expiresAt, limitMicro: k.limitMicro, limitReset: k.limitReset,
  requestsPerMinute: k.requestsPerMinute, tokensPerMinute: k.tokensPerMinute, concurrentRequests: k.concurrentRequests,
})

/** How long to leave a key alone after a refusal: a key that may never lease is not asked again for a minute. */
const retryAfter = (reason: GrantRefusal | 'error'): number =>
  reason === 'below_floor' || reason === 'error' || reason === 'rate_limited' ? 1_000 : 60_000

const requestLease = async (env: Env, s: LeaseShard, r: { account: string; keyHash: string; demandMicroPerSec: number; demandRequestsPerSec: number }) => {
  const key = keys.get(r.keyHash)
  if (!key) return s.onRefuse(clock(), r.account, r.keyHash, 1_000)
  const sentAt = clock()
  const started = Date.now()
  try {
    const g = await gateFor(env, r.account).grantLease({
      accountId: r.account, key: gateKeyOf(key), shard: s.name, demandMicroPerSec: r.demandMicroPerSec, demandRequestsPerSec: r.demandRequestsPerSec,
    })
    // The round trip: renewals go out that far ahead of need. The first measurement replaces the guess;
    // after that, the smoothed value or the latest, whichever is longer (asking early costs nothing).
    const rtt = Date.now() - started
    s.rttMs = rttMeasured ? Math.max(rtt, 0.8 * s.rttMs + 0.2 * rtt) : rtt
    rttMeasured = true
    if (!g.ok) {
      if (g.reason !== 'below_floor' && g.reason !== 'exact_only') s.revokeKey(r.account, r.keyHash)
      return s.onRefuse(clock(), r.account, r.keyHash, retryAfter(g.reason))
    }
    // admitUntil on this isolate's clock, from when it asked: never later than the gate's own bound.
    s.onGrant(r.account, {
      id: g.leaseId, shard: s.name, keyHash: r.keyHash, grantedAt: sentAt, grantedMicro: g.grantedMicro, chargedMicro: 0, requests: g.requests,
      admitUntil: sentAt + g.admitMs, expiresAt: sentAt + g.admitMs, state: 'open',
    })
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', message: 'lease request failed', error: String(err) }))
    s.onRefuse(clock(), r.account, r.keyHash, retryAfter('error'))
  }
}

const sendSettlement = async (env: Env, s: LeaseShard, account: string, batch: ReturnType<LeaseShard['outbox']>['settlements'] extends Map<string, infer V> ? V : never) => {
  const entries = batch.entries.map((e) => ({
    leaseId: e.leaseId,
    close: e.close,
    ...(e.shrinkToMicro !== undefined ? { shrinkToMicro: e.shrinkToMicro } : {}),
    charges: e.charges.flatMap((c) => {
      const record = records.get(c.generationId)
      return record ? [{ generationId: c.generationId, costMicro: c.costMicro, record }] : []
    }),
  }))
  try {
    const ack = await gateFor(env, account).settleLeases({ accountId: account, entries })
    s.onAck({ acked: ack.acked, duplicates: ack.duplicates, refused: ack.refused.map((generationId) => ({ generationId, costMicro: 0 })), closed: ack.closed })
    for (const id of ack.revoked) s.onRevoke(id)
    for (const id of [...ack.acked, ...ack.refused]) records.delete(id)
    if (ack.refused.length) console.error(JSON.stringify({ level: 'error', message: 'leased charges refused', account, generations: ack.refused }))
  } catch (err) {
    // Unacknowledged charges stay in the journal and are sent again (shard.ts: after two round trips).
    console.error(JSON.stringify({ level: 'error', message: 'lease settlement failed', error: String(err) }))
  }
}

/** Send what the shard's outbox holds now: lease requests, and with a sweep due settlements and returns. */
const pumpOnce = async (env: Env, sweep = true): Promise<void> => {
  const s = shard
  if (!s) return
  const now = clock()
  lastPumpAt = now
  const out = s.outbox(now, sweep)
  if (sweep) {
    lastSweepAt = now
    s.forgetIdle(now)
    s.dropExpired(now)
  }
  await Promise.all([
    ...out.renewals.map((r) => requestLease(env, s, r)),
    ...[...out.settlements].map(([account, batch]) => sendSettlement(env, s, account, batch)),
  ])
}

/**
 * Keep the outbox moving while the shard holds anything (leases to return, charges to send):
 * one ticker at a time, in the waitUntil of the request that started it.
 */
const ticker = async (env: Env): Promise<void> => {
  const mine = ++tickerGen
  activeTicker = mine
  const started = (tickerStartedAt = Date.now())
  try {
    // A newer ticker (a later request's) takes over: this one ends, so none outlives its request's waitUntil.
    while (shard?.busy() && activeTicker === mine && Date.now() - started < TICKER_MAX_MS) {
      await new Promise((r) => setTimeout(r, Math.min(TICK_MS, shard?.settings.settleEveryMs ?? TICK_MS)))
      if (activeTicker === mine) await pumpOnce(env)
    }
  } finally {
    if (activeTicker === mine) activeTicker = 0
  }
}

/** A ticker runs, and is young enough that it need not be handed to a later request yet. */
const tickerFresh = () => activeTicker !== 0 && Date.now() - tickerStartedAt < TICKER_HANDOFF_MS

/**
 * After an admission, from the request's waitUntil (never on its path): ask for a lease ahead
 * of need, and make sure a ticker will settle and return. An exact admission pumps at once (the
 * first request of a key asks for its first lease); a leased one at most every 10 ms. Either
 * sweeps everything held at most every SWEEP_MS: with many leases held, a sweep per request
 * cost more than the leases saved.
 */
export const leasePump = (env: Env, exact: boolean): Promise<void> => {
  if (!shard) return Promise.resolve()
  const work: Promise<void>[] = []
  const now = clock()
  if (exact || now - lastPumpAt >= 10) work.push(pumpOnce(env, now - lastSweepAt >= SWEEP_MS))
  if (!tickerFresh()) work.push(ticker(env))
  return Promise.all(work).then(() => undefined)
}

/**
 * A leased generation ended: its charge goes into the journal (sent within settleEveryMs by the
 * ticker). Returns null for a generation that was not leased. A zero cost has nothing to charge
 * against the lease; its record goes the exact way (the caller's settle).
 */
export const settleLeased = (env: Env, record: GenerationRecord): Promise<void> | 'exact' | null => {
  const l = inFlight.get(record.id)
  if (!l || !shard) return null
  inFlight.delete(record.id)
  const cost = Math.min(record.costMicro, l.holdMicro)
  try {
    shard.complete(l.leaseId, record.id, l.holdMicro, cost)
  } catch {
    // The lease was forgotten (cannot happen while a request is in flight): the gate takes it late, if the balance has room.
    return gateFor(env, record.accountId).settleLeases({
      accountId: record.accountId, entries: [{ leaseId: l.leaseId, close: false, charges: [{ generationId: record.id, costMicro: cost, record: { ...record, costMicro: cost } }] }],
    }).then(() => undefined)
  }
  if (cost <= 0) return 'exact'
  records.set(record.id, { ...record, costMicro: cost })
  return tickerFresh() ? Promise.resolve() : ticker(env)
}

/** For tests: wait until every leased request has ended and its charge is acknowledged by its gate. */
export const drainLeases = async (env: Env, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (inFlight.size > 0 || (shard?.journal.size ?? 0) > 0) {
    if (Date.now() > deadline) throw new Error(`leased charges still unsettled: ${JSON.stringify(edgeState())}`)
    await pumpOnce(env)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** What this isolate holds, for tests and the operator's view. */
export const edgeState = (accountId?: string) => ({
  name: shard?.name ?? null,
  heldMicro: shard?.heldMicro(accountId) ?? 0,
  inFlight: inFlight.size,
  journaled: records.size,
  rttMs: shard?.rttMs ?? null,
})
