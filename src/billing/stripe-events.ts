// PURE: a verified Stripe event → what it means for an account's ledger. One payment
// is credited once although Stripe reports it by several events: each credit's id is
// the PaymentIntent id (or, for a refund, the refund id), so the gate's idempotency
// by event id (I3) collapses them. Amounts are cents → microdollars (× 10,000).
// @see https://docs.stripe.com/api/events/types
import { z } from 'zod'

export const MICROS_PER_CENT = 10_000

/** A field Stripe sends as an id, or as the object itself when expanded. */
const ref = z.union([z.string(), z.object({ id: z.string() }).transform((o) => o.id)]).nullish()
const metadata = z.record(z.string(), z.string()).nullish()
/** At most $1B (as every USD amount the API takes), so cents × 10,000 stays a safe integer of microdollars. */
const cents = z.number().int().nonnegative().max(100_000_000_000)

export const StripeEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
})
export type StripeEvent = z.infer<typeof StripeEventSchema>

const CheckoutSession = z.object({
  id: z.string(),
  amount_total: cents.nullish(),
  currency: z.string().nullish(),
  payment_intent: ref,
  payment_status: z.string().nullish(),
  metadata,
})

const PaymentIntent = z.object({ id: z.string(), amount_received: cents, currency: z.string(), metadata })

const Refund = z.object({ id: z.string(), amount: cents, currency: z.string().nullish(), status: z.string().nullish(), payment_intent: ref, metadata })

const Charge = z.object({
  id: z.string(),
  payment_intent: ref,
  metadata,
  // Embedded only by API versions before 2022-11-15; later ones send refund.created instead.
  refunds: z.object({ data: z.array(Refund) }).nullish(),
})

const Dispute = z.object({ id: z.string(), payment_intent: ref, metadata, reason: z.string().nullish() })

export interface LedgerCredit {
  /** The credit event id: PaymentIntent id for payments, refund id for refunds. */
  id: string
  /** Microdollars, negative for a refund. */
  amountMicro: number
  kind: 'topup' | 'refund'
  reason: string
}

/** Whose ledger: `metadata.account_id`, else the account the PaymentIntent was credited to. */
export interface AccountRef {
  accountId: string | null
  paymentIntent: string | null
}

export type StripeAction =
  | { action: 'credit'; account: AccountRef; credits: LedgerCredit[] }
  | { action: 'suspend'; account: AccountRef; reason: string }
  | { action: 'ignore'; reason: string }
  | { action: 'malformed'; field: string }

const ignore = (reason: string): StripeAction => ({ action: 'ignore', reason })

const parse = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | { malformed: string } => {
  const r = schema.safeParse(value)
  return r.success ? r.data : { malformed: `data.object.${r.error.issues[0]?.path.join('.') ?? ''}` }
}

const isMalformed = (v: unknown): v is { malformed: string } => typeof v === 'object' && v !== null && 'malformed' in v

const usd = (currency: string | null | undefined) => (currency ?? 'usd').toLowerCase() === 'usd'

/** A payment that credits the account: its PaymentIntent (or session) id, amount and account. */
const payment = (type: string, id: string, amountCents: number, currency: string | null | undefined, accountId: string | undefined): StripeAction => {
  if (!accountId) return ignore('no metadata.account_id')
  if (!usd(currency)) return ignore(`currency ${currency} is not usd`)
  if (amountCents === 0) return ignore('amount is 0')
  return {
    action: 'credit',
    account: { accountId, paymentIntent: id },
    credits: [{ id, amountMicro: amountCents * MICROS_PER_CENT, kind: 'topup', reason: `stripe ${type}` }],
  }
}

const refunds = (type: string, list: z.infer<typeof Refund>[], account: AccountRef): StripeAction => {
  // A failed or canceled refund returned no money, so it takes no credit back.
  const done = list.filter((r) => r.status !== 'failed' && r.status !== 'canceled' && r.amount > 0 && usd(r.currency))
  if (done.length === 0) return ignore('no refund to debit')
  return { action: 'credit', account, credits: done.map((r) => ({ id: r.id, amountMicro: -r.amount * MICROS_PER_CENT, kind: 'refund', reason: `stripe ${type}` })) }
}

export const interpretStripeEvent = (event: StripeEvent): StripeAction => {
  const object = event.data.object
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const s = parse(CheckoutSession, object)
      if (isMalformed(s)) return { action: 'malformed', field: s.malformed }
      // Delayed payment methods complete unpaid; their money arrives with async_payment_succeeded.
      if (s.payment_status !== 'paid') return ignore(`payment_status is ${s.payment_status}`)
      return payment(event.type, s.payment_intent ?? s.id, s.amount_total ?? 0, s.currency, s.metadata?.account_id)
    }
    case 'payment_intent.succeeded': {
      const pi = parse(PaymentIntent, object)
      if (isMalformed(pi)) return { action: 'malformed', field: pi.malformed }
      return payment(event.type, pi.id, pi.amount_received, pi.currency, pi.metadata?.account_id)
    }
    case 'charge.refunded': {
      const charge = parse(Charge, object)
      if (isMalformed(charge)) return { action: 'malformed', field: charge.malformed }
      if (!charge.refunds) return ignore('the charge does not embed its refunds; refund.created debits them')
      const account = { accountId: charge.metadata?.account_id ?? null, paymentIntent: charge.payment_intent ?? null }
      return refunds(event.type, charge.refunds.data, account)
    }
    case 'refund.created': {
      const refund = parse(Refund, object)
      if (isMalformed(refund)) return { action: 'malformed', field: refund.malformed }
      return refunds(event.type, [refund], { accountId: refund.metadata?.account_id ?? null, paymentIntent: refund.payment_intent ?? null })
    }
    case 'charge.dispute.created': {
      const dispute = parse(Dispute, object)
      if (isMalformed(dispute)) return { action: 'malformed', field: dispute.malformed }
      return {
        action: 'suspend',
        account: { accountId: dispute.metadata?.account_id ?? null, paymentIntent: dispute.payment_intent ?? null },
        reason: `stripe dispute ${dispute.id}${dispute.reason ? ` (${dispute.reason})` : ''}`,
      }
    }
    default:
      return ignore(`event type ${event.type} is not handled`)
  }
}
