// An outbox of settled generation records in a Durable Object's SQLite, numbered into
// batches: the account gate's (records on their way to a recorder) and the recorder's
// (records on their way to D1 and R2). Synchronous, like the rest of their storage.
import { nameKey, type GenerationRecord, type NameRef } from '../storage/record.ts'

export const HOUR_MS = 3_600_000

/** The outbox and the meta table its numbering is kept in (last_batch). */
export const OUTBOX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v);
  CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, record TEXT NOT NULL, hour INTEGER NOT NULL, created_at INTEGER NOT NULL, batch INTEGER);
  CREATE INDEX IF NOT EXISTS outbox_batch ON outbox (batch, hour, created_at);
`

/** One record as its outbox keeps it: JSON, parsed only where it is written out. */
export interface OutboxLine {
  id: string
  record: string
  /** The hour its generation started in (createdAt), which groups a batch. */
  hour: number
}

/** A settled record as an outbox line: JSON, under the hour its generation started in. */
export const lineOf = (record: GenerationRecord): OutboxLine =>
  ({ id: record.id, record: JSON.stringify(record), hour: record.createdAt - (record.createdAt % HOUR_MS) })

/**
 * The next batch: the one already numbered (a hand-off that did not finish: sent again as
 * it was), else the oldest records of one hour (their details share one R2 object),
 * numbered now. Numbers rise with the object's clock and never repeat, even for an object
 * whose storage was lost, so a receiver can tell a repeat from a new batch by its number.
 */
export const takeBatch = (sql: SqlStorage, now: number, limit: number): { batch: number; lines: OutboxLine[] } | null => {
  let batch = sql.exec<{ batch: number }>('SELECT batch FROM outbox WHERE batch IS NOT NULL ORDER BY batch LIMIT 1').toArray()[0]?.batch
  if (batch === undefined) {
    const last = Number(sql.exec<{ v: number }>(`SELECT v FROM meta WHERE k = 'last_batch'`).toArray()[0]?.v ?? 0)
    const next = Math.max(last + 1, now)
    const numbered = sql.exec(
      `UPDATE outbox SET batch = ? WHERE id IN (
         SELECT id FROM outbox WHERE batch IS NULL AND hour = (SELECT MIN(hour) FROM outbox WHERE batch IS NULL) ORDER BY created_at LIMIT ?)`,
      next, limit,
    ).rowsWritten
    if (numbered === 0) return null
    sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('last_batch', ?)`, next)
    batch = next
  }
  const lines = sql.exec<{ id: string; record: string; hour: number }>('SELECT id, record, hour FROM outbox WHERE batch = ? ORDER BY created_at', batch).toArray()
  return { batch, lines: lines.map(({ id, record, hour }) => ({ id, record, hour })) }
}

export const dropBatch = (sql: SqlStorage, batch: number) => sql.exec('DELETE FROM outbox WHERE batch = ?', batch)

export const outboxCount = (sql: SqlStorage): number => sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n

/** Names' D1 ids, learned once (they never change). */
export const NAMES_SCHEMA = `CREATE TABLE IF NOT EXISTS names (kind TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, value)) WITHOUT ROWID;`

/** Names' D1 ids already learned, and the ones not. */
export const cachedNames = (sql: SqlStorage, refs: NameRef[]): { ids: Map<string, number>; missing: NameRef[] } => {
  const ids = new Map<string, number>()
  const missing: NameRef[] = []
  for (const ref of new Map(refs.map((r) => [nameKey(r), r])).values()) {
    const row = sql.exec<{ n: number }>('SELECT n FROM names WHERE kind = ? AND value = ?', ref.kind, ref.value).toArray()[0]
    if (row) ids.set(nameKey(ref), Number(row.n))
    else missing.push(ref)
  }
  return { ids, missing }
}

export const cacheNames = (sql: SqlStorage, refs: NameRef[], ids: Map<string, number>) => {
  for (const ref of refs) {
    const n = ids.get(nameKey(ref))
    if (n !== undefined) sql.exec('INSERT OR REPLACE INTO names (kind, value, n) VALUES (?, ?, ?)', ref.kind, ref.value, n)
  }
}
