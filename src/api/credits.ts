// The Credits page's reads and its one action, in OpenRouter's style (`{data}` envelopes, dollars):
// GET /credits/ledger (top-ups, refunds, grants, adjustments and daily charges, newest first, paged),
// GET /credits/holds (the gate's open holds), GET /credits/checkout (whether Stripe Checkout is set up)
// and POST /credits/checkout (a Stripe Checkout Session to pay into the account).
// A management key sees the account. An API key sees its own charges in the ledger (no credit
// events: payments are the account's business), the account's holds as it sees /credits, and may
// not start a payment (403).
import { Hono } from 'hono'
import { z } from 'zod'
import { CheckoutBody, createCheckoutSession } from '../billing/checkout.ts'
import { ledgerPage, type LedgerRow } from '../db/queries/credit-ledger.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { toDollars } from '../lib/money.ts'
import { requireKey } from '../middleware/auth.ts'
import { gateFor } from '../objects/clients.ts'
import { readBody, validate } from './request.ts'

const LedgerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** next_cursor of the previous page: `<ms>.<entry id>` (credit event ids are any printable ASCII). */
  cursor: z.string().regex(/^\d{1,15}\.[\x21-\x7e]{1,220}$/, 'expected the next_cursor of a previous page').optional(),
})

const describe = (r: LedgerRow) =>
  r.kind === 'charge' ? `Usage on ${new Date(r.at).toISOString().slice(0, 10)} (UTC)` : r.reason

const entry = (r: LedgerRow) => ({
  id: r.id,
  type: r.kind,
  amount: toDollars(r.amount),
  created_at: new Date(r.at).toISOString(),
  description: describe(r),
  requests: r.requests,
})

export const credits = new Hono<AppEnv>()
  .get('/credits/ledger', requireKey('any'), async (c) => {
    const q = validate(c.req.query(), LedgerQuery)
    const key = c.var.key
    const dot = q.cursor?.indexOf('.') ?? -1
    const before = q.cursor === undefined ? undefined : { at: Number(q.cursor.slice(0, dot)), id: q.cursor.slice(dot + 1) }
    const rows = await ledgerPage(c.env.DB, { accountId: key.accountId, limit: q.limit + 1, ...(before ? { before } : {}), ...(key.kind === 'inference' ? { keyHash: key.hash } : {}) })
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return c.json({
      data: page.map(entry),
      scope: key.kind === 'inference' ? 'key' : 'account',
      next_cursor: rows.length > q.limit && last ? `${last.at}.${last.id}` : null,
    })
  })
  .get('/credits/holds', requireKey('any'), async (c) => {
    const snap = await gateFor(c.env, c.var.key.accountId).snapshot(c.var.key.accountId)
    return c.json({ data: { count: snap.openHolds, amount: toDollars(snap.heldMicro), available: toDollars(snap.balanceMicro - snap.heldMicro) } })
  })
  .get('/credits/checkout', requireKey('any'), (c) =>
    c.json({ data: { enabled: configOf(c.env).STRIPE_SECRET_KEY !== undefined, min_amount: 1, max_amount: 10_000, currency: 'usd' } }))
  .post('/credits/checkout', requireKey('any'), async (c) => {
    if (c.var.key.kind !== 'management') throw new GatewayError('forbidden', 'Only a management key can add credits')
    const secret = configOf(c.env).STRIPE_SECRET_KEY
    if (!secret) throw new GatewayError('not_configured', 'Stripe Checkout is not configured: set the STRIPE_SECRET_KEY secret')
    const body = await readBody(c, CheckoutBody)
    const session = await createCheckoutSession(secret, {
      accountId: c.var.key.accountId,
      amountCents: Math.round(body.amount * 100),
      returnUrl: `${new URL(c.req.url).origin}/credits`,
    })
    return c.json({ data: { id: session.id, url: session.url } })
  })
