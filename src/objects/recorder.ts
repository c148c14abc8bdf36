// A recorder: writes settled generations from many accounts to D1 and R2 in shared batches.
// Records reach it two ways: the isolate that settled them forwards them, many accounts in one
// call (billing/forward.ts), and each account gate hands on whatever stays in its outbox (a
// forward that never came or was never confirmed). It keeps them in its own outbox and,
// FLUSH_DELAY_MS after the first, writes up to 100 of them as one R2 object and one D1
// transaction. Exactly once at both steps (docs/invariants.md, I2):
//   into the recorder: a record may come twice (forwarded, then handed on by its gate); it is
//     taken once by its generation id: the outbox's key while it waits, D1's rows once written;
//   recorder → D1: as the gate's flush was (storage/flush.ts), by this recorder's own numbers.
import { DurableObject } from 'cloudflare:workers'
import { configOf } from '../env.ts'
import { systemClock, type Clock } from '../lib/clock.ts'
import { internNames } from '../db/queries/names.ts'
import { generationsWritten } from '../db/queries/flush.ts'
import { writeBatch } from '../storage/flush.ts'
import { namesOf, type GenerationRecord, type NameRef } from '../storage/record.ts'
import { cacheNames, cachedNames, dropBatch, NAMES_SCHEMA, OUTBOX_SCHEMA, outboxCount, takeBatch, type OutboxLine } from './outbox-store.ts'

/** Generations per batch: one R2 object and one D1 transaction (a statement per row and per rollup). */
export const RECORD_BATCH = 100
/** Batches written per alarm before it yields (and wakes again at once). */
const BATCHES_PER_ALARM = 20
const RETRY_MS = 10_000

// Before records were taken by id, the recorder kept each account's last batch number.
const SCHEMA = `${OUTBOX_SCHEMA}${NAMES_SCHEMA}
  DROP TABLE IF EXISTS accepted;
`

/** One account's settled records, in its gate's numbered batches. */
export interface AccountBatches {
  accountId: string
  batches: { batch: number; lines: OutboxLine[] }[]
}

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
   * Take settled records of one account or many, in one transaction, under this recorder's
   * name (`recorder`, which it writes under). A record already waiting here is skipped (INSERT
   * OR IGNORE on its id); one already written is dropped when its batch is written (flush).
   */
  async acceptMany(recorder: string, items: AccountBatches[]): Promise<void> {
    const now = this.clock()
    let fresh = false
    this.ctx.storage.transactionSync(() => {
      if (this.name !== recorder) this.sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('name', ?)`, recorder)
      for (const { batches } of items) {
        for (const { lines } of batches) {
          for (const line of lines) {
            const written = this.sql.exec('INSERT OR IGNORE INTO outbox (id, record, hour, created_at) VALUES (?, ?, ?, ?)', line.id, line.record, line.hour, now).rowsWritten
            fresh ||= written > 0
          }
        }
      }
    })
    this.name = recorder
    if (fresh) this.schedule(now + this.delayMs)
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
    // A record that came twice (forwarded, then handed on by its gate) after its first write.
    const written = await generationsWritten(this.env.DB, taken.lines.map((l) => l.id))
    const records = taken.lines.filter((l) => !written.has(l.id)).map((l) => JSON.parse(l.record) as GenerationRecord)
    if (records.length === 0) {
      dropBatch(this.sql, taken.batch)
      return true
    }
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
    try {
      for (let i = 0; i < BATCHES_PER_ALARM; i++) if (!(await this.flush())) return
      this.schedule(now) // more are waiting
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', message: 'recorder flush failed', error: String(err) }))
      this.schedule(now + RETRY_MS)
    }
  }
}
