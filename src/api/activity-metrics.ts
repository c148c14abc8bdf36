// GET /activity/metrics: a Switchboard extension beside OpenRouter's /activity
// (docs/compatibility.md#get-activitymetrics): per UTC day and per model, provider, app or key,
// the requests, spend and tokens with the error and fallback rates and latency and TTFT
// (mean, p50, p95), read from the daily rollups. Any key of the account; an API key sees only
// its own requests, a management key the account's (or one key's).
import { Hono } from 'hono'
import { z } from 'zod'
import { dayStart } from '../billing/periods.ts'
import { catalogIndex } from '../catalog/lookup.ts'
import { createReplicaDb, type Db } from '../db/client.ts'
import { dailySums, keyNames } from '../db/queries/usage.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { requireKey } from '../middleware/auth.ts'
import { metricsView } from '../storage/metrics.ts'
import { appParts } from '../storage/record.ts'
import { validate } from './request.ts'

const DAY_MS = 86_400_000
export const PERIOD_DAYS = { '1d': 1, '7d': 7, '30d': 30 } as const

export const MetricsQuery = z.object({
  /** The last 1, 7 or 30 UTC days, today included. */
  period: z.enum(['1d', '7d', '30d']).default('7d'),
  group_by: z.enum(['model', 'provider', 'app', 'key']).default('model'),
  api_key_hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a key hash (64 hex characters)').optional(),
})

/** The UTC days (YYYY-MM-DD) from `since` to today, oldest first. */
const daysFrom = (since: number, days: number) => Array.from({ length: days }, (_, i) => new Date(since + i * DAY_MS).toISOString().slice(0, 10))

export const activityMetrics = new Hono<AppEnv>().get('/activity/metrics', requireKey('any'), async (c) => {
  const q = validate(c.req.query(), MetricsQuery)
  const key = c.var.key
  if (key.kind === 'inference' && q.api_key_hash !== undefined && q.api_key_hash !== key.hash) {
    throw new GatewayError('forbidden', 'An API key can read only its own activity')
  }
  // Stale-tolerant: a read replica may answer (createReplicaDb).
  return c.json({ data: await accountMetrics(createReplicaDb(c.env.DB), key.accountId, q, key.kind === 'inference' ? key.hash : q.api_key_hash) })
})

/** One account's metrics for a period, grouped as asked (and one key's only, with `keyHash`): /activity/metrics and the operator's read. */
export const accountMetrics = async (db: Db, accountId: string, q: Pick<z.infer<typeof MetricsQuery>, 'period' | 'group_by'>, keyHash?: string) => {
  const days = PERIOD_DAYS[q.period]
  const since = dayStart(Date.now()) - (days - 1) * DAY_MS
  const [rows, keys] = await Promise.all([
    dailySums(db, accountId, since, q.group_by, keyHash),
    q.group_by === 'key' ? keyNames(db, accountId) : Promise.resolve([]),
  ])
  const keyName = new Map(keys.map((k) => [k.hash, `${k.name} (${k.label})`]))
  const named = (group: string | null): { group: string; name: string } => {
    if (q.group_by === 'app') {
      const { referer, title } = appParts(group)
      const app = title || referer || ''
      return { group: app, name: app || '(no app)' }
    }
    if (group === null) return { group: '', name: '(none)' }
    if (q.group_by === 'provider') return { group, name: catalogIndex().providers.get(group)?.name ?? group }
    if (q.group_by === 'key') return { group, name: keyName.get(group) ?? '(deleted key)' }
    return { group, name: group }
  }
  const view = metricsView(rows.map((r) => ({ ...r, ...named(r.group) })))
  return { period: q.period, group_by: q.group_by, days: daysFrom(since, days), ...view }
}
