// The account gate: one Durable Object per account. It holds the live balance, open
// holds, per-key spend and rate windows; it admits requests against them, settles
// each generation exactly once, and hands settled records to its recorder (recorder.ts),
// which writes them to D1 and R2 with other accounts' (no D1 write on the hot path). Serialized per account, so I1 (no overspend)
// needs no locks; every state change is synchronous SQLite inside one event, so it
// is atomic (I1, I2, I4 in docs/invariants.md). Its RPC types are in gate-types.ts.
import { DurableObject } from 'cloudflare:workers'
import { checkRateLimits } from '../billing/limits.ts'
import { PERIOD_OF, periodEnd, periodStart } from '../billing/periods.ts'
import { configOf } from '../env.ts'
import { systemClock, type Clock } from '../lib/clock.ts'
import { createDb } from '../db/client.ts'
import { insertCredits, ledgerSnapshot } from '../db/queries/ledger.ts'
import type { CreditEventRow } from '../db/schema.ts'
import { HandOff } from './hand-off.ts'
import type { AdmitInput, AdmitResult, CreditInput, Denial, GateKey, GateSnapshot, KeyUsage, Replay, SettleInput, SettleResult } from './gate-types.ts'
import { leaseable, leaseSettings } from '../leases/settings.ts'
import { leaseExpiry, sizeGrant } from '../leases/sizing.ts'
import type { GrantLeaseInput, GrantLeaseResult, GrantRefusal, LeaseSettleAck, LeaseSettleInput, LeaseSnapshot } from '../leases/wire.ts'
import {
  anyLease, applyLeaseSettlement, expireLeases, insertLease, LEASE_SCHEMA, leaseCounts, leasedMicro, nextLeaseWake, pruneLeases, revokeLeases,
} from './lease-store.ts'
import {
  addKeyUsage, enqueue, exists, freeToday, heldMicro, keyUsage, loadState, migrateGenerations, openHolds, PERIODS, saveState, SCHEMA, unflushedCredits,
  windowCounts, type GateState,
} from './gate-store.ts'

/**
 * A settled generation's id is remembered this long (its record only until it is flushed),
 * so a repeated settle is recognised. Settlement is sent once, from the request's own
 * waitUntil; a repeat can only be a retry of that call, within seconds of it. An hour of ids
 * at 100 req/s is about 36 MB (docs/storage.md), where 24 h of whole records were 9.5 GB.
 */
export const SETTLED_KEEP_MS = 60 * 60 * 1000
/** Admissions are kept two days: the free daily quota and the minute windows read them. */
const KEEP_REQUESTS_MS = 2 * 24 * 60 * 60 * 1000
const FLUSH_BATCH = 50
const FLUSH_RETRY_MS = 10_000
/** The alarm hands over whatever a hand-off left (the object was evicted, the recorder failed) this long after a settlement. */
const PUSH_BACKSTOP_MS = 30_000

export class AccountGate extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private state: GateState | undefined
  private alarmAt: number | null = null
  /** Duplicates of an in-flight Idempotency-Key wait here for its result. */
  private readonly waiters = new Map<string, (() => void)[]>()
  /** Whether the idempotency table may hold rows, so settlements without a key skip it. */
  private hasIdempotency = true
  /** Whether any lease may be open, so accounts that never lease skip the lease sums. */
  private hasLeases = true
  /** Settled records to the recorder (hand-off.ts). */
  private readonly handOff: HandOff
  /**
   * The one clock behind every decision here: admission, windows, periods, holds, pruning.
   * Tests replace it (through runInDurableObject) to move time; one clock means the alarm
   * can never prune what admit, on another clock, still counts.
   */
  clock: Clock = systemClock

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.handOff = new HandOff(this.sql, env, () => this.clock(), () => this.state?.accountId, (err) => {
      console.error(JSON.stringify({ level: 'error', message: 'account gate hand-off failed', error: String(err) }))
      this.schedule(this.clock() + FLUSH_RETRY_MS)
    })
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA)
      this.sql.exec(LEASE_SCHEMA)
      migrateGenerations(this.sql)
      this.handOff.load()
      this.state = loadState(this.sql)
      this.alarmAt = await ctx.storage.getAlarm()
      this.hasIdempotency = this.sql.exec('SELECT 1 FROM idempotency LIMIT 1').toArray().length > 0
      this.hasLeases = anyLease(this.sql)
    })
  }

  private save(state: GateState) {
    saveState(this.sql, state)
    this.state = state
  }

  /** First contact: balance and key spend come from the D1 ledger (credits written before the gate existed). Later the gate is authoritative. */
  private async ensure(accountId: string): Promise<GateState> {
    if (!this.state) {
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.state) return
        const now = this.clock()
        const ledger = await ledgerSnapshot(createDb(this.env.DB), accountId, now)
        for (const k of ledger?.keys ?? []) {
          const put = (period: string, start: number, usage: number) =>
            this.sql.exec('INSERT OR REPLACE INTO key_usage (key_hash, period, start, usage) VALUES (?, ?, ?, ?)', k.keyHash, period, start, usage)
          put('all', 0, k.all)
          for (const period of PERIODS) put(period, periodStart(period, now), k[period])
        }
        this.save({
          accountId,
          status: ledger?.status ?? 'unknown',
          balance: (ledger?.credits ?? 0) - (ledger?.charges ?? 0),
          totalCredits: ledger?.credits ?? 0,
          totalUsage: ledger?.charges ?? 0,
          purchased: ledger?.purchased ?? 0,
        })
      })
    }
    return this.state as GateState
  }

  /**
   * Wake the alarm at `at` on the gate's clock. The runtime fires alarms on its own wall
   * clock, so the delay, not the instant, carries over; in production the two are one.
   */
  private schedule(at: number) {
    const wallAt = Date.now() + Math.max(at - this.clock(), 0)
    if (this.alarmAt !== null && this.alarmAt <= wallAt) return
    this.alarmAt = wallAt
    void this.ctx.storage.setAlarm(wallAt)
  }

  private freeDailyLimit(state: GateState): number {
    const c = configOf(this.env)
    return state.purchased >= c.FREE_PURCHASE_THRESHOLD_MICRO ? c.FREE_REQUESTS_PER_DAY_PURCHASED : c.FREE_REQUESTS_PER_DAY
  }

  private keyDisabled(key: GateKey): boolean {
    const row = this.sql.exec<{ disabled: number }>('SELECT disabled FROM key_state WHERE key_hash = ?', key.hash).toArray()[0]
    return row ? row.disabled === 1 : key.disabled
  }

  /** Room left under a key's credit limit this period (holds included); null when unlimited. */
  private keyRoom(key: GateKey, now: number): { room: number; usage: number; resetAt: number | null } | null {
    if (key.limitMicro === null) return null
    const period = key.limitReset ? PERIOD_OF[key.limitReset] : 'all'
    const usage = keyUsage(this.sql, key.hash, period, now)
    return {
      room: key.limitMicro - usage - heldMicro(this.sql, now, key.hash) - (this.hasLeases ? leasedMicro(this.sql, key.hash) : 0),
      usage,
      resetAt: period === 'all' ? null : periodEnd(period, now),
    }
  }

  /** Credit reserved by open leases (expired ones go back first); 0 with no lease at all. */
  private leased(now: number): number {
    if (!this.hasLeases) return 0
    expireLeases(this.sql, now)
    return leasedMicro(this.sql)
  }

  async admit(input: AdmitInput): Promise<AdmitResult> {
    const state = await this.ensure(input.accountId)
    const now = this.clock()
    // Leases count like holds: holds and leases together never exceed the balance (I1).
    const accountRoom = state.balance - heldMicro(this.sql, now) - this.leased(now)
    const keyRoom = this.keyRoom(input.key, now)
    const available = Math.min(accountRoom, keyRoom?.room ?? Infinity)
    const deny = (status: Denial['status'], reason: Denial['reason'], extra: Partial<Denial> = {}): Denial =>
      ({ ok: false, status, reason, balanceMicro: state.balance, availableMicro: available, ...extra })

    if (this.keyDisabled(input.key)) return deny(401, 'key_disabled')
    if (input.key.expiresAt !== null && input.key.expiresAt <= now) return deny(401, 'key_expired')
    if (state.status === 'unknown') return deny(401, 'unknown_account')
    if (state.status === 'suspended') return deny(402, 'suspended')
    // A negative balance refuses everything, free models included, as on OpenRouter.
    if (state.balance < 0) return deny(402, 'negative_balance')

    if (input.idempotency) {
      const prior = this.sql.exec<{ body_hash: string; state: string; status: number; content_type: string; body: string }>(
        'SELECT body_hash, state, status, content_type, body FROM idempotency WHERE id = ?', input.idempotency.id,
      ).toArray()[0]
      if (prior && prior.body_hash !== input.idempotency.bodyHash) return deny(422, 'idempotency_mismatch')
      if (prior?.state === 'done') return { ok: false, status: 200, reason: 'idempotency_replay', replay: { status: prior.status, contentType: prior.content_type, body: prior.body } }
      if (prior) return deny(409, 'idempotency_in_flight')
    }

    const c = configOf(this.env)
    const limits = {
      requestsPerMinute: input.key.requestsPerMinute ?? c.DEFAULT_REQUESTS_PER_MINUTE,
      tokensPerMinute: input.key.tokensPerMinute ?? c.DEFAULT_TOKENS_PER_MINUTE,
      concurrentRequests: input.key.concurrentRequests ?? c.DEFAULT_CONCURRENT_REQUESTS,
    }
    const windowed = limits.requestsPerMinute > 0 || limits.tokensPerMinute > 0
    const rate = checkRateLimits(
      { promptTokens: input.promptTokens, free: input.free, now },
      limits,
      { perMinute: c.FREE_REQUESTS_PER_MINUTE, perDay: this.freeDailyLimit(state) },
      windowCounts(this.sql, input.key.hash, now, { window: windowed, inFlight: limits.concurrentRequests > 0, free: input.free }),
    )
    if (rate) return deny(429, 'rate_limited', { rate })

    if (input.holdMicro > accountRoom) return deny(402, 'insufficient_credits')
    if (keyRoom && input.holdMicro > keyRoom.room) {
      return deny(402, 'key_limit', { keyLimit: { limitMicro: input.key.limitMicro ?? 0, usageMicro: keyRoom.usage, resetAt: keyRoom.resetAt } })
    }

    const expiresAt = now + c.HOLD_TTL_SECONDS * 1000
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('INSERT OR REPLACE INTO holds (id, key_hash, amount, expires_at) VALUES (?, ?, ?, ?)', input.generationId, input.key.hash, input.holdMicro, expiresAt)
      // The admission log feeds only the rate windows and free quotas: unlimited paid requests skip it.
      if (windowed || input.free) {
        this.sql.exec('INSERT OR REPLACE INTO requests (id, key_hash, at, tokens, free) VALUES (?, ?, ?, ?, ?)', input.generationId, input.key.hash, now, input.promptTokens, input.free ? 1 : 0)
      }
      if (input.idempotency) {
        this.hasIdempotency = true
        this.sql.exec(
          `INSERT INTO idempotency (id, body_hash, generation_id, state, created_at) VALUES (?, ?, ?, 'pending', ?)`,
          input.idempotency.id, input.idempotency.bodyHash, input.generationId, now,
        )
      }
    })
    // No alarm for the hold's expiry: it stops counting at expiresAt by itself (heldMicro).
    return { ok: true, balanceMicro: state.balance, availableMicro: available - input.holdMicro }
  }

  /** Replace the hold with the actual charge and record the generation. Exactly once per generation id (I2). */
  async settle(input: SettleInput): Promise<SettleResult> {
    const [result] = await this.settleMany([input])
    return result as SettleResult
  }

  /** Several settlements of this account in one round trip (isolates batch them), each exactly once. */
  async settleMany(inputs: SettleInput[]): Promise<SettleResult[]> {
    const { results } = await this.settleAll(inputs, null)
    this.pushSoon(this.clock())
    return results
  }

  /**
   * As settleMany, for an isolate that forwards the settled records to the recorder itself
   * (billing/forward.ts): it gets the batch's number and recorder, and confirms what the recorder
   * took with its next settlement here (`confirmed`). What is never confirmed, the alarm hands on.
   */
  async settleForwarded(inputs: SettleInput[], confirmed: number[]): Promise<{ results: SettleResult[]; batch: number | null; recorder: string }> {
    const { results, batch, recorder } = await this.settleAll(inputs, confirmed)
    if (batch !== null) this.schedule(this.clock() + PUSH_BACKSTOP_MS)
    return { results, batch, recorder: recorder as string }
  }

  /** One transaction for the batch: each settlement is still all-or-nothing, and exactly once by id. */
  private async settleAll(inputs: SettleInput[], confirmed: number[] | null): Promise<{ results: SettleResult[]; batch: number | null; recorder: string | null }> {
    const first = inputs[0]
    if (!first) return { results: [], batch: null, recorder: null }
    let state = await this.ensure(first.accountId)
    const now = this.clock()
    const out = this.ctx.storage.transactionSync(() => {
      this.handOff.drop()
      if (confirmed) this.handOff.confirm(confirmed)
      let batch: number | null = null
      const results = inputs.map((input) => {
        if (exists(this.sql, 'generations', input.generationId)) return { charged: false, balanceMicro: state.balance }
        const { costMicro: cost, keyHash } = input.record
        const tokens = (input.record.tokensPrompt ?? 0) + (input.record.tokensCompletion ?? 0)
        batch ??= this.handOff.number(now)
        enqueue(this.sql, { ...input.record, id: input.generationId }, now, batch)
        this.sql.exec('DELETE FROM holds WHERE id = ?', input.generationId)
        // Tokens-per-minute counts what was actually used once it is known.
        this.sql.exec('UPDATE requests SET tokens = ? WHERE id = ?', tokens, input.generationId)
        if (cost > 0) addKeyUsage(this.sql, keyHash, cost, now)
        const idem = input.idempotent
        if (idem) {
          this.sql.exec(`UPDATE idempotency SET state = 'done', status = ?, content_type = ?, body = ? WHERE id = ?`, idem.status, idem.contentType, idem.body, idem.id)
        } else if (this.hasIdempotency) {
          // A request that did not succeed frees its Idempotency-Key for a retry.
          this.sql.exec(`DELETE FROM idempotency WHERE generation_id = ? AND state = 'pending'`, input.generationId)
        }
        state = { ...state, balance: state.balance - cost, totalUsage: state.totalUsage + cost }
        return { charged: true, balanceMicro: state.balance }
      })
      this.save(state)
      return { results, batch, recorder: confirmed ? this.handOff.target(state.accountId) : null }
    })
    for (const input of inputs) this.wake(input.generationId)
    return out
  }

  /** Duplicates of an Idempotency-Key wait under their first request's generation id. */
  private wake(generationId: string) {
    const waiting = this.waiters.get(generationId)
    if (!waiting) return
    this.waiters.delete(generationId)
    for (const resolve of waiting) resolve()
  }

  /** A duplicate of an in-flight Idempotency-Key waits for the first request's result (or its failure). */
  async awaitIdempotent(id: string, timeoutMs: number): Promise<Replay['replay'] | null> {
    const read = () => this.sql.exec<{ state: string; status: number; content_type: string; body: string; generation_id: string }>(
      'SELECT state, status, content_type, body, generation_id FROM idempotency WHERE id = ?', id,
    ).toArray()[0]
    let row = read()
    if (row?.state === 'pending') {
      const key = row.generation_id
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.waiters.set(key, [...(this.waiters.get(key) ?? []), () => (clearTimeout(timer), resolve())])
      })
      row = read()
    }
    return row?.state === 'done' ? { status: row.status, contentType: row.content_type, body: row.body } : null
  }

  /** Drop a hold without charging or recording anything. */
  async release(generationId: string): Promise<void> {
    this.sql.exec('DELETE FROM holds WHERE id = ?', generationId)
    this.sql.exec(`DELETE FROM idempotency WHERE generation_id = ? AND state = 'pending'`, generationId)
    this.wake(generationId)
  }

  /**
   * A credit lease for one key at one isolate (docs/limits.md#credit-leases), sized from the
   * isolate's recent demand, or a refusal that keeps the key on the exact path.
   */
  async grantLease(input: GrantLeaseInput): Promise<GrantLeaseResult> {
    const state = await this.ensure(input.accountId)
    const now = this.clock()
    const c = configOf(this.env)
    const refusal: GrantRefusal | null = this.keyDisabled(input.key) ? 'key_disabled'
      : input.key.expiresAt !== null && input.key.expiresAt <= now ? 'key_expired'
      : state.status === 'unknown' ? 'unknown_account' : state.status === 'suspended' ? 'suspended'
      : state.balance < 0 ? 'negative_balance' : !leaseable(input.key, c) ? 'exact_only' : null
    if (refusal) return { ok: false, reason: refusal }
    const s = leaseSettings(c)
    const [held, leased] = [heldMicro(this.sql, now), this.leased(now)]
    const micro = sizeGrant({
      demandMicroPerSec: input.demandMicroPerSec, availableMicro: state.balance - held - leased, unheldMicro: state.balance - held,
      leasedMicro: leased, keyRoomMicro: this.keyRoom(input.key, now)?.room ?? null,
    }, s)
    if (micro === 0) return { ok: false, reason: 'below_floor' }
    const id = `${input.shard}/${crypto.randomUUID()}`
    const { expiresAt } = leaseExpiry(now, s)
    insertLease(this.sql, { id, shard: input.shard, key_hash: input.key.hash, granted_at: now, granted: micro, expires_at: expiresAt })
    this.hasLeases = true
    this.schedule(expiresAt)
    return { ok: true, leaseId: id, grantedMicro: micro, requests: null, admitMs: s.admitMs }
  }

  /** An isolate's leased charges, shrinks and returns in one transaction (lease-store.ts: exactly once, never an overspend). */
  async settleLeases(input: LeaseSettleInput): Promise<LeaseSettleAck> {
    let state = await this.ensure(input.accountId)
    const now = this.clock()
    const ack = this.ctx.storage.transactionSync(() => {
      expireLeases(this.sql, now)
      this.handOff.drop()
      let batch: number | undefined
      const applied = applyLeaseSettlement(this.sql, state.balance, input, now, () => (batch ??= this.handOff.number(now)))
      state = { ...state, balance: state.balance - applied.chargedMicro, totalUsage: state.totalUsage + applied.chargedMicro }
      this.save(state)
      return applied.ack
    })
    if (ack.acked.length > ack.duplicates) this.pushSoon(now)
    return ack
  }

  /** Stop a key's (or the account's) leases: a changed limit, a disable. Requests already admitted still settle. */
  async revokeLeases(accountId: string, keyHash?: string): Promise<number> {
    await this.ensure(accountId)
    return revokeLeases(this.sql, keyHash)
  }

  async leaseSnapshot(): Promise<LeaseSnapshot> {
    this.leased(this.clock())
    return leaseCounts(this.sql)
  }

  /** Add (or, negative, remove) credit. Exactly once per event id (I3). */
  async credit(input: CreditInput): Promise<{ credited: boolean; balanceMicro: number }> {
    const state = await this.ensure(input.accountId)
    if (exists(this.sql, 'credits', input.event.id)) return { credited: false, balanceMicro: state.balance }
    const now = this.clock()
    const amount = input.event.amountMicro
    const next = {
      ...state,
      balance: state.balance + amount,
      totalCredits: state.totalCredits + amount,
      purchased: state.purchased + (input.event.kind === 'topup' && amount > 0 ? amount : 0),
    }
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('INSERT INTO credits (id, amount, kind, record, created_at) VALUES (?, ?, ?, ?, ?)', input.event.id, amount, input.event.kind, JSON.stringify(input.event), now)
      this.save(next)
    })
    this.schedule(now + configOf(this.env).FLUSH_DELAY_MS)
    return { credited: true, balanceMicro: next.balance }
  }

  /** The keys API pushes disable/enable here, so the gate refuses a key at once (no cache delay). */
  async setKeyDisabled(accountId: string, keyHash: string, disabled: boolean): Promise<void> {
    await this.ensure(accountId)
    this.sql.exec('INSERT OR REPLACE INTO key_state (key_hash, disabled, updated_at) VALUES (?, ?, ?)', keyHash, disabled ? 1 : 0, this.clock())
    if (disabled) revokeLeases(this.sql, keyHash)
  }

  /** Suspend (e.g. a payment dispute) or reactivate the account. */
  async setStatus(accountId: string, status: 'active' | 'suspended'): Promise<void> {
    const state = await this.ensure(accountId)
    this.save({ ...state, status })
    if (status === 'suspended') revokeLeases(this.sql)
  }

  async keyUsage(accountId: string, key: Pick<GateKey, 'hash' | 'limitMicro' | 'limitReset'>): Promise<KeyUsage> {
    const state = await this.ensure(accountId)
    const now = this.clock()
    const [day, week, month] = PERIODS.map((p) => keyUsage(this.sql, key.hash, p, now)) as [number, number, number]
    const limit = this.freeDailyLimit(state)
    const used = freeToday(this.sql, now)
    const room = this.keyRoom({ ...key, disabled: false, expiresAt: null, requestsPerMinute: null, tokensPerMinute: null, concurrentRequests: null }, now)
    return {
      usageMicro: keyUsage(this.sql, key.hash, 'all', now),
      dailyMicro: day,
      weeklyMicro: week,
      monthlyMicro: month,
      limitRemainingMicro: room ? Math.max(room.room, 0) : null,
      free: { limit, used, remaining: Math.max(limit - used, 0) },
      freeTier: state.purchased === 0,
    }
  }

  /** keyUsage of many keys in one round trip: the keys API renders a page of keys at once. */
  async keysUsage(accountId: string, keys: Pick<GateKey, 'hash' | 'limitMicro' | 'limitReset'>[]): Promise<KeyUsage[]> {
    const out: KeyUsage[] = []
    for (const key of keys) out.push(await this.keyUsage(accountId, key))
    return out
  }

  async snapshot(accountId?: string): Promise<GateSnapshot> {
    const state = accountId ? await this.ensure(accountId) : this.state
    const now = this.clock()
    return {
      accountId: state?.accountId ?? null,
      balanceMicro: state?.balance ?? 0,
      totalCreditsMicro: state?.totalCredits ?? 0,
      totalUsageMicro: state?.totalUsage ?? 0,
      purchasedMicro: state?.purchased ?? 0,
      heldMicro: heldMicro(this.sql, now),
      openHolds: openHolds(this.sql, now),
      unflushed: this.handOff.pending() + unflushedCredits(this.sql),
      lastFlush: this.handOff.last,
    }
  }

  /** Hand settled records to the recorder soon; the alarm is the backstop, for a hand-off this object did not live to finish. */
  private pushSoon(now: number) {
    this.schedule(now + PUSH_BACKSTOP_MS)
    this.handOff.soon()
  }

  /** Unflushed credits to D1 (unique by id there: a repeat is ignored); returns whether more are waiting. */
  private async flushCredits(): Promise<boolean> {
    const credits = this.sql.exec<{ id: string; record: string }>('SELECT id, record FROM credits WHERE flushed = 0 ORDER BY created_at LIMIT ?', FLUSH_BATCH).toArray()
    if (credits.length) {
      await insertCredits(this.env.DB, credits.map((c) => JSON.parse(c.record) as CreditEventRow))
      const ids = credits.map((c) => c.id)
      this.sql.exec(`UPDATE credits SET flushed = 1 WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids)
    }
    return credits.length === FLUSH_BATCH
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null
    const now = this.clock()
    const idempotencyTtl = configOf(this.env).IDEMPOTENCY_TTL_SECONDS * 1000
    this.sql.exec('DELETE FROM holds WHERE expires_at <= ?', now)
    this.sql.exec('DELETE FROM settled WHERE at < ?', now - SETTLED_KEEP_MS)
    // Minute windows need a minute of paid admissions; the free daily quota needs today's free ones.
    this.sql.exec('DELETE FROM requests WHERE (free = 0 AND at < ?) OR at < ?', now - 2 * 60_000, now - KEEP_REQUESTS_MS)
    this.sql.exec('DELETE FROM idempotency WHERE created_at < ?', now - idempotencyTtl)
    expireLeases(this.sql, now)
    pruneLeases(this.sql, now)
    this.hasLeases = anyLease(this.sql)
    let next: number | null = null
    try {
      await this.handOff.run()
      this.handOff.drop()
      if (await this.flushCredits()) next = now // a full batch: more are waiting
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', message: 'account gate hand-off or credit flush failed', error: String(err) }))
      next = now + FLUSH_RETRY_MS
    }
    if (next !== null) this.schedule(next)
    // Housekeeping keeps running while there is anything to expire.
    const oldest = this.sql.exec<{ at: number | null }>('SELECT MIN(created_at) AS at FROM idempotency').one().at
    if (oldest !== null) this.schedule(oldest + idempotencyTtl)
    const oldestSettled = this.sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM settled').one().at
    if (oldestSettled !== null) this.schedule(oldestSettled + SETTLED_KEEP_MS)
    const leaseWake = nextLeaseWake(this.sql)
    if (leaseWake !== null) this.schedule(leaseWake)
  }
}
