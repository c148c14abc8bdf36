// GET /credits/ledger, /credits/holds and /credits/checkout, POST /credits/checkout: the Credits
// page's reads and its Stripe Checkout action, after real requests, payments and grants.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createCheckoutSession } from '../../src/billing/checkout.ts'
import { createDb } from '../../src/db/client.ts'
import { creditEvents } from '../../src/db/schema.ts'
import { GatewayError } from '../../src/errors.ts'
import { gateFor } from '../../src/objects/clients.ts'
import { FAKE_STRIPE_SECRET_KEY } from '../fakes/stripe.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'
import { receivedWith } from '../helpers/upstream-log.ts'
import { postStripe, stripeEvents, uniq } from '../helpers/webhooks.ts'

interface Entry { id: string; type: string; amount: number; created_at: string; description: string | null; requests: number | null }
interface Page { data: Entry[]; scope: string; next_cursor: string | null }

const micro = (d: number) => Math.round(d * 1_000_000)
const ask = (text: string) => ({ model: 'fake/echo', messages: [{ role: 'user', content: text }] })
const costOf = async (res: Response) => micro((await res.json<{ usage: { cost: number } }>()).usage.cost)
const ledger = async (key: string, query = '') => (await call(`/credits/ledger${query}`, { key })).json<Page>()

/** Every entry, following next_cursor a page of `limit` at a time. */
const walk = async (key: string, limit: number) => {
  const all: Entry[] = []
  let cursor: string | null = null
  do {
    const page: Page = await ledger(key, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    expect(page.data.length).toBeLessThanOrEqual(limit)
    all.push(...page.data)
    cursor = page.next_cursor
  } while (cursor)
  return all
}

describe('GET /credits/ledger', () => {
  it('lists top-ups, refunds, grants and the day\'s charges newest first, and adds up to the balance to the microdollar', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 5_000_000 })
    const manager = await addKey(accountId, 'management')
    const other = await addKey(accountId)
    const pi = uniq('pi')
    expect((await postStripe(stripeEvents.checkoutCompleted(accountId, pi, 2500))).status).toBe(200)
    expect((await postStripe(stripeEvents.chargeRefunded(pi, [{ id: uniq('re'), cents: 500 }], { account_id: accountId }))).status).toBe(200)
    const mine = (await costOf(await chat(key, ask('ledger one')))) + (await costOf(await chat(key, ask('ledger two'))))
    const theirs = await costOf(await chat(other.key, ask('ledger three')))
    await flush(accountId)

    const page = await ledger(manager.key)
    expect(page.scope).toBe('account')
    expect(page.data.map((e) => e.type).sort()).toEqual(['charge', 'grant', 'refund', 'topup'])
    const byType = Object.fromEntries(page.data.map((e) => [e.type, e]))
    expect(micro(byType.topup!.amount)).toBe(25_000_000)
    expect(byType.topup!.id).toBe(pi)
    expect(micro(byType.refund!.amount)).toBe(-5_000_000)
    expect(micro(byType.grant!.amount)).toBe(5_000_000)
    expect(micro(byType.charge!.amount)).toBe(-(mine + theirs))
    expect(byType.charge!.requests).toBe(3)
    expect(byType.charge!.description).toMatch(/^Usage on \d{4}-\d{2}-\d{2} \(UTC\)$/)
    // Newest first, by time then id.
    const order = page.data.map((e) => `${Date.parse(e.created_at).toString().padStart(15, '0')}.${e.id}`)
    expect(order).toEqual([...order].sort().reverse())
    // The ledger is the balance: credits minus charges, exactly.
    const credits = (await (await call('/credits', { key: manager.key })).json<{ data: { total_credits: number; total_usage: number } }>()).data
    expect(page.data.reduce((s, e) => s + micro(e.amount), 0)).toBe(micro(credits.total_credits) - micro(credits.total_usage))

    // An API key sees only its own charges; another account sees none of these.
    const own = await ledger(key)
    expect(own.scope).toBe('key')
    expect(own.data.map((e) => [e.type, micro(e.amount), e.requests])).toEqual([['charge', -mine, 2]])
    const stranger = await seedAccount()
    expect((await ledger(stranger.key)).data).toEqual([])
  })

  it('pages by cursor: any page size walks the same entries, each once', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 1_000_000 })
    const manager = await addKey(accountId, 'management')
    for (let i = 0; i < 4; i++) expect((await postStripe(stripeEvents.paymentSucceeded(accountId, uniq('pi'), 100 + i))).status).toBe(200)
    await flush(accountId)
    // An operator's id may be any printable ASCII: it must survive the cursor too.
    const odd = `grant/1?x=y&z='"%2F#${accountId}`
    await createDb(env.DB).insert(creditEvents).values({ id: odd, accountId, amountMicro: 1, kind: 'grant', reason: 'odd id', createdAt: Date.now() - 1000 })
    const whole = (await ledger(manager.key)).data
    expect(whole).toHaveLength(6)
    expect(whole.map((e) => e.id)).toContain(odd)
    for (const limit of [1, 2, 3]) expect(await walk(manager.key, limit)).toEqual(whole)
  })

  it('refuses a bad limit or cursor with a 400, and no key with a 401', async () => {
    const { key } = await seedAccount()
    for (const q of ['?limit=0', '?limit=201', '?limit=x', '?cursor=nope', '?cursor=12.', '?cursor=1.a%20b', `?cursor=1.${'a'.repeat(221)}`]) {
      const res = await call(`/credits/ledger${q}`, { key })
      expect(res.status, q).toBe(400)
      expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/limit|cursor/)
    }
    expect((await call('/credits/ledger')).status).toBe(401)
    expect((await call('/credits/holds')).status).toBe(401)
    expect((await call('/credits/checkout', { method: 'POST', json: { amount: 10 } })).status).toBe(401)
  })
})

describe('GET /credits/holds', () => {
  it('shows a request\'s hold while it runs, and none once it is settled', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 3_000_000 })
    const holds = async () => (await (await call('/credits/holds', { key })).json<{ data: { count: number; amount: number; available: number } }>()).data
    expect(await holds()).toEqual({ count: 0, amount: 0, available: 3 })
    // A stream whose first token takes 5 s: the hold stays open until it ends.
    const running = chat(key, { ...ask('held [[fake ttft_ms=5000]]'), stream: true })
    await expect.poll(async () => (await holds()).count, { timeout: 20_000, interval: 50 }).toBe(1)
    const during = await holds()
    const snap = await gateFor(env, accountId).snapshot(accountId)
    expect(micro(during.amount)).toBeGreaterThan(0)
    expect(micro(during.amount)).toBe(snap.heldMicro)
    expect(micro(during.available)).toBe(3_000_000 - snap.heldMicro)
    const res = await running
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('[DONE]')
    await expect.poll(async () => (await holds()).count, { timeout: 20_000, interval: 50 }).toBe(0)
    expect((await holds()).amount).toBe(0)
  })
})

describe('Stripe Checkout', () => {
  it('a management key creates a Checkout Session for its account; its payment credits the account', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const manager = await addKey(accountId, 'management')
    expect((await (await call('/credits/checkout', { key: manager.key })).json<{ data: unknown }>()).data).toEqual({ enabled: true, min_amount: 1, max_amount: 10_000, currency: 'usd' })
    const res = await call('/credits/checkout', { method: 'POST', key: manager.key, json: { amount: 12.34 } })
    const text = await res.text()
    expect(res.status, text).toBe(200)
    expect(text).not.toContain(FAKE_STRIPE_SECRET_KEY)
    const { data } = JSON.parse(text) as { data: { id: string; url: string } }
    expect(data.id).toMatch(/^cs_test_/)
    expect(data.url).toBe(`https://checkout.stripe.com/c/pay/${data.id}`)

    // What reached Stripe: a form with the amount and the account in both metadata, back to the Credits page.
    const sent = (await receivedWith(accountId)).filter((r) => r.host === 'api.stripe.com')
    expect(sent).toHaveLength(1)
    expect(sent[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${FAKE_STRIPE_SECRET_KEY}`)
    expect(sent[0]?.headers['idempotency-key']).toBeTruthy()
    const form = Object.fromEntries(new URLSearchParams(sent[0]?.body))
    expect(form).toEqual({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '1234',
      'line_items[0][price_data][product_data][name]': 'Switchboard credit',
      client_reference_id: accountId,
      'metadata[account_id]': accountId,
      'payment_intent_data[metadata][account_id]': accountId,
      success_url: 'https://gateway.test/credits?checkout=success',
      cancel_url: 'https://gateway.test/credits?checkout=cancelled',
    })

    // Stripe then reports the paid session, with the metadata it was given: the webhook credits it.
    const pi = uniq('pi')
    const paid = await postStripe(stripeEvents.checkoutCompleted(form['metadata[account_id]'] ?? '', pi, Number(form['line_items[0][price_data][unit_amount]'])))
    expect(await paid.json()).toMatchObject({ account_id: accountId, applied: 1 })
    expect((await gateFor(env, accountId).snapshot(accountId)).balanceMicro).toBe(1_000_000 + 12_340_000)
    // An API key reads the setting but may not pay.
    expect((await call('/credits/checkout', { key })).status).toBe(200)
    const refused = await call('/credits/checkout', { method: 'POST', key, json: { amount: 10 } })
    expect(refused.status).toBe(403)
    expect((await refused.json<{ error: { message: string } }>()).error.message).toBe('Only a management key can add credits')
  })

  it('refuses amounts out of range, in fractions of a cent, or of the wrong type, and sends nothing to Stripe', async () => {
    const { accountId } = await seedAccount()
    const manager = await addKey(accountId, 'management')
    for (const body of [{ amount: 0.5 }, { amount: 10_000.01 }, { amount: 5.001 }, { amount: '10' }, {}, { amount: 10, currency: 'eur' }]) {
      const res = await call('/credits/checkout', { method: 'POST', key: manager.key, json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/^Invalid request: /)
    }
    const bad = await call('/credits/checkout', { method: 'POST', key: manager.key, body: 'not json', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect((await receivedWith(accountId)).filter((r) => r.host === 'api.stripe.com')).toEqual([])
  })

  it('a key Stripe refuses is a 502 that names the setting, never the key Stripe quoted', async () => {
    const wrong = 'sk_test_wrong_key_abcdefghijklmnop'
    const err = await createCheckoutSession(wrong, { accountId: 'acct_x', amountCents: 1000, returnUrl: 'https://gw.example/credits' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GatewayError)
    const message = (err as GatewayError).message
    expect(message).toBe('Stripe refused the Checkout Session (HTTP 401: invalid_request_error, api_key_invalid); check STRIPE_SECRET_KEY')
    expect(message).not.toMatch(/sk_test|mnop/)
  })
})
