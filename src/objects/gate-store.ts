// The account gate's own SQLite storage: schema and the synchronous reads and
// writes it makes. Synchronous on purpose: a DO event without awaits is atomic.
import { MINUTE_MS, type WindowCounts } from '../billing/limits.ts'
import { dayStart, periodStart, type Period } from '../billing/periods.ts'

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v);
  CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, amount INTEGER NOT NULL, expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS holds_key ON holds (key_hash);
  CREATE TABLE IF NOT EXISTS generations (id TEXT PRIMARY KEY, cost INTEGER NOT NULL, record TEXT NOT NULL, created_at INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS generations_unflushed ON generations (flushed, created_at);
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

const one = <T>(sql: SqlStorage, query: string, ...args: SqlStorageValue[]): T => sql.exec(query, ...args).one() as T

export const heldMicro = (sql: SqlStorage, keyHash?: string): number =>
  Number(
    keyHash === undefined
      ? one<{ n: number }>(sql, 'SELECT COALESCE(SUM(amount), 0) AS n FROM holds').n
      : one<{ n: number }>(sql, 'SELECT COALESCE(SUM(amount), 0) AS n FROM holds WHERE key_hash = ?', keyHash).n,
  )

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
  const inFlight = need.inFlight ? one<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM holds WHERE key_hash = ?', keyHash).n : 0
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

export const unflushedCount = (sql: SqlStorage): number =>
  one<{ n: number }>(sql, 'SELECT (SELECT COUNT(*) FROM generations WHERE flushed = 0) + (SELECT COUNT(*) FROM credits WHERE flushed = 0) AS n').n

export const exists = (sql: SqlStorage, table: 'generations' | 'credits', id: string): boolean =>
  sql.exec(`SELECT 1 FROM ${table} WHERE id = ?`, id).toArray().length > 0
