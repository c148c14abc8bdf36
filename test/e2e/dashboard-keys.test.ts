// Keys against npm start, signed in with the dev management key: create a key (its secret
// shown once, and copied), use it for a completion, rename it and change its limit, disable
// it (the API then refuses it), delete it.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectHealthy, launch, openPage, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const complete = (key: string) =>
  fetch(`${inject('baseURL')}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi from a dashboard key' }] }),
  })

describe('dashboard keys', () => {
  it('creates a key that works, edits, disables and deletes it', async () => {
    const w = await openPage(browser)
    const { page, context } = w
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await signIn(page, inject('managementKey'), '/keys')
    const name = `dash-${randomUUID().slice(0, 8)}`

    await page.getByLabel('Name').fill(name)
    await page.getByLabel('Credit limit (USD)').fill('2')
    await page.getByLabel('Limit resets').selectOption('monthly')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = (await page.getByTestId('new-key-secret').textContent()) ?? ''
    expect(secret).toMatch(/^sk-sb-v1-[0-9a-f]{64}$/)
    await page.getByRole('button', { name: 'Copy key' }).click()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)

    const res = await complete(secret)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('You said: hi from a dashboard key')

    await page.getByRole('button', { name: 'Done' }).click()
    expect(await page.getByTestId('new-key-secret').count()).toBe(0)
    const row = page.locator(`tr[data-key="${name}"]`)
    expect(await row.textContent()).toContain('of $2.00 (monthly)')

    await page.getByRole('button', { name: `Edit ${name}` }).click()
    await page.getByLabel('Name').nth(1).fill(`${name}-renamed`)
    await page.locator(`tr[data-key="${name}"]`).getByLabel('Credit limit (USD)').fill('3')
    await page.getByRole('button', { name: 'Save' }).click()
    const renamed = page.locator(`tr[data-key="${name}-renamed"]`)
    await expect.poll(() => renamed.textContent()).toContain('of $3.00 (monthly)')

    await page.getByRole('button', { name: `Disable ${name}-renamed` }).click()
    await expect.poll(() => renamed.textContent()).toContain('Disabled')
    expect((await complete(secret)).status).toBe(401)

    await page.getByRole('button', { name: `Delete ${name}-renamed` }).click()
    await page.getByRole('button', { name: `Confirm deleting ${name}-renamed` }).click()
    await expect.poll(() => renamed.count()).toBe(0)
    await expectHealthy(w)
    await context.close()
  }, 90_000)

  it('tells an API key that keys need a management key', async () => {
    const w = await openPage(browser)
    await signIn(w.page, inject('apiKey'), '/keys')
    await expect.poll(() => w.page.getByText('managed with a management key').count()).toBe(1)
    expect(await w.page.getByRole('button', { name: 'Create key' }).count()).toBe(0)
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)
})
