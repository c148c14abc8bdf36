// Top-up webhooks, the payment path (docs/billing.md): Stripe's, and a generic signed
// callback for any other billing system. Both verify the signature over the raw body
// before reading it; a failure credits nothing and never echoes the secret or the
// expected signature. Each payment, refund or callback id is applied once (I3).
import { Hono, type Context } from 'hono'
import { verifySignature, type SignatureFailure } from '../billing/signature.ts'
import { interpretStripeEvent, StripeEventSchema, type AccountRef, type LedgerCredit } from '../billing/stripe-events.ts'
import { applyCredit, clashError, requireAccount, setStatus } from '../billing/topups.ts'
import { createDb, type Db } from '../db/client.ts'
import { findCreditEvent } from '../db/queries/ledger.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { fromDollars } from '../lib/money.ts'
import { TopupBody } from '../schemas/billing.ts'
import { parseBody } from './request.ts'

const FAILURES: Record<SignatureFailure, (header: string) => string> = {
  missing: (h) => `Missing ${h} header`,
  malformed: (h) => `Malformed ${h} header: expected t=<unix seconds>,v1=<hex HMAC-SHA256>`,
  mismatch: () => 'No signature matches the payload: check the signing secret, and that the raw body is sent unchanged',
  stale: () => 'The signature timestamp is outside the 5-minute tolerance',
}

/** The raw body, once its signature checks out. */
const verifiedBody = async (c: Context<AppEnv>, secretName: 'STRIPE_WEBHOOK_SECRET' | 'TOPUP_WEBHOOK_SECRET', header: string) => {
  const secret = configOf(c.env)[secretName]
  if (!secret) throw new GatewayError('not_configured', `This webhook is not configured: set the ${secretName} secret`)
  const payload = await c.req.text()
  const result = await verifySignature({ payload, header: c.req.header(header), secret, nowMs: Date.now() })
  if (!result.ok) throw new GatewayError('invalid_request', FAILURES[result.reason](header))
  return payload
}

/** The account named in the event, else the one its PaymentIntent was credited to; null when it is not ours. */
const resolveAccount = async (db: Db, ref: AccountRef): Promise<string | null> => {
  if (ref.accountId) return (await requireAccount(db, ref.accountId)).id
  if (ref.paymentIntent) return (await findCreditEvent(db, ref.paymentIntent))?.accountId ?? null
  return null
}

const credit = async (env: Env, db: Db, accountId: string, credits: LedgerCredit[]) => {
  let applied = 0
  for (const c of credits) {
    const r = await applyCredit(env, db, { id: c.id, accountId, amountMicro: c.amountMicro, kind: c.kind, reason: c.reason, createdAt: Date.now() })
    if (!r.ok) throw clashError(c.id)
    if (r.credited) applied++
  }
  return { applied, duplicates: credits.length - applied }
}

export const webhooks = new Hono<AppEnv>()
  .post('/webhooks/stripe', async (c) => {
    const event = parseBody(await verifiedBody(c, 'STRIPE_WEBHOOK_SECRET', 'stripe-signature'), StripeEventSchema)
    const action = interpretStripeEvent(event)
    const db = createDb(c.env.DB)
    switch (action.action) {
      case 'ignore':
        // 200 so Stripe stops retrying: the event is understood and needs nothing from us.
        return c.json({ received: true, ignored: action.reason })
      case 'malformed':
        throw new GatewayError('invalid_request', `Invalid request: ${action.field}: missing or of the wrong type for ${event.type}`)
      case 'credit': {
        const accountId = await resolveAccount(db, action.account)
        if (!accountId) return c.json({ received: true, ignored: 'no account for this payment' })
        return c.json({ received: true, account_id: accountId, ...(await credit(c.env, db, accountId, action.credits)) })
      }
      case 'suspend': {
        const accountId = await resolveAccount(db, action.account)
        if (!accountId) return c.json({ received: true, ignored: 'no account for this payment' })
        await setStatus(c.env, db, accountId, 'suspended')
        console.warn(JSON.stringify({ level: 'warn', message: 'account suspended', accountId, reason: action.reason }))
        return c.json({ received: true, account_id: accountId, suspended: true })
      }
    }
  })
  .post('/webhooks/topup', async (c) => {
    const body = parseBody(await verifiedBody(c, 'TOPUP_WEBHOOK_SECRET', 'x-signature'), TopupBody)
    const db = createDb(c.env.DB)
    const account = await requireAccount(db, body.account_id)
    const amountMicro = fromDollars(body.amount_usd)
    if (amountMicro === 0) throw new GatewayError('invalid_request', 'Invalid request: amount_usd: must be at least one microdollar')
    // Namespaced, so a callback id can never collide with a Stripe or operator event id.
    const result = await applyCredit(c.env, db, {
      id: `topup:${body.id}`, accountId: account.id, amountMicro, kind: amountMicro > 0 ? 'topup' : 'refund', reason: 'top-up callback', createdAt: Date.now(),
    })
    if (!result.ok) throw clashError(body.id)
    return c.json({ received: true, id: body.id, credited: result.credited })
  })
