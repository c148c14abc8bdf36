// Stripe webhooks with signatures made by the stripe SDK: payments credit once per
// PaymentIntent however often and concurrently delivered (I3), refunds debit once per
// refund, disputes suspend, and nothing bad or unknown moves money.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { accounts, creditEvents } from '../../src/db/schema.ts'
import { gateFor } from '../../src/objects/clients.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush, ledgerBalance } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { postStripe, secrets, stripeEvents, uniq } from '../helpers/webhooks.ts'

const balance = async (accountId: string) => (await gateFor(env, accountId).snapshot(accountId)).balanceMicro
const ask = { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }

describe('Stripe webhook', () => {
  it('credits a paid Checkout Session, and payment_intent.succeeded for the same payment adds nothing', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const pi = uniq('pi')
    const res = await postStripe(stripeEvents.checkoutCompleted(accountId, pi, 1234))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, account_id: accountId, applied: 1, duplicates: 0 })
    expect(await balance(accountId)).toBe(1_000_000 + 12_340_000)
    const again = await postStripe(stripeEvents.paymentSucceeded(accountId, pi, 1234))
    expect(await again.json()).toMatchObject({ applied: 0, duplicates: 1 })
    expect(await balance(accountId)).toBe(13_340_000)
    // The client sees the new balance at once.
    expect((await (await call('/credits', { key })).json<any>()).data.total_credits).toBe(13.34)
    await flush(accountId)
    const rows = await createDb(env.DB).select().from(creditEvents).where(eq(creditEvents.id, pi))
    expect(rows).toMatchObject([{ accountId, amountMicro: 12_340_000, kind: 'topup' }])
  })

  it('credits once when the same event is delivered 100 times at once', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const pi = uniq('pi')
    const event = stripeEvents.paymentSucceeded(accountId, pi, 500)
    const results = await Promise.all(Array.from({ length: 100 }, () => postStripe(event)))
    expect(results.every((r) => r.status === 200)).toBe(true)
    const bodies = await Promise.all(results.map((r) => r.json<any>()))
    expect(bodies.filter((b) => b.applied === 1)).toHaveLength(1)
    expect(await balance(accountId)).toBe(5_000_000)
    // Both events of the payment, interleaved, 50 each: still once.
    const pi2 = uniq('pi')
    await Promise.all(Array.from({ length: 50 }, (_, i) => postStripe(i % 2 ? stripeEvents.paymentSucceeded(accountId, pi2, 700) : stripeEvents.checkoutCompleted(accountId, pi2, 700))))
    expect(await balance(accountId)).toBe(12_000_000)
    await flush(accountId)
    expect(await ledgerBalance(accountId)).toBe(12_000_000)
  }, 30_000)

  it('refuses a tampered body, a wrong secret, a stale or missing signature, and malformed JSON: 400, nothing credited', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const event = stripeEvents.paymentSucceeded(accountId, uniq('pi'), 100_000)
    const tampered = JSON.stringify(event).replace('100000', '999999')
    const cases = [
      await postStripe(event, { body: tampered }),
      await postStripe(event, { secret: 'whsec_not_the_secret' }),
      await postStripe(event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      await call('/webhooks/stripe', { method: 'POST', body: JSON.stringify(event) }),
      await call('/webhooks/stripe', { method: 'POST', body: JSON.stringify(event), headers: { 'stripe-signature': 'garbage' } }),
      await postStripe('{"id": "evt_1", "type": '),
      await postStripe({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_x', amount_received: 'lots', currency: 'usd' } } }),
    ]
    const messages: string[] = []
    for (const res of cases) {
      expect(res.status).toBe(400)
      const body = await res.json<any>()
      expect(body.error).toMatchObject({ code: 400, metadata: { error_type: 'invalid_request' } })
      messages.push(body.error.message)
    }
    expect(messages.slice(0, 5)).toEqual([
      'No signature matches the payload: check the signing secret, and that the raw body is sent unchanged',
      'No signature matches the payload: check the signing secret, and that the raw body is sent unchanged',
      'The signature timestamp is outside the 5-minute tolerance',
      'Missing stripe-signature header',
      'Malformed stripe-signature header: expected t=<unix seconds>,v1=<hex HMAC-SHA256>',
    ])
    expect(messages[5]).toBe('Invalid JSON in request body')
    expect(messages[6]).toContain('amount_received')
    for (const m of messages) expect(m).not.toContain(secrets().stripe)
    expect(await balance(accountId)).toBe(0)
  })

  it('answers 404 for an unknown account, and 200 (ignored) for unknown event types and payments that are not ours', async () => {
    const pi = uniq('pi')
    const unknown = await postStripe(stripeEvents.paymentSucceeded('acct_doesnotexist', pi, 100))
    expect(unknown.status).toBe(404)
    expect((await unknown.json<any>()).error).toMatchObject({ code: 404, message: 'Account acct_doesnotexist not found' })
    const other = await postStripe({ id: 'evt_x', type: 'customer.subscription.updated', data: { object: { id: 'sub_1' } } })
    expect(other.status).toBe(200)
    expect(await other.json()).toEqual({ received: true, ignored: 'event type customer.subscription.updated is not handled' })
    const noAccount = stripeEvents.paymentSucceeded('x', pi, 100)
    noAccount.data.object.metadata = {} as { account_id: string }
    expect(await (await postStripe(noAccount)).json()).toEqual({ received: true, ignored: 'no metadata.account_id' })
    // A refund of a payment we never credited is not ours either.
    expect(await (await postStripe(stripeEvents.chargeRefunded(uniq('pi'), [{ id: uniq('re'), cents: 100 }]))).json())
      .toEqual({ received: true, ignored: 'no account for this payment' })
  })

  it('debits each refund once, finding the account through its PaymentIntent', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const pi = uniq('pi')
    await postStripe(stripeEvents.checkoutCompleted(accountId, pi, 2000))
    await flush(accountId) // the refund finds the account by the PaymentIntent's credit in D1
    const re1 = uniq('re')
    const first = stripeEvents.chargeRefunded(pi, [{ id: re1, cents: 500 }])
    await Promise.all(Array.from({ length: 10 }, () => postStripe(first)))
    expect(await balance(accountId)).toBe(15_000_000)
    // A second partial refund: Stripe lists both refunds on the charge; only the new one debits.
    const re2 = uniq('re')
    const res = await postStripe(stripeEvents.chargeRefunded(pi, [{ id: re1, cents: 500 }, { id: re2, cents: 250 }]))
    expect(await res.json()).toMatchObject({ applied: 1, duplicates: 1 })
    // refund.created for a refund already debited changes nothing.
    await postStripe({ id: uniq('evt'), type: 'refund.created', data: { object: { id: re2, amount: 250, currency: 'usd', status: 'succeeded', payment_intent: pi } } })
    expect(await balance(accountId)).toBe(12_500_000)
    await flush(accountId)
    const refunds = await createDb(env.DB).select().from(creditEvents).where(eq(creditEvents.accountId, accountId))
    expect(refunds.filter((r) => r.kind === 'refund').map((r) => r.amountMicro).sort((a, b) => a - b)).toEqual([-5_000_000, -2_500_000])
  })

  it('suspends the account on a dispute: 402 on chat until reactivated', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 0 })
    const pi = uniq('pi')
    await postStripe(stripeEvents.paymentSucceeded(accountId, pi, 1000))
    expect((await chat(key, ask)).status).toBe(200)
    await flush(accountId)
    const res = await postStripe(stripeEvents.disputeCreated(pi))
    expect(await res.json()).toEqual({ received: true, account_id: accountId, suspended: true })
    const refused = await chat(key, ask)
    expect(refused.status).toBe(402)
    expect((await refused.json<any>()).error.message).toContain('suspended')
    const [row] = await createDb(env.DB).select().from(accounts).where(eq(accounts.id, accountId))
    expect(row?.status).toBe('suspended')
    const reactivated = await call(`/admin/accounts/${accountId}/reactivate`, { method: 'POST', headers: { authorization: `Bearer ${secrets().admin}` } })
    expect(reactivated.status).toBe(200)
    expect((await chat(key, ask)).status).toBe(200)
  })

  it('keeps the D1 ledger equal to the gate balance after top-ups, refunds and usage (I2, I3)', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 0 })
    const pis = [uniq('pi'), uniq('pi'), uniq('pi')]
    for (const [i, pi] of pis.entries()) await postStripe(stripeEvents.checkoutCompleted(accountId, pi, 1000 * (i + 1)))
    const spent = await Promise.all(Array.from({ length: 20 }, () => chat(key, ask)))
    expect(spent.every((r) => r.status === 200)).toBe(true)
    await flush(accountId)
    await postStripe(stripeEvents.chargeRefunded(pis[0]!, [{ id: uniq('re'), cents: 300 }]))
    await postStripe(stripeEvents.paymentSucceeded(accountId, pis[1]!, 2000)) // a repeat: nothing
    await flush(accountId)
    const snap = await gateFor(env, accountId).snapshot(accountId)
    expect(snap.totalCreditsMicro).toBe(60_000_000 - 3_000_000)
    expect(snap.balanceMicro).toBe(snap.totalCreditsMicro - snap.totalUsageMicro)
    expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro)
  })
})
