// The account gate's lease table (credit leases, docs/limits.md#credit-leases): the
// synchronous SQLite reads and writes behind grantLease, settleLeases and expiry.
// A lease not closed reserves granted − charged out of what the account has available.
import type { LeaseSettleAck, LeaseSettleInput } from '../leases/wire.ts'
import { addKeyUsage, enqueue, exists, heldMicro } from './gate-store.ts'

export const LEASE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS leases (
    id TEXT PRIMARY KEY, shard TEXT NOT NULL, key_hash TEXT NOT NULL, granted_at INTEGER NOT NULL,
    granted INTEGER NOT NULL, charged INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL,
    state TEXT NOT NULL, closed_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS leases_state ON leases (state, key_hash);
  CREATE INDEX IF NOT EXISTS leases_expiry ON leases (state, expires_at);
  CREATE TABLE IF NOT EXISTS lease_stats (k TEXT PRIMARY KEY, n INTEGER NOT NULL);
`

export type LeaseState = 'open' | 'revoked' | 'closed'

export interface LeaseRow {
  id: string
  shard: string
  key_hash: string
  granted_at: number
  granted: number
  charged: number
  expires_at: number
  state: LeaseState
}

/** Closed leases are kept this long, so a resent return or charge is still recognised. */
export const CLOSED_KEEP_MS = 60 * 60 * 1000

const bump = (sql: SqlStorage, k: 'grants' | 'expired', n = 1) => {
  if (n > 0) sql.exec('INSERT INTO lease_stats (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = n + excluded.n', k, n)
}

/** Leases past their expiry go back to the account: an isolate that vanished keeps nothing. */
export const expireLeases = (sql: SqlStorage, now: number): number => {
  // RETURNING counts leases (rowsWritten would count index writes too).
  const n = sql.exec(`UPDATE leases SET state = 'closed', closed_at = ? WHERE state != 'closed' AND expires_at <= ? RETURNING id`, now, now).toArray().length
  bump(sql, 'expired', n)
  return n
}

/** Credit held by leases not closed (of one key, or of the account). */
export const leasedMicro = (sql: SqlStorage, keyHash?: string): number =>
  Number(
    (keyHash === undefined
      ? sql.exec<{ n: number }>(`SELECT COALESCE(SUM(granted - charged), 0) AS n FROM leases WHERE state != 'closed'`)
      : sql.exec<{ n: number }>(`SELECT COALESCE(SUM(granted - charged), 0) AS n FROM leases WHERE state != 'closed' AND key_hash = ?`, keyHash)
    ).one().n,
  )

export const anyLease = (sql: SqlStorage): boolean => sql.exec(`SELECT 1 FROM leases WHERE state != 'closed' LIMIT 1`).toArray().length > 0

export const insertLease = (sql: SqlStorage, l: Omit<LeaseRow, 'charged' | 'state'>) => {
  sql.exec(
    `INSERT INTO leases (id, shard, key_hash, granted_at, granted, charged, expires_at, state) VALUES (?, ?, ?, ?, ?, 0, ?, 'open')`,
    l.id, l.shard, l.key_hash, l.granted_at, l.granted, l.expires_at,
  )
  bump(sql, 'grants')
}

export const getLease = (sql: SqlStorage, id: string): LeaseRow | undefined =>
  sql.exec<Record<string, SqlStorageValue>>('SELECT id, shard, key_hash, granted_at, granted, charged, expires_at, state FROM leases WHERE id = ?', id)
    .toArray()[0] as LeaseRow | undefined

export const chargeLease = (sql: SqlStorage, id: string, micro: number) => {
  sql.exec('UPDATE leases SET charged = charged + ? WHERE id = ?', micro, id)
}

/** Give back what the isolate's requests in flight can't use: never below what is charged, never above the grant. */
export const shrinkLease = (sql: SqlStorage, id: string, toMicro: number) => {
  sql.exec(`UPDATE leases SET granted = MAX(charged, MIN(granted, ?)) WHERE id = ? AND state != 'closed'`, toMicro, id)
}

export const closeLease = (sql: SqlStorage, id: string, now: number) => {
  sql.exec(`UPDATE leases SET state = 'closed', closed_at = ? WHERE id = ? AND state != 'closed'`, now, id)
}

/** Stop the open leases of a key (or of the account): renewals are refused; what is admitted still settles. */
export const revokeLeases = (sql: SqlStorage, keyHash?: string): number =>
  (keyHash === undefined
    ? sql.exec(`UPDATE leases SET state = 'revoked' WHERE state = 'open' RETURNING id`)
    : sql.exec(`UPDATE leases SET state = 'revoked' WHERE state = 'open' AND key_hash = ? RETURNING id`, keyHash)
  ).toArray().length

export const pruneLeases = (sql: SqlStorage, now: number) => {
  sql.exec(`DELETE FROM leases WHERE state = 'closed' AND closed_at < ?`, now - CLOSED_KEEP_MS)
}

/** When the alarm should next look at leases: the earliest expiry, or the oldest closed one's pruning. */
export const nextLeaseWake = (sql: SqlStorage): number | null => {
  const row = sql.exec<{ e: number | null; c: number | null }>(
    `SELECT (SELECT MIN(expires_at) FROM leases WHERE state != 'closed') AS e, (SELECT MIN(closed_at) FROM leases WHERE state = 'closed') AS c`,
  ).one()
  const times = [row.e, row.c === null ? null : row.c + CLOSED_KEEP_MS].filter((t): t is number => t !== null)
  return times.length ? Math.min(...times) : null
}

export const leaseCounts = (sql: SqlStorage) => {
  const states = new Map(sql.exec<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM leases GROUP BY state').toArray().map((r) => [r.state, Number(r.n)]))
  const stats = new Map(sql.exec<{ k: string; n: number }>('SELECT k, n FROM lease_stats').toArray().map((r) => [r.k, Number(r.n)]))
  return {
    open: states.get('open') ?? 0,
    revoked: states.get('revoked') ?? 0,
    leasedMicro: leasedMicro(sql),
    grants: stats.get('grants') ?? 0,
    expired: stats.get('expired') ?? 0,
  }
}

/**
 * One isolate's batch, inside the gate's transaction: each charge goes into the same outbox
 * as an exact settlement (exactly once by generation id), against its lease while the lease
 * is live; a late one (its lease expired back) only if the balance still has room for it.
 * Returns the acknowledgement and the total charged, for the gate's balance.
 */
export const applyLeaseSettlement = (sql: SqlStorage, balanceMicro: number, input: LeaseSettleInput, now: number, batch: () => number) => {
  const ack: LeaseSettleAck = { acked: [], duplicates: 0, refused: [], closed: [], revoked: [] }
  let charged = 0
  for (const e of input.entries) {
    let lease = getLease(sql, e.leaseId)
    for (const ch of e.charges) {
      if (exists(sql, 'generations', ch.generationId)) { ack.duplicates++; ack.acked.push(ch.generationId); continue }
      const cost = ch.costMicro
      const live = lease !== undefined && lease.state !== 'closed'
      const room = live && lease ? lease.granted - lease.charged : balanceMicro - charged - heldMicro(sql, now) - leasedMicro(sql)
      if (!Number.isInteger(cost) || cost < 0 || cost > room) { ack.refused.push(ch.generationId); continue }
      if (live && lease) {
        chargeLease(sql, lease.id, cost)
        lease = { ...lease, charged: lease.charged + cost }
      }
      enqueue(sql, { ...ch.record, id: ch.generationId, costMicro: cost }, now, batch())
      if (cost > 0) addKeyUsage(sql, ch.record.keyHash, cost, now)
      charged += cost
      ack.acked.push(ch.generationId)
    }
    if (lease && e.shrinkToMicro !== undefined) shrinkLease(sql, lease.id, e.shrinkToMicro)
    if (lease?.state === 'revoked') ack.revoked.push(lease.id)
    if (e.close) {
      closeLease(sql, e.leaseId, now)
      ack.closed.push(e.leaseId)
    }
  }
  return { ack, chargedMicro: charged }
}
