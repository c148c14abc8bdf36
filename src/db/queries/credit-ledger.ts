// The account's ledger as GET /credits/ledger lists it, newest first: every credit event (top-ups,
// refunds, grants, adjustments) and one charge entry per UTC day of usage (the daily rollups, which
// the balance is computed from and which are never pruned). One UNION query, paged by (at, id).

export type LedgerKind = 'topup' | 'refund' | 'grant' | 'adjustment' | 'charge'

export interface LedgerRow {
  at: number
  id: string
  kind: LedgerKind
  /** Signed microdollars: credits positive, refunds and charges negative. */
  amount: number
  reason: string | null
  /** Charges only: the day's requests. */
  requests: number | null
}

export interface LedgerQuery {
  accountId: string
  /** Only this key's charges, and no credit events (an API key's own view). */
  keyHash?: string
  /** The last row of the previous page. */
  before?: { at: number; id: string }
  limit: number
}

/** A day's charges are one entry, `charge:<day start ms>`, dated at the day's start. */
export const chargeId = (dayStart: number) => `charge:${dayStart}`

export const ledgerPage = async (d1: D1Database, q: LedgerQuery): Promise<LedgerRow[]> => {
  const keyOnly = q.keyHash !== undefined
  const text = `
    SELECT at, id, kind, amount, reason, requests FROM (
      SELECT created_at AS at, id, kind, amount_micro AS amount, reason, NULL AS requests
        FROM credit_events WHERE account_id = ?1 AND ?2 = 0
      UNION ALL
      SELECT start AS at, 'charge:' || start AS id, 'charge' AS kind, -SUM(cost_micro) AS amount, NULL AS reason, SUM(requests) AS requests
        FROM usage_daily
        WHERE account_n = (SELECT id FROM names WHERE kind = 'account' AND value = ?1)
          AND (?2 = 0 OR key_n = (SELECT id FROM names WHERE kind = 'key' AND value = ?3))
        GROUP BY start
        HAVING SUM(requests) > 0
    )
    WHERE ?4 IS NULL OR at < ?4 OR (at = ?4 AND id < ?5)
    ORDER BY at DESC, id DESC
    LIMIT ?6`
  const rows = await d1
    .prepare(text)
    .bind(q.accountId, keyOnly ? 1 : 0, q.keyHash ?? '', q.before?.at ?? null, q.before?.id ?? '', q.limit)
    .all<LedgerRow>()
  return rows.results.map((r) => ({ ...r, at: Number(r.at), amount: Number(r.amount), requests: r.requests === null ? null : Number(r.requests) }))
}
