// The account gate's hand-off of settled records to its recorder (recorder.ts): the records
// wait in the gate's outbox, go in numbered batches, and leave the outbox once the recorder
// has them. Settlements arriving within GATHER_MS go together; one hand-off runs at a time.
import { gateBatchWritten } from '../db/queries/flush.ts'
import { configOf } from '../env.ts'
import type { Clock } from '../lib/clock.ts'
import { recorderFor, recorderName } from './clients.ts'
import type { GateSnapshot } from './gate-types.ts'
import { dropBatch, takeBatch } from './outbox-store.ts'
import { RECORD_BATCH } from './recorder.ts'

const GATHER_MS = 100

export class HandOff {
  /** For the gate's snapshot(): the last batch handed on, its size and time (memory only). */
  last: GateSnapshot['lastFlush'] = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<void> | null = null
  /** Settled since the running hand-off took its batch: it goes round again. */
  private again = false

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly accountId: () => string | undefined,
    private readonly failed: (err: unknown) => void,
  ) {}

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
          while (await this.batch());
        }
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  /**
   * One batch to the recorder, then out of the outbox. Exactly once: a batch keeps its number
   * until the recorder has it, goes to the recorder it first went to (RECORDERS may change
   * meanwhile), and the recorder takes each number once. Returns whether one went.
   */
  private async batch(): Promise<boolean> {
    const accountId = this.accountId()
    const taken = accountId === undefined ? null : takeBatch(this.sql, this.clock(), RECORD_BATCH)
    if (!taken || accountId === undefined) return false
    const meta = (k: string) => this.sql.exec<{ v: string | number }>('SELECT v FROM meta WHERE k = ?', k).toArray()[0]?.v
    let recorder = meta('push_batch') === taken.batch ? String(meta('push_to')) : null
    // Numbered, yet never handed on: numbered by a gate from before recorders, which wrote its batches to D1
    // itself and may have crashed after D1's commit, before dropping it. Its marker then says so.
    if (recorder === null && !taken.fresh && (await gateBatchWritten(this.env.DB, accountId, taken.batch))) {
      dropBatch(this.sql, taken.batch)
      return true
    }
    if (recorder === null) {
      recorder = recorderName(accountId, configOf(this.env).RECORDERS)
      this.sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('push_batch', ?), ('push_to', ?)`, taken.batch, recorder)
    }
    const started = performance.now()
    await recorderFor(this.env, recorder).accept({ recorder, accountId, batch: taken.batch, lines: taken.lines })
    dropBatch(this.sql, taken.batch)
    this.last = { at: this.clock(), rows: taken.lines.length, ms: performance.now() - started }
    return true
  }
}
