// Activity and Credits against npm start: requests made through the API show up in the
// activity chart's figures (attributed to a fresh app title, so other tests' traffic does not
// count), and the balance on Credits is /credits' to the cent.
import { randomUUID } from 'node:crypto'
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

const chat = (key: string, title: string, content: string) =>
  fetch(`${inject('baseURL')}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'X-OpenRouter-Title': title },
    body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content }] }),
  })

/** What the page shows instead, for a failure's message: the rows of the table, or the page's text. */
const seen = async (page: Page) =>
  `not yet; rows: ${(await page.locator('tbody tr').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.series))).join(', ') || (await page.locator('#page-root').textContent())}`

describe('dashboard activity', () => {
  it('shows requests made through the API in the activity chart, by app', async () => {
    const title = `dashboard-e2e-${randomUUID().slice(0, 8)}`
    for (const word of ['one', 'two', 'three']) expect((await chat(inject('apiKey'), title, `activity ${word}`)).status).toBe(200)

    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'))
    await page.getByLabel('Stack by').selectOption('app')
    const row = page.locator(`tr[data-series="${title}"]`)
    // Generations reach D1 about a second after they end (the gate flushes in batches): refresh until they are there.
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      return (await row.count()) > 0 ? row.locator('td').first().textContent() : seen(page)
    }, { timeout: 30_000, interval: 500 }).toBe('3')

    // The chart is drawn, on the same figures.
    const box = await page.getByRole('img', { name: /^Spend per day/ }).boundingBox()
    expect(box?.width).toBeGreaterThan(100)
    expect(box?.height).toBeGreaterThan(100)
    for (const name of ['1 day', '30 days']) {
      await page.getByRole('button', { name }).click()
      expect(await row.locator('td').first().textContent()).toBe('3')
    }
    await page.getByRole('button', { name: 'Requests', exact: true }).click()
    expect(await page.getByRole('button', { name: 'Requests', exact: true }).getAttribute('aria-pressed')).toBe('true')
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)

  it('an API key sees only its own usage; the management key sees the account', async () => {
    const title = `dashboard-e2e-${randomUUID().slice(0, 8)}`
    expect((await chat(inject('apiKey'), title, 'whose usage')).status).toBe(200)
    const w = await openPage(browser)
    await signIn(w.page, inject('managementKey'))
    await expect.poll(() => w.page.getByText('Usage of the whole account').count()).toBe(1)
    await w.page.getByLabel('Stack by').selectOption('app')
    await expect.poll(async () => {
      await w.page.getByRole('button', { name: 'Refresh' }).click()
      return (await w.page.locator(`tr[data-series="${title}"]`).count()) === 1 ? 'shown' : seen(w.page)
    }, { timeout: 30_000, interval: 500 }).toBe('shown')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 90_000)

  it('shows the balance of /credits, to the cent', async () => {
    const w = await openPage(browser)
    await signIn(w.page, inject('apiKey'), '/credits')
    const fromApi = async () => {
      const res = await fetch(`${inject('baseURL')}/credits`, { headers: { Authorization: `Bearer ${inject('apiKey')}` } })
      const { data } = (await res.json()) as { data: { total_credits: number; total_usage: number } }
      const cents = Math.round((Math.round(data.total_credits * 1e6) - Math.round(data.total_usage * 1e6)) / 1e4)
      return `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`
    }
    // Other tests spend on the same account meanwhile: compare a fresh page with a fresh answer.
    await expect.poll(async () => {
      await w.page.reload()
      const shown = await w.page.getByTestId('balance').textContent()
      return shown === (await fromApi())
    }, { timeout: 20_000, interval: 500 }).toBe(true)
    await w.page.getByRole('button', { name: 'Add credits' }).click()
    await expect.poll(() => w.page.getByText('STRIPE_WEBHOOK_SECRET').isVisible()).toBe(true)
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)
})
