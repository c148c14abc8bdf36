// The account gate's hand-off of settled records to its recorder (recorder.ts). Each settling
// transaction numbers its records as one batch, in the gate's outbox; hand-offs send whole
// batches, in order; the recorder takes each record once, by its id. Settlements arriving
// within GATHER_MS go together; one hand-off runs at a time. What the recorder has is dropped
// from the outbox with the gate's next write (drop()): a restart in between only sends it again.
// An isolate that forwards its settlements itself (billing/forward.ts) confirms them with its
// next settlement of the account (confirm()); the gate's alarm hands on what is never confirmed.
import { configOf } from '../env.ts'
import type { Clock } from '../lib/clock.ts'
import { recorderFor, recorderName } from './clients.ts'
import type { GateSnapshot } from './gate-types.ts'
import type { OutboxLine } from './outbox-store.ts'

const GATHER_MS = 100
/** Records read per hand-off; whole batches only, so one larger batch goes alone. */
const HAND_OFF_LINES = 500

/** An outbox row as read here (a SQL row type: no interfaces, whose keys are closed). */
type Row = { id: string; record: string; hour: number; batch: number }

const metaOf = (sql: SqlStorage, k: string) => sql.exec<{ v: string | number }>('SELECT v FROM meta WHERE k = ?', k).toArray()[0]?.v
const setMeta = (sql: SqlStorage, k: string, v: string | number) => sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', k, v)

export class HandOff {
  /** For the gate's snapshot(): the last hand-off, its size and time (memory only). */
  last: GateSnapshot['lastFlush'] = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<void> | null = null
  /** Settled since the running hand-off read the outbox: it goes round again. */
  private again = false
  /** The last batch number given out; numbers rise and are never reused. */
  private lastBatch = 0
  /** Batches up to this one the recorder has; up to `dropped`, gone from the outbox. Memory only: after a restart, sent again. */
  private handed = 0
  private dropped = 0
  /** The recorder every batch in the outbox goes to; it changes (RECORDERS changed) only once the outbox is empty. */
  private pushTo: string | null = null

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly accountId: () => string | undefined,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** On the gate's start, in its blockConcurrencyWhile: state from meta; an older gate's outbox numbered. */
  load() {
    const maxBatch = () => Number(this.sql.exec<{ n: number | null }>('SELECT MAX(batch) AS n FROM outbox').one().n ?? 0)
    const pushTo = metaOf(this.sql, 'push_to')
    this.pushTo = pushTo === undefined ? null : String(pushTo)
    this.lastBatch = Math.max(Number(metaOf(this.sql, 'last_batch') ?? 0), maxBatch())
    // An older gate's records not yet numbered: one batch.
    if (this.sql.exec('SELECT 1 FROM outbox WHERE batch IS NULL LIMIT 1').toArray().length) {
      this.sql.exec('UPDATE outbox SET batch = ? WHERE batch IS NULL', this.number(this.clock()))
    }
  }

  /**
   * The number for one settling transaction's records: above the last, and at least the clock,
   * so a gate whose storage was lost never reuses one. Inside that transaction.
   */
  number(now: number): number {
    this.lastBatch = Math.max(this.lastBatch + 1, now)
    setMeta(this.sql, 'last_batch', this.lastBatch)
    return this.lastBatch
  }

  /** Inside a write transaction: drop what the recorder has, and once nothing is left, follow RECORDERS. */
  drop() {
    if (this.handed > this.dropped) {
      this.sql.exec('DELETE FROM outbox WHERE batch <= ?', this.handed)
      this.dropped = this.handed
    }
    this.follow()
  }

  /**
   * Inside a write transaction: batches an isolate forwarded and the recorder took
   * (billing/forward.ts) leave the outbox. Emptied so, it holds nothing the recorder lacks.
   */
  confirm(batches: number[]) {
    if (batches.length === 0) return
    this.sql.exec(`DELETE FROM outbox WHERE batch IN (${batches.map(() => '?').join(',')})`, ...batches)
    if (this.dropped < this.lastBatch && this.sql.exec('SELECT 1 FROM outbox LIMIT 1').toArray().length === 0) {
      this.handed = this.dropped = this.lastBatch
      this.follow()
    }
  }

  /** Once the outbox is empty, the next batch goes to the recorder RECORDERS names now. */
  private follow() {
    const accountId = this.accountId()
    if (this.dropped >= this.lastBatch && accountId !== undefined && this.pushTo !== null) {
      const wanted = recorderName(accountId, configOf(this.env).RECORDERS)
      if (wanted !== this.pushTo) {
        this.pushTo = wanted
        setMeta(this.sql, 'push_to', wanted)
      }
    }
  }

  /** Inside a write transaction: the recorder this gate's batches go to, pinned while any is in the outbox. */
  target(accountId: string): string {
    if (this.pushTo === null) {
      this.pushTo = recorderName(accountId, configOf(this.env).RECORDERS)
      setMeta(this.sql, 'push_to', this.pushTo)
    }
    return this.pushTo
  }

  /** Records not yet with the recorder. */
  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE batch > ?', this.handed).one().n
  }

  /** Hand on soon, with whatever else settles meanwhile. */
  soon() {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.run().catch(this.failed)
    }, Math.min(GATHER_MS, configOf(this.env).FLUSH_DELAY_MS))
  }

  /** Everything in the outbox to the recorder; a second caller shares the hand-off under way. */
  run(): Promise<void> {
    this.again = true
    this.running ??= (async () => {
      try {
        while (this.again) {
          this.again = false
          while (await this.handOne());
        }
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  /** Whole batches, oldest first, up to HAND_OFF_LINES records (or one larger batch), to the recorder. Returns whether any went. */
  private async handOne(): Promise<boolean> {
    const accountId = this.accountId()
    if (accountId === undefined) return false
    let rows = this.sql.exec<Row>(
      'SELECT id, record, hour, batch FROM outbox WHERE batch > ? ORDER BY batch, created_at LIMIT ?', this.handed, HAND_OFF_LINES,
    ).toArray()
    if (rows.length === 0) return false
    if (rows.length === HAND_OFF_LINES) {
      // The last batch read may be cut short: leave it for the next round, unless it is the only one.
      const lastBatch = rows[rows.length - 1]!.batch
      const whole = rows.filter((r) => r.batch !== lastBatch)
      rows = whole.length ? whole : this.sql.exec<Row>(
        'SELECT id, record, hour, batch FROM outbox WHERE batch = ? ORDER BY created_at', lastBatch).toArray()
    }
    const batches = new Map<number, OutboxLine[]>()
    for (const { id, record, hour, batch } of rows) {
      const lines = batches.get(batch) ?? []
      lines.push({ id, record, hour })
      batches.set(batch, lines)
    }
    // Some may be there already (forwarded by an isolate; written to D1 by an older gate): the recorder takes each record once.
    const pushTo = this.target(accountId)
    const started = performance.now()
    await recorderFor(this.env, pushTo).acceptMany(pushTo, [{ accountId, batches: [...batches].map(([batch, lines]) => ({ batch, lines })) }])
    this.handed = Math.max(this.handed, ...batches.keys())
    this.last = { at: this.clock(), rows: rows.length, ms: performance.now() - started }
    return true
  }
}
