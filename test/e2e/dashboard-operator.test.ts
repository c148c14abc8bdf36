// The operator view against npm start, signed in with the ADMIN_TOKEN npm start generated:
// every account listed with its balance; create an account with credit, grant more, mint a key
// (used at once for a completion charged to that account), suspend and resume it, each checked
// against the operator API; account pages say they need a key.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { adminToken, expectHealthy, launch, openPage, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

interface Account { id: string; name: string; status: string; balance: number }
const listed = async (): Promise<Account[]> =>
  ((await (await fetch(`${inject('baseURL')}/admin/accounts?limit=100`, { headers: { Authorization: `Bearer ${adminToken()}` } })).json()) as { data: Account[] }).data

describe('dashboard operator view', () => {
  it('lists accounts, creates one, grants credit, mints a key that answers, suspends and resumes it', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, adminToken(), '/admin')
    await page.locator(`tr[data-account="${inject('accountId')}"]`).waitFor()
    expect(await page.content()).not.toContain(adminToken())

    const name = `Dashboard e2e ${randomUUID().slice(0, 8)}`
    await page.getByLabel('Name').fill(name)
    await page.getByLabel('Initial credit (USD)').fill('5')
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Created ${name}`)
    const account = (await listed()).find((a) => a.name === name)
    expect(account).toMatchObject({ status: 'active', balance: 5 })
    const row = page.locator(`tr[data-account="${account?.id}"]`)
    expect(await row.textContent()).toContain('$5.00')

    await page.getByRole('button', { name: `Grant credit to ${name}` }).click()
    await page.getByLabel('Amount (USD)').fill('2.5')
    await page.getByLabel('Reason').fill('dashboard e2e grant')
    await page.getByRole('button', { name: 'Grant', exact: true }).click()
    await expect.poll(() => row.textContent()).toContain('$7.50')
    expect((await listed()).find((a) => a.id === account?.id)?.balance).toBe(7.5)

    // A key minted on the row answers a completion, charged to the new account.
    await page.getByRole('button', { name: `New key for ${name}` }).click()
    await page.getByLabel('Key name').fill('first key')
    await page.getByRole('button', { name: 'Create key', exact: true }).click()
    const secret = (await page.getByTestId('new-key-secret').textContent()) ?? ''
    expect(secret).toMatch(/^sk-sb-v1-/)
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'minted in the operator view' }] }),
    })
    expect(res.status).toBe(200)
    const cost = ((await res.json()) as { usage: { cost: number } }).usage.cost
    expect(cost).toBeGreaterThan(0)
    await expect.poll(async () => (await listed()).find((a) => a.id === account?.id)?.balance).toBeLessThan(7.5)
    await page.getByRole('button', { name: 'Done' }).click()
    expect(await page.getByTestId('new-key-secret').count()).toBe(0)

    // Its usage over the last 30 days shows that completion, once the rollups have it.
    await expect.poll(async () => {
      await page.getByRole('button', { name: `Usage of ${name}` }).click()
      await page.getByTestId('account-usage').waitFor()
      const text = await page.getByTestId('account-spend').textContent()
      await page.getByRole('button', { name: `Usage of ${name}` }).click()
      return text
    }, { timeout: 30_000, interval: 500 }).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(cost))
    await page.getByRole('button', { name: `Usage of ${name}` }).click()
    await page.getByRole('img', { name: `${name}: spend per day over the last 30 days` }).waitFor()
    await expectHealthy(w)
    await page.getByRole('button', { name: `Usage of ${name}` }).click()

    await page.getByRole('button', { name: `Suspend ${name}` }).click()
    await expect.poll(() => row.textContent()).toContain('Suspended')
    expect((await listed()).find((a) => a.id === account?.id)?.status).toBe('suspended')
    await page.getByRole('button', { name: `Resume ${name}` }).click()
    await expect.poll(() => row.textContent()).toContain('Active')
    expect((await listed()).find((a) => a.id === account?.id)?.status).toBe('active')
    await expectHealthy(w)

    // The token belongs to no account: account pages say so instead of failing.
    await page.goto('/')
    await expect.poll(() => page.getByText('belongs to no account').count()).toBe(1)
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 90_000)
})
