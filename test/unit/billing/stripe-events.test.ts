// What each Stripe event means for the ledger: one credit per PaymentIntent, one
// debit per refund, a suspension per dispute, and everything else ignored.
import { describe, expect, it } from 'vitest'
import { interpretStripeEvent, type StripeEvent } from '../../../src/billing/stripe-events.ts'

const event = (type: string, object: Record<string, unknown>): StripeEvent => ({ id: 'evt_1', type, data: { object } })
const meta = { account_id: 'acct_a' }

describe('interpretStripeEvent', () => {
  it('credits a paid Checkout Session under its PaymentIntent id, in microdollars', () => {
    const action = interpretStripeEvent(event('checkout.session.completed', {
      id: 'cs_1', amount_total: 1234, currency: 'usd', payment_intent: 'pi_1', payment_status: 'paid', metadata: meta,
    }))
    expect(action).toEqual({
      action: 'credit',
      account: { accountId: 'acct_a', paymentIntent: 'pi_1' },
      credits: [{ id: 'pi_1', amountMicro: 12_340_000, kind: 'topup', reason: 'stripe checkout.session.completed' }],
    })
  })

  it('credits payment_intent.succeeded under the same id, so one payment counts once', () => {
    const action = interpretStripeEvent(event('payment_intent.succeeded', { id: 'pi_1', amount_received: 1234, currency: 'usd', metadata: meta }))
    expect(action).toMatchObject({ action: 'credit', credits: [{ id: 'pi_1', amountMicro: 12_340_000 }] })
  })

  it('reads an expanded payment_intent object', () => {
    const action = interpretStripeEvent(event('checkout.session.completed', {
      id: 'cs_1', amount_total: 500, currency: 'usd', payment_intent: { id: 'pi_9', object: 'payment_intent' }, payment_status: 'paid', metadata: meta,
    }))
    expect(action).toMatchObject({ credits: [{ id: 'pi_9' }] })
  })

  it('ignores unpaid sessions, other currencies, zero amounts and events without an account', () => {
    const session = { id: 'cs_1', amount_total: 500, currency: 'usd', payment_intent: 'pi_1', payment_status: 'paid', metadata: meta }
    expect(interpretStripeEvent(event('checkout.session.completed', { ...session, payment_status: 'unpaid' })).action).toBe('ignore')
    expect(interpretStripeEvent(event('checkout.session.completed', { ...session, currency: 'eur' })).action).toBe('ignore')
    expect(interpretStripeEvent(event('checkout.session.completed', { ...session, amount_total: 0 })).action).toBe('ignore')
    expect(interpretStripeEvent(event('checkout.session.completed', { ...session, metadata: {} })).action).toBe('ignore')
    expect(interpretStripeEvent(event('customer.created', { id: 'cus_1' }))).toEqual({ action: 'ignore', reason: 'event type customer.created is not handled' })
  })

  it('debits each refund of charge.refunded under its refund id, skipping failed ones', () => {
    const action = interpretStripeEvent(event('charge.refunded', {
      id: 'ch_1', payment_intent: 'pi_1', metadata: {},
      refunds: { data: [
        { id: 're_1', amount: 200, currency: 'usd', status: 'succeeded' },
        { id: 're_2', amount: 100, currency: 'usd', status: 'failed' },
        { id: 're_3', amount: 50, currency: 'usd', status: 'pending' },
      ] },
    }))
    expect(action).toEqual({
      action: 'credit',
      account: { accountId: null, paymentIntent: 'pi_1' },
      credits: [
        { id: 're_1', amountMicro: -2_000_000, kind: 'refund', reason: 'stripe charge.refunded' },
        { id: 're_3', amountMicro: -500_000, kind: 'refund', reason: 'stripe charge.refunded' },
      ],
    })
  })

  it('debits refund.created under the same refund id', () => {
    expect(interpretStripeEvent(event('refund.created', { id: 're_1', amount: 200, currency: 'usd', status: 'succeeded', payment_intent: 'pi_1' })))
      .toMatchObject({ action: 'credit', credits: [{ id: 're_1', amountMicro: -2_000_000 }] })
  })

  it('suspends on a dispute', () => {
    expect(interpretStripeEvent(event('charge.dispute.created', { id: 'dp_1', payment_intent: 'pi_1', reason: 'fraudulent' }))).toEqual({
      action: 'suspend', account: { accountId: null, paymentIntent: 'pi_1' }, reason: 'stripe dispute dp_1 (fraudulent)',
    })
  })

  it('names the malformed field of a handled event', () => {
    expect(interpretStripeEvent(event('payment_intent.succeeded', { id: 'pi_1', amount_received: '12', currency: 'usd' })))
      .toEqual({ action: 'malformed', field: 'data.object.amount_received' })
  })
})
