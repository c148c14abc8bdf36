// The account gate's own SQLite storage: schema and the synchronous reads and
// writes it makes. Synchronous on purpose: a DO event without awaits is atomic.
import { MINUTE_MS, type WindowCounts } from '../billing/limits.ts'
import { dayStart, periodStart, type Period } from '../billing/periods.ts'
import type { GenerationRecord } from '../storage/record.ts'
import { HOUR_MS, lineOf, OUTBOX_SCHEMA } from './outbox-store.ts'

export const SCHEMA = OUTBOX_SCHEMA + `
  CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, amount INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS holds_key ON holds (key_hash);
  CREATE TABLE IF NOT EXISTS settled (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS settled_at ON settled (at);
  DROP TABLE IF EXISTS names;
  CREATE TABLE IF NOT EXISTS credits (id TEXT PRIMARY KEY, amount INTEGER NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS credits_unflushed ON credits (flushed, created_at);
  CREATE TABLE IF NOT EXISTS requests (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, at INTEGER NOT NULL, tokens INTEGER NOT NULL, free INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS requests_key ON requests (key_hash, at);
  CREATE INDEX IF NOT EXISTS requests_free ON requests (free, at);
  CREATE TABLE IF NOT EXISTS key_usage (key_hash TEXT NOT NULL, period TEXT NOT NULL, start INTEGER NOT NULL, usage INTEGER NOT NULL, PRIMARY KEY (key_hash, period));
  CREATE TABLE IF NOT EXISTS key_state (key_hash TEXT PRIMARY KEY, disabled INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS idempotency (id TEXT PRIMARY KEY, body_hash TEXT NOT NULL, generation_id TEXT NOT NULL, state TEXT NOT NULL, status INTEGER, content_type TEXT, body TEXT, created_at INTEGER NOT NULL);
`

export const PERIODS: Period[] = ['day', 'week', 'month']

/** The account's live figures, one row each in `meta`. */
export interface GateState {
  accountId: string
  status: 'active' | 'suspended' | 'unknown'
  balance: number
  totalCredits: number
  totalUsage: number
  purchased: number
}

/** The stored state, or undefined before the account's first contact. */
export const loadState = (sql: SqlStorage): GateState | undefined => {
  const meta = new Map(sql.exec<{ k: string; v: string | number }>('SELECT k, v FROM meta').toArray().map((r) => [r.k, r.v]))
  if (!meta.has('account_id')) return undefined
  return {
    accountId: String(meta.get('account_id')),
    status: meta.get('status') as GateState['status'],
    balance: Number(meta.get('balance')),
    totalCredits: Number(meta.get('total_credits')),
    totalUsage: Number(meta.get('total_usage')),
    purchased: Number(meta.get('purchased')),
  }
}

export const saveState = (sql: SqlStorage, state: GateState) =>
  sql.exec(
    `INSERT OR REPLACE INTO meta (k, v) VALUES ('account_id', ?), ('status', ?), ('balance', ?), ('total_credits', ?), ('total_usage', ?), ('purchased', ?)`,
    state.accountId, state.status, state.balance, state.totalCredits, state.totalUsage, state.purchased,
  )

const one = <T>(sql: SqlStorage, query: string, ...args: SqlStorageValue[]): T => sql.exec(query, ...args).one() as T

/**
 * What open holds keep back. A hold counts until its expiry, not until a row is deleted: an
 * expired one (its request's settle never came) is freed by the clock, so admission needs no
 * alarm per hold; the next alarm deletes the row.
 */
export const heldMicro = (sql: SqlStorage, now: number, keyHash?: string): number =>
  Number(
    keyHash === undefined
      ? one<{ n: number }>(sql, 'SELECT COALESCE(SUM(amount), 0) AS n FROM holds WHERE expires_at > ?', now).n
      : one<{ n: number }>(sql, 'SELECT COALESCE(SUM(amount), 0) AS n FROM holds WHERE key_hash = ? AND expires_at > ?', keyHash, now).n,
  )

export const openHolds = (sql: SqlStorage, now: number): number => one<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM holds WHERE expires_at > ?', now).n

/** Which counts a request needs: each query runs only when its limit is on, so unlimited keys cost O(1). */
export interface CountNeeds {
  window: boolean
  inFlight: boolean
  free: boolean
}

export const windowCounts = (sql: SqlStorage, keyHash: string, now: number, need: CountNeeds): WindowCounts => {
  const since = now - MINUTE_MS
  const none = { n: 0, oldest: null, tokens: 0 }
  const key = need.window
    ? one<{ n: number; oldest: number | null; tokens: number }>(
        sql, 'SELECT COUNT(*) AS n, MIN(at) AS oldest, COALESCE(SUM(tokens), 0) AS tokens FROM requests WHERE key_hash = ? AND at > ?', keyHash, since,
      )
    : none
  const free = need.free ? one<{ n: number; oldest: number | null }>(sql, 'SELECT COUNT(*) AS n, MIN(at) AS oldest FROM requests WHERE free = 1 AND at > ?', since) : none
  const today = need.free ? freeToday(sql, now) : 0
  const inFlight = need.inFlight ? one<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM holds WHERE key_hash = ? AND expires_at > ?', keyHash, now).n : 0
  return {
    requestsLastMinute: key.n,
    oldestRequestAt: key.oldest,
    tokensLastMinute: key.tokens,
    oldestTokensAt: key.oldest,
    inFlight,
    freeLastMinute: free.n,
    oldestFreeAt: free.oldest,
    freeToday: today,
  }
}

export const freeToday = (sql: SqlStorage, now: number): number =>
  one<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM requests WHERE free = 1 AND at >= ?', dayStart(now)).n

/** A key's spend in the current period (0 once the period has rolled over). */
export const keyUsage = (sql: SqlStorage, keyHash: string, period: Period | 'all', now: number): number => {
  const row = sql.exec<{ start: number; usage: number }>('SELECT start, usage FROM key_usage WHERE key_hash = ? AND period = ?', keyHash, period).toArray()[0]
  if (!row) return 0
  return period === 'all' || row.start === periodStart(period, now) ? Number(row.usage) : 0
}

export const addKeyUsage = (sql: SqlStorage, keyHash: string, cost: number, now: number) => {
  // One statement for the four buckets; a bucket whose period rolled over restarts at this cost.
  sql.exec(
    `INSERT INTO key_usage (key_hash, period, start, usage) VALUES (?, 'day', ?, ?), (?, 'week', ?, ?), (?, 'month', ?, ?), (?, 'all', 0, ?)
     ON CONFLICT (key_hash, period) DO UPDATE SET
       usage = CASE WHEN start = excluded.start THEN usage + excluded.usage ELSE excluded.usage END,
       start = excluded.start`,
    keyHash, periodStart('day', now), cost, keyHash, periodStart('week', now), cost, keyHash, periodStart('month', now), cost, keyHash, cost,
  )
}

export const unflushedCredits = (sql: SqlStorage): number => one<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM credits WHERE flushed = 0').n

/** A generation is settled while its id is remembered (settled) or its record waits for the flush (outbox). */
export const exists = (sql: SqlStorage, table: 'generations' | 'credits', id: string): boolean =>
  table === 'credits'
    ? sql.exec('SELECT 1 FROM credits WHERE id = ?', id).toArray().length > 0
    : sql.exec('SELECT 1 FROM settled WHERE id = ? UNION ALL SELECT 1 FROM outbox WHERE id = ?', id, id).toArray().length > 0

/** Remember a settled generation, and queue its record, in `batch`, for the hand-off to the recorder. */
export const enqueue = (sql: SqlStorage, record: GenerationRecord, now: number, batch: number) => {
  const line = lineOf(record)
  sql.exec('INSERT INTO settled (id, at) VALUES (?, ?)', record.id, now)
  sql.exec('INSERT INTO outbox (id, record, hour, created_at, batch) VALUES (?, ?, ?, ?, ?)', line.id, line.record, line.hour, now, batch)
}

/**
 * Storage from before issue 14 kept every record 24 h in `generations`: its unflushed ones
 * move to the outbox, every id to `settled`, and the table goes. Idempotent until the drop.
 */
export const migrateGenerations = (sql: SqlStorage) => {
  if (sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'generations'`).toArray().length === 0) return
  sql.exec('INSERT OR IGNORE INTO settled (id, at) SELECT id, created_at FROM generations')
  sql.exec(
    `INSERT OR IGNORE INTO outbox (id, record, hour, created_at)
     SELECT id, record, json_extract(record, '$.createdAt') - json_extract(record, '$.createdAt') % ${HOUR_MS}, created_at FROM generations WHERE flushed = 0`,
  )
  sql.exec('DROP TABLE generations')
}
