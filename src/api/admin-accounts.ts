// The operator API's reads the dashboard's operator view needs and the rest of the operator
// API lacked: the accounts (GET /admin/accounts), newest first, a page at a time, each with its
// balance, credits, usage and holds from its account gate; and one account's usage per day
// (GET /admin/accounts/:id/activity), the figures of /activity/metrics.
import { desc } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { createDb, createReplicaDb } from '../db/client.ts'
import { accounts } from '../db/schema.ts'
import type { AppEnv } from '../env.ts'
import { toDollars } from '../lib/money.ts'
import { requireAdmin } from '../middleware/admin.ts'
import { gateFor } from '../objects/clients.ts'
import { accountMetrics, MetricsQuery } from './activity-metrics.ts'
import { requireAccount } from '../billing/topups.ts'
import { validate } from './request.ts'

/** Each listed account is one account-gate call, so a page stays small. */
const MAX_PAGE = 100

const ListAccountsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
})

const AccountActivityQuery = MetricsQuery.pick({ period: true, group_by: true })

export const adminAccounts = new Hono<AppEnv>()
  .get('/admin/accounts/:id/activity', requireAdmin, async (c) => {
    const q = validate(c.req.query(), AccountActivityQuery)
    const account = await requireAccount(createDb(c.env.DB), c.req.param('id'))
    return c.json({ data: { account_id: account.id, ...(await accountMetrics(createReplicaDb(c.env.DB), account.id, q)) } })
  })
  .get('/admin/accounts', requireAdmin, async (c) => {
    const query = validate(c.req.query(), ListAccountsQuery)
    const rows = await createDb(c.env.DB).select().from(accounts).orderBy(desc(accounts.createdAt), accounts.id).limit(query.limit).offset(query.offset)
    const snaps = await Promise.all(rows.map((a) => gateFor(c.env, a.id).snapshot(a.id)))
    return c.json({
      data: rows.map((a, i) => {
        const snap = snaps[i]
        return {
          id: a.id,
          name: a.name,
          status: a.status,
          created_at: new Date(a.createdAt).toISOString(),
          balance: toDollars(snap?.balanceMicro ?? 0),
          total_credits: toDollars(snap?.totalCreditsMicro ?? 0),
          total_usage: toDollars(snap?.totalUsageMicro ?? 0),
          held: toDollars(snap?.heldMicro ?? 0),
        }
      }),
    })
  })
