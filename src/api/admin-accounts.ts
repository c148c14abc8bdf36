// The operator API's list of accounts (GET /admin/accounts), the read the dashboard's
// operator view needs and the rest of the operator API lacked: newest first, a page at a
// time, each with its balance, credits, usage and holds from its account gate.
import { desc } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { createDb } from '../db/client.ts'
import { accounts } from '../db/schema.ts'
import type { AppEnv } from '../env.ts'
import { toDollars } from '../lib/money.ts'
import { requireAdmin } from '../middleware/admin.ts'
import { gateFor } from '../objects/clients.ts'
import { validate } from './request.ts'

/** Each listed account is one account-gate call, so a page stays small. */
const MAX_PAGE = 100

const ListAccountsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
})

export const adminAccounts = new Hono<AppEnv>()
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
