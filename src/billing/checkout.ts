// "Add credits" with Stripe Checkout: a Checkout Session for a dollar amount, whose payment the
// Stripe webhook credits (stripe-events.ts). The account id goes in the session's metadata and in
// its PaymentIntent's (payment_intent_data), since checkout.session.completed and
// payment_intent.succeeded each read only their own object's metadata. Both events carry the
// PaymentIntent id, so the payment is credited once.
// @see https://docs.stripe.com/api/checkout/sessions/create
import { z } from 'zod'
import { GatewayError } from '../errors.ts'

export const STRIPE_CHECKOUT_URL = 'https://api.stripe.com/v1/checkout/sessions'

/** Whole cents from $1 to $10,000: above Stripe's $0.50 minimum, and a bound on one mistyped payment. */
export const CheckoutBody = z.strictObject({
  amount: z.number().min(1, 'at least $1').max(10_000, 'at most $10,000').refine((d) => Math.abs(d * 100 - Math.round(d * 100)) < 1e-6, 'whole cents'),
})

export interface CheckoutInput {
  accountId: string
  amountCents: number
  /** The dashboard's Credits page, where Stripe sends the browser back. */
  returnUrl: string
}

/** The form Stripe's API takes (application/x-www-form-urlencoded, nested keys in brackets). Pure. */
export const checkoutForm = (input: CheckoutInput): URLSearchParams => {
  const back = new URL(input.returnUrl)
  const done = (state: string) => {
    const url = new URL(back)
    url.searchParams.set('checkout', state)
    return url.toString()
  }
  return new URLSearchParams([
    ['mode', 'payment'],
    ['line_items[0][quantity]', '1'],
    ['line_items[0][price_data][currency]', 'usd'],
    ['line_items[0][price_data][unit_amount]', String(input.amountCents)],
    ['line_items[0][price_data][product_data][name]', 'Switchboard credit'],
    ['client_reference_id', input.accountId],
    ['metadata[account_id]', input.accountId],
    ['payment_intent_data[metadata][account_id]', input.accountId],
    ['success_url', done('success')],
    ['cancel_url', done('cancelled')],
  ])
}

const Session = z.object({ id: z.string(), url: z.url() })
const StripeError = z.object({ error: z.object({ type: z.string().optional(), code: z.string().optional() }) })

/**
 * Creates the session with the secret key. Stripe's own error text is not relayed (it can quote a
 * masked key); its type and code are, with the status.
 */
export const createCheckoutSession = async (secretKey: string, input: CheckoutInput, fetcher: typeof fetch = fetch) => {
  let res: Response
  try {
    res = await fetcher(STRIPE_CHECKOUT_URL, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': crypto.randomUUID() },
      body: checkoutForm(input).toString(),
    })
  } catch {
    throw new GatewayError('provider_error', 'Stripe could not be reached to create a Checkout Session')
  }
  const json: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const err = StripeError.safeParse(json)
    const what = err.success ? [err.data.error.type, err.data.error.code].filter(Boolean).join(', ') : 'no error body'
    throw new GatewayError('provider_error', `Stripe refused the Checkout Session (HTTP ${res.status}: ${what}); check STRIPE_SECRET_KEY`)
  }
  const session = Session.safeParse(json)
  if (!session.success) throw new GatewayError('provider_error', 'Stripe answered without a Checkout Session id and url')
  return session.data
}
