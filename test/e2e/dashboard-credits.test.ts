// Credits against npm start: a Stripe payment (a signed webhook) shows in the ledger with the
// balance and the open holds; an API key sees only its own charges; without STRIPE_SECRET_KEY
// (as npm start runs here) "Add credits" says how to turn Checkout on; the way back from Stripe says
// what happened. (Creating a Checkout Session is tested in workers against a fake api.stripe.com.)
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectHealthy, launch, openPage, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** A payment of the dev account, as Stripe would report it, signed with npm start's webhook secret. */
const pay = async (pi: string, cents: number) => {
  const payload = JSON.stringify({
    id: `evt_${pi}`, object: 'event', type: 'payment_intent.succeeded',
    data: { object: { id: pi, object: 'payment_intent', amount_received: cents, currency: 'usd', metadata: { account_id: inject('accountId') } } },
  })
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: inject('stripeWebhookSecret') })
  const res = await fetch(`${inject('baseURL')}/webhooks/stripe`, { method: 'POST', body: payload, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } })
  expect(res.status).toBe(200)
}

const ledgerRows = (page: Page) => page.getByTestId('ledger').locator('tbody tr')

/** Reloads until the ledger lists a row containing `text` (entries reach D1 about a second after they happen). */
const untilListed = (page: Page, text: string) =>
  expect.poll(async () => {
    await page.reload()
    await page.getByTestId('ledger').waitFor()
    return (await ledgerRows(page).allTextContents()).some((t) => t.includes(text))
  }, { timeout: 30_000, interval: 500 }).toBe(true)

describe('dashboard credits', () => {
  it('a management key sees a payment in the ledger, the balance and open holds, and how to turn Checkout on', async () => {
    const pi = `pi_dash_${Date.now()}`
    await pay(pi, 123)
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('managementKey'), '/credits')
    await untilListed(page, pi)
    const row = ledgerRows(page).filter({ hasText: pi })
    expect(await row.locator('th, td').allTextContents()).toEqual([expect.any(String), 'Top-up', `stripe payment_intent.succeeded${pi}`, '–', '$1.23'])
    expect(await page.getByTestId('holds').textContent()).toMatch(/^\$[\d.,]+ \(\d+\)$/)
    await page.getByTestId('balance').waitFor()
    // npm start here has no STRIPE_SECRET_KEY: the page says how to set it, with this account's id.
    await page.getByRole('button', { name: 'Add credits' }).click()
    await expect.poll(() => page.getByText('npx wrangler secret put STRIPE_SECRET_KEY').isVisible()).toBe(true)
    expect(await page.locator('#add-how').textContent()).toContain(inject('accountId'))
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)

  it('an API key sees only its own charges, never the account\'s payments', async () => {
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'a charge for the ledger' }] }),
    })
    expect(res.status).toBe(200)
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/credits')
    const today = new Date().toISOString().slice(0, 10)
    await untilListed(page, today)
    const types = await ledgerRows(page).locator('th').allTextContents()
    expect(types.length).toBeGreaterThan(0)
    expect(new Set(types)).toEqual(new Set(['Usage']))
    expect(await page.getByText('This API key\'s charges, a day at a time.').isVisible()).toBe(true)
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)

  it('says what happened on the way back from Stripe Checkout', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('managementKey'), '/credits')
    await page.goto('/credits?checkout=cancelled')
    await expect.poll(() => page.getByTestId('checkout-note').textContent(), { timeout: 20_000 }).toBe('Checkout was cancelled: nothing was charged.')
    await page.goto('/credits?checkout=success')
    await expect.poll(() => page.getByTestId('checkout-note').textContent(), { timeout: 20_000 }).toMatch(/^Payment received by Stripe/)
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)
})
