// GET /rankings: the gateway's leaderboard, a Switchboard extension (docs/compatibility.md#get-rankings):
// models and attributed apps by tokens or requests over the last 1, 7 or 30 UTC days, summed
// across every account. Aggregate counts only: no account, key, or app that did not name itself.
// Any key may read it, and the operator's ADMIN_TOKEN.
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { z } from 'zod'
import { dayStart } from '../billing/periods.ts'
import { createReplicaDb } from '../db/client.ts'
import { appRanking, modelRanking, unattributedUsage } from '../db/queries/rankings.ts'
import { configOf, type AppEnv } from '../env.ts'
import { timingSafeEqualText } from '../lib/crypto.ts'
import { requireKey, tokenOf } from '../middleware/auth.ts'
import { rankApps, rankModels } from '../storage/rankings.ts'
import { PERIOD_DAYS } from './activity-metrics.ts'
import { validate } from './request.ts'

const DAY_MS = 86_400_000
/** App rows read before merging those that share a public name (title and referer origin). */
const APP_SCAN = 1_000

export const RankingsQuery = z.object({
  period: z.enum(['1d', '7d', '30d']).default('7d'),
  order: z.enum(['tokens', 'requests']).default('tokens'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

/** The operator's token, else any usable key (inference or management). */
const keyOrOperator = createMiddleware<AppEnv>(async (c, next) => {
  const expected = configOf(c.env).ADMIN_TOKEN
  const token = tokenOf(c.req.header('authorization'), c.req.header('x-api-key'))
  if (expected && token && (await timingSafeEqualText(token, expected))) return next()
  return requireKey('any')(c, next)
})

export const rankings = new Hono<AppEnv>().get('/rankings', keyOrOperator, async (c) => {
  const q = validate(c.req.query(), RankingsQuery)
  const days = PERIOD_DAYS[q.period]
  const today = dayStart(Date.now())
  const since = today - (days - 1) * DAY_MS
  // Stale-tolerant: a read replica may answer (createReplicaDb).
  const db = createReplicaDb(c.env.DB)
  const [models, apps, none] = await Promise.all([modelRanking(db, since, q.order, q.limit), appRanking(db, since, q.order, APP_SCAN), unattributedUsage(db, since)])
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  return c.json({
    data: { period: q.period, order: q.order, from: date(since), to: date(today), models: rankModels(models, q.order, q.limit), ...rankApps(apps, none, q.order, q.limit) },
  })
})
