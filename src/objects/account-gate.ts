// The account gate: one Durable Object per account. It holds the live balance and
// open holds, admits requests against them, settles each generation exactly once,
// and flushes settled records to D1 in batches by alarm (no D1 write on the hot path).
// Serialized per account, so I1 (no overspend) needs no locks; every state change is
// synchronous SQLite inside one event, so it is atomic (DESIGN.md I1, I2, I4).
import { DurableObject } from 'cloudflare:workers'
import { configOf } from '../env.ts'
import { createDb } from '../db/client.ts'
import { insertLedgerRows, ledgerBalance } from '../db/queries/ledger.ts'
import type { CreditEventRow, GenerationRow } from '../db/schema.ts'

export interface AdmitInput {
  accountId: string
  keyHash: string
  generationId: string
  /** Worst-case cost of the plan, reserved until settle or release. */
  holdMicro: number
}

export type DenyReason = 'insufficient_credits' | 'negative_balance' | 'suspended' | 'unknown_account'

export type AdmitResult =
  | { ok: true; balanceMicro: number; availableMicro: number }
  | { ok: false; reason: DenyReason; balanceMicro: number; availableMicro: number }

export interface SettleInput {
  accountId: string
  generationId: string
  /** The generation's metadata (never content), its `costMicro` the actual charge. */
  record: GenerationRow
}

export interface CreditInput {
  accountId: string
  event: CreditEventRow
}

export interface GateSnapshot {
  accountId: string | null
  balanceMicro: number
  heldMicro: number
  openHolds: number
  unflushed: number
}

/** Flushed generations are kept this long, so a repeated settle of the same id is still recognised. */
const KEEP_FLUSHED_MS = 24 * 60 * 60 * 1000
const FLUSH_BATCH = 50
const FLUSH_RETRY_MS = 10_000

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v);
  CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, amount INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS generations (id TEXT PRIMARY KEY, cost INTEGER NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS credits (id TEXT PRIMARY KEY, amount INTEGER NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS generations_unflushed ON generations (flushed, created_at);
  CREATE INDEX IF NOT EXISTS credits_unflushed ON credits (flushed, created_at);
`

interface State {
  accountId: string
  status: 'active' | 'suspended' | 'unknown'
  balance: number
}

export class AccountGate extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private state: State | undefined
  private alarmAt: number | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA)
      this.state = this.loadState()
      this.alarmAt = await ctx.storage.getAlarm()
    })
  }

  private loadState(): State | undefined {
    const rows = this.sql.exec<{ k: string; v: string | number }>('SELECT k, v FROM meta').toArray()
    const meta = new Map(rows.map((r) => [r.k, r.v]))
    if (!meta.has('account_id')) return undefined
    return {
      accountId: String(meta.get('account_id')),
      status: meta.get('status') as State['status'],
      balance: Number(meta.get('balance')),
    }
  }

  private saveState(state: State) {
    this.sql.exec(
      `INSERT OR REPLACE INTO meta (k, v) VALUES ('account_id', ?), ('status', ?), ('balance', ?)`,
      state.accountId, state.status, state.balance,
    )
    this.state = state
  }

  /** First contact: the balance is the D1 ledger's (credits written before the gate existed). Later the gate is authoritative. */
  private async ensure(accountId: string): Promise<State> {
    if (this.state) return this.state
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.state) return
      const ledger = await ledgerBalance(createDb(this.env.DB), accountId)
      this.saveState({ accountId, status: ledger?.status ?? 'unknown', balance: ledger?.balanceMicro ?? 0 })
    })
    return this.state as unknown as State
  }

  private heldMicro(): number {
    return Number(this.sql.exec<{ held: number }>('SELECT COALESCE(SUM(amount), 0) AS held FROM holds').one().held)
  }

  private schedule(at: number) {
    if (this.alarmAt !== null && this.alarmAt <= at) return
    this.alarmAt = at
    void this.ctx.storage.setAlarm(at)
  }

  async admit(input: AdmitInput): Promise<AdmitResult> {
    const state = await this.ensure(input.accountId)
    const now = Date.now()
    const available = state.balance - this.heldMicro()
    const deny = (reason: DenyReason): AdmitResult => ({ ok: false, reason, balanceMicro: state.balance, availableMicro: available })
    if (state.status === 'unknown') return deny('unknown_account')
    if (state.status === 'suspended') return deny('suspended')
    // A negative balance refuses everything, free models included (COMPAT.md §6.3).
    if (state.balance < 0) return deny('negative_balance')
    if (input.holdMicro > available) return deny('insufficient_credits')
    const expiresAt = now + configOf(this.env).HOLD_TTL_SECONDS * 1000
    this.sql.exec(
      'INSERT OR REPLACE INTO holds (id, key_hash, amount, expires_at) VALUES (?, ?, ?, ?)',
      input.generationId, input.keyHash, input.holdMicro, expiresAt,
    )
    this.schedule(expiresAt)
    return { ok: true, balanceMicro: state.balance, availableMicro: available - input.holdMicro }
  }

  /** Replace the hold with the actual charge and record the generation. Exactly once per generation id (I2). */
  async settle(input: SettleInput): Promise<{ charged: boolean; balanceMicro: number }> {
    const state = await this.ensure(input.accountId)
    const seen = this.sql.exec('SELECT 1 FROM generations WHERE id = ?', input.generationId).toArray().length > 0
    if (seen) return { charged: false, balanceMicro: state.balance }
    const now = Date.now()
    const cost = input.record.costMicro
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        'INSERT INTO generations (id, cost, record, created_at) VALUES (?, ?, ?, ?)',
        input.generationId, cost, JSON.stringify(input.record), now,
      )
      this.sql.exec('DELETE FROM holds WHERE id = ?', input.generationId)
      this.saveState({ ...state, balance: state.balance - cost })
    })
    this.schedule(now + configOf(this.env).FLUSH_DELAY_MS)
    return { charged: true, balanceMicro: state.balance - cost }
  }

  /** Drop a hold without charging (the request failed before any upstream work was billed). */
  async release(generationId: string): Promise<void> {
    this.sql.exec('DELETE FROM holds WHERE id = ?', generationId)
  }

  /** Add (or, negative, remove) credit. Exactly once per event id (I3). */
  async credit(input: CreditInput): Promise<{ credited: boolean; balanceMicro: number }> {
    const state = await this.ensure(input.accountId)
    const seen = this.sql.exec('SELECT 1 FROM credits WHERE id = ?', input.event.id).toArray().length > 0
    if (seen) return { credited: false, balanceMicro: state.balance }
    const now = Date.now()
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        'INSERT INTO credits (id, amount, record, created_at) VALUES (?, ?, ?, ?)',
        input.event.id, input.event.amountMicro, JSON.stringify(input.event), now,
      )
      this.saveState({ ...state, balance: state.balance + input.event.amountMicro })
    })
    this.schedule(now + configOf(this.env).FLUSH_DELAY_MS)
    return { credited: true, balanceMicro: state.balance + input.event.amountMicro }
  }

  async snapshot(): Promise<GateSnapshot> {
    const unflushed = this.sql.exec<{ n: number }>(
      'SELECT (SELECT COUNT(*) FROM generations WHERE flushed = 0) + (SELECT COUNT(*) FROM credits WHERE flushed = 0) AS n',
    ).one().n
    return {
      accountId: this.state?.accountId ?? null,
      balanceMicro: this.state?.balance ?? 0,
      heldMicro: this.heldMicro(),
      openHolds: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM holds').one().n,
      unflushed: Number(unflushed),
    }
  }

  /** Write unflushed records to D1. Idempotent: D1 ignores ids it already has, so a crash mid-flush only repeats work. */
  private async flush(): Promise<boolean> {
    const gens = this.sql.exec<{ id: string; record: string }>(
      'SELECT id, record FROM generations WHERE flushed = 0 ORDER BY created_at LIMIT ?', FLUSH_BATCH,
    ).toArray()
    const credits = this.sql.exec<{ id: string; record: string }>(
      'SELECT id, record FROM credits WHERE flushed = 0 ORDER BY created_at LIMIT ?', FLUSH_BATCH,
    ).toArray()
    if (gens.length === 0 && credits.length === 0) return false
    await insertLedgerRows(createDb(this.env.DB), {
      generations: gens.map((g) => JSON.parse(g.record) as GenerationRow),
      credits: credits.map((c) => JSON.parse(c.record) as CreditEventRow),
    })
    const mark = (table: 'generations' | 'credits', ids: string[]) => {
      if (ids.length) this.sql.exec(`UPDATE ${table} SET flushed = 1 WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids)
    }
    mark('generations', gens.map((g) => g.id))
    mark('credits', credits.map((c) => c.id))
    return gens.length === FLUSH_BATCH || credits.length === FLUSH_BATCH
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null
    const now = Date.now()
    this.sql.exec('DELETE FROM holds WHERE expires_at <= ?', now)
    this.sql.exec('DELETE FROM generations WHERE flushed = 1 AND created_at < ?', now - KEEP_FLUSHED_MS)
    let next: number | null = null
    try {
      if (await this.flush()) next = now // a full batch: more are waiting
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', message: 'account gate flush failed', error: String(err) }))
      next = now + FLUSH_RETRY_MS
    }
    if (next !== null) this.schedule(next)
    const nextHold = this.sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM holds').one().at
    if (nextHold !== null) this.schedule(nextHold)
  }
}
