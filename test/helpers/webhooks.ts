// Signed webhook deliveries, with signatures made by the stripe SDK's own test helper
// (its async form: inside workerd the SDK signs with Web Crypto, which is async only).
import { env } from 'cloudflare:workers'
import Stripe from 'stripe'
import { configOf } from '../../src/env.ts'
import { call } from './gateway.ts'

export const secrets = () => {
  const c = configOf(env)
  return { stripe: c.STRIPE_WEBHOOK_SECRET ?? '', topup: c.TOPUP_WEBHOOK_SECRET ?? '', admin: c.ADMIN_TOKEN ?? '' }
}

export const sign = (payload: string, secret: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) })

interface Delivery {
  secret?: string
  timestamp?: number
  /** Sent instead of the signed payload (tampering). */
  body?: string
}

export const postStripe = async (event: unknown, opts: Delivery = {}) => {
  const payload = typeof event === 'string' ? event : JSON.stringify(event)
  const header = await sign(payload, opts.secret ?? secrets().stripe, opts.timestamp)
  return call('/webhooks/stripe', { method: 'POST', body: opts.body ?? payload, headers: { 'stripe-signature': header, 'content-type': 'application/json' } })
}

export const postTopup = async (body: unknown, opts: Delivery = {}) => {
  const payload = typeof body === 'string' ? body : JSON.stringify(body)
  const header = await sign(payload, opts.secret ?? secrets().topup, opts.timestamp)
  return call('/webhooks/topup', { method: 'POST', body: opts.body ?? payload, headers: { 'x-signature': header, 'content-type': 'application/json' } })
}

/** Stripe event bodies, trimmed to the fields Switchboard reads (plus a few it must ignore). */
export const stripeEvents = {
  checkoutCompleted: (accountId: string, paymentIntent: string, cents: number) => ({
    id: `evt_cs_${paymentIntent}`, object: 'event', type: 'checkout.session.completed', livemode: false,
    data: { object: { id: `cs_${paymentIntent}`, object: 'checkout.session', mode: 'payment', amount_total: cents, currency: 'usd', payment_intent: paymentIntent, payment_status: 'paid', status: 'complete', metadata: { account_id: accountId } } },
  }),
  paymentSucceeded: (accountId: string, paymentIntent: string, cents: number) => ({
    id: `evt_pi_${paymentIntent}`, object: 'event', type: 'payment_intent.succeeded', livemode: false,
    data: { object: { id: paymentIntent, object: 'payment_intent', amount: cents, amount_received: cents, currency: 'usd', status: 'succeeded', metadata: { account_id: accountId } } },
  }),
  chargeRefunded: (paymentIntent: string, refunds: { id: string; cents: number }[], metadata: Record<string, string> = {}) => ({
    id: `evt_ch_${refunds.map((r) => r.id).join('_')}`, object: 'event', type: 'charge.refunded', livemode: false,
    data: { object: {
      id: `ch_${paymentIntent}`, object: 'charge', payment_intent: paymentIntent, refunded: true, metadata,
      amount_refunded: refunds.reduce((s, r) => s + r.cents, 0),
      refunds: { object: 'list', data: refunds.map((r) => ({ id: r.id, object: 'refund', amount: r.cents, currency: 'usd', status: 'succeeded', payment_intent: paymentIntent })) },
    } },
  }),
  disputeCreated: (paymentIntent: string) => ({
    id: `evt_dp_${paymentIntent}`, object: 'event', type: 'charge.dispute.created', livemode: false,
    data: { object: { id: `dp_${paymentIntent}`, object: 'dispute', amount: 100, charge: `ch_${paymentIntent}`, payment_intent: paymentIntent, reason: 'fraudulent', status: 'needs_response' } },
  }),
}

export const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`
