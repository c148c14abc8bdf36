// A recorder: writes settled generations from many accounts to D1 and R2 in shared batches.
// Account gates hand it their settled records (the charge is already made and durable in the
// gate); it keeps them in its own outbox and, FLUSH_DELAY_MS after the first, writes up to
// 100 of them as one R2 object and one D1 transaction. Spread over many accounts, each gate
// settles a record now and then: written by its own gate, each would be a D1 transaction and
// an R2 object of its own. Exactly once at both steps (docs/invariants.md, I2):
//   gate → recorder: a gate's batches are numbered upward and a repeat keeps its number, so
//     the recorder takes each account's batch once (`accepted`), whatever the gate resends;
//   recorder → D1: as the gate's flush was (storage/flush.ts), by this recorder's own numbers.
import { DurableObject } from 'cloudflare:workers'
import { configOf } from '../env.ts'
import { systemClock, type Clock } from '../lib/clock.ts'
import { internNames } from '../db/queries/names.ts'
import { writeBatch } from '../storage/flush.ts'
import { namesOf, type GenerationRecord, type NameRef } from '../storage/record.ts'
import { cacheNames, cachedNames, dropBatch, NAMES_SCHEMA, OUTBOX_SCHEMA, outboxCount, takeBatch, type OutboxLine } from './outbox-store.ts'

/** Generations per batch: one R2 object and one D1 transaction (a statement per row and per rollup). */
export const RECORD_BATCH = 100
/** Batches written per alarm before it yields (and wakes again at once). */
const BATCHES_PER_ALARM = 20
const RETRY_MS = 10_000
/** How long a quiet account's last accepted batch number is kept: far beyond any resend (a gate retries within seconds). */
const ACCEPTED_KEEP_MS = 7 * 86_400_000

const SCHEMA = `${OUTBOX_SCHEMA}${NAMES_SCHEMA}
  CREATE TABLE IF NOT EXISTS accepted (account_id TEXT PRIMARY KEY, batch INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS accepted_at ON accepted (at);
`

/** A gate's batches of settled records, as it hands them over. */
export interface RecordBatches {
  /** This recorder's name (recorderName), which it writes under. */
  recorder: string
  accountId: string
  /** Oldest first, each under the gate's number for it: rising, and kept by a resend. */
  batches: { batch: number; lines: OutboxLine[] }[]
}

/** Accounts whose last accepted number is kept in memory too (the table is the truth). */
const ACCEPTED_CACHED = 50_000

export interface RecorderSnapshot {
  unflushed: number
  lastFlush: { at: number; rows: number; ms: number } | null
}

export class Recorder extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private alarmAt: number | null = null
  private lastFlush: RecorderSnapshot['lastFlush'] = null
  /** Tests replace it (runInDurableObject), as the gate's. */
  clock: Clock = systemClock
  /** How long after the first record a write starts (FLUSH_DELAY_MS); tests lengthen it to hold writes while they arrange a crash. */
  delayMs: number
  private name: string | null = null
  /** The `accepted` table's numbers, as read or written by this instance. */
  private readonly acceptedOf = new Map<string, number>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.delayMs = configOf(env).FLUSH_DELAY_MS
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA)
      const name = this.sql.exec<{ v: string }>(`SELECT v FROM meta WHERE k = 'name'`).toArray()[0]?.v
      this.name = name ?? null
      this.alarmAt = await ctx.storage.getAlarm()
    })
  }

  /**
   * Take a gate's batches, each once: a number at or below the account's last taken is a repeat
   * (a resend), and changes nothing. Returns how many were new; either way the gate may drop them.
   */
  async accept(input: RecordBatches): Promise<number> {
    const now = this.clock()
    let last = this.acceptedOf.get(input.accountId)
    last ??= this.sql.exec<{ batch: number }>('SELECT batch FROM accepted WHERE account_id = ?', input.accountId).toArray()[0]?.batch ?? 0
    const fresh = input.batches.filter((b) => b.batch > last)
    if (fresh.length === 0) return 0
    const through = Math.max(...fresh.map((b) => b.batch))
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('INSERT OR REPLACE INTO accepted (account_id, batch, at) VALUES (?, ?, ?)', input.accountId, through, now)
      if (this.name !== input.recorder) this.sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('name', ?)`, input.recorder)
      for (const { lines } of fresh) {
        for (const line of lines) {
          this.sql.exec('INSERT OR IGNORE INTO outbox (id, record, hour, created_at) VALUES (?, ?, ?, ?)', line.id, line.record, line.hour, now)
        }
      }
    })
    this.name = input.recorder
    if (this.acceptedOf.size >= ACCEPTED_CACHED) this.acceptedOf.clear()
    this.acceptedOf.set(input.accountId, through)
    this.schedule(now + this.delayMs)
    return fresh.length
  }

  async snapshot(): Promise<RecorderSnapshot> {
    return { unflushed: outboxCount(this.sql), lastFlush: this.lastFlush }
  }

  /** As the gate's: the alarm fires on the wall clock, so the delay carries over. */
  private schedule(at: number) {
    const wallAt = Date.now() + Math.max(at - this.clock(), 0)
    if (this.alarmAt !== null && this.alarmAt <= wallAt) return
    this.alarmAt = wallAt
    void this.ctx.storage.setAlarm(wallAt)
  }

  /** Write one batch out (R2 details, D1 charges and rollups); false when none is waiting. */
  private async flush(): Promise<boolean> {
    const now = this.clock()
    const taken = takeBatch(this.sql, now, RECORD_BATCH)
    if (!taken) return false
    const writer: NameRef = { kind: 'writer', value: this.name as string }
    const records = taken.lines.map((l) => JSON.parse(l.record) as GenerationRecord)
    const refs = [writer, ...records.flatMap(namesOf)]
    const { ids, missing } = cachedNames(this.sql, refs)
    if (missing.length) {
      const learned = await internNames(this.env.DB, missing)
      cacheNames(this.sql, missing, learned)
      for (const [k, v] of learned) ids.set(k, v)
    }
    const started = performance.now()
    await writeBatch(this.env, { writer, batch: taken.batch, at: now }, records, ids)
    dropBatch(this.sql, taken.batch)
    this.lastFlush = { at: now, rows: records.length, ms: performance.now() - started }
    return true
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null
    const now = this.clock()
    if (this.sql.exec('DELETE FROM accepted WHERE at < ?', now - ACCEPTED_KEEP_MS).rowsWritten > 0) this.acceptedOf.clear()
    try {
      for (let i = 0; i < BATCHES_PER_ALARM; i++) if (!(await this.flush())) return
      this.schedule(now) // more are waiting
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', message: 'recorder flush failed', error: String(err) }))
      this.schedule(now + RETRY_MS)
    }
  }
}
