// The operator API's storage routes: an account's generations a page at a time, newest or
// oldest first, with or without their R2 details (the Logs view; `npm run admin -- export`
// walks every page of a range), a retention pass on demand (crons do not fire locally), and the
// recorders' backlog (is each keeping up with the writes to D1 and R2?).
import { Hono } from 'hono'
import { z } from 'zod'
import { requireAccount } from '../billing/topups.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { createDb, createReplicaDb } from '../db/client.ts'
import { recorderFor } from '../objects/clients.ts'
import { pageCharges } from '../db/queries/generations.ts'
import { decodeCursor, encodeCursor, exportRow } from '../storage/export.ts'
import { withDetails } from '../storage/read.ts'
import { joinGeneration } from '../storage/record.ts'
import { runRetention } from '../storage/retention.ts'
import { validate } from './request.ts'

/** An ISO date (`2026-11-01`) or instant, as ms. */
const instant = z.string().transform((s, ctx) => {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' })
    return z.NEVER
  }
  return ms
})

const PageParams = z.object({
  from: instant.optional(),
  to: instant.optional(),
  cursor: z.string().transform((s, ctx) => {
    const c = decodeCursor(s)
    if (!c) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this API gave' })
      return z.NEVER
    }
    return c
  }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  order: z.enum(['asc', 'desc']).default('desc'),
  details: z.enum(['true', 'false']).default('true'),
})

export const adminGenerations = new Hono<AppEnv>()
  .get('/admin/accounts/:id/generations', async (c) => {
    const account = await requireAccount(createDb(c.env.DB), c.req.param('id'))
    const q = validate(c.req.query(), PageParams)
    const from = q.from ?? 0
    const to = q.to ?? Date.now() + 1
    if (from >= to) throw new GatewayError('invalid_request', 'Invalid request: to: must be after from')
    const db = createReplicaDb(c.env.DB)
    const charges = await pageCharges(db, { accountId: account.id, from, to, order: q.order, limit: q.limit, ...(q.cursor ? { after: q.cursor } : {}) })
    const generations = q.details === 'true' ? await withDetails(c.env.DETAILS, db, charges) : charges.map((ch) => joinGeneration(ch, null))
    const last = charges.at(-1)
    return c.json({ data: generations.map(exportRow), next_cursor: last && charges.length === q.limit ? encodeCursor(last) : null })
  })
  .get('/admin/recorders', async (c) => {
    const names = Array.from({ length: configOf(c.env).RECORDERS }, (_, n) => `recorders/${n}`)
    const snaps = await Promise.all(names.map((name) => recorderFor(c.env, name).snapshot()))
    return c.json({
      data: names.map((name, i) => {
        const s = snaps[i]!
        return { name, unflushed: s.unflushed, last_flush: s.lastFlush && { at: new Date(s.lastFlush.at).toISOString(), rows: s.lastFlush.rows, ms: s.lastFlush.ms } }
      }),
    })
  })
  .post('/admin/retention', async (c) => {
    const report = await runRetention({ DB: c.env.DB, DETAILS: c.env.DETAILS, config: configOf(c.env) }, Date.now())
    return c.json({ data: { ...report, cutoff: report.cutoff === null ? null : new Date(report.cutoff).toISOString() } })
  })
