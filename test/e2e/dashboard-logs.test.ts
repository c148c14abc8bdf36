// Logs against npm start: a generation made through the API, which fell back from one fake
// provider to the other, is found in Logs and opens on its detail with both attempts.
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

describe('dashboard logs', () => {
  it('finds a generation in Logs and shows its attempts', async () => {
    const title = `logs-e2e-${randomUUID().slice(0, 8)}`
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json', 'X-OpenRouter-Title': title },
      body: JSON.stringify({ model: 'fake/echo', provider: { order: ['fake', 'fake-eu'] }, messages: [{ role: 'user', content: 'hi [[fake status=502 on=fake]]' }] }),
    })
    expect(res.status).toBe(200)
    const { id } = (await res.json()) as { id: string }

    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/logs')
    await page.getByLabel('App').fill(title)
    await page.getByRole('button', { name: 'Apply' }).click()
    const row = page.locator(`tr[data-generation="${id}"]`)
    // Written about a second after the request (the gate flushes in batches): refresh until it is listed.
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      return row.count()
    }, { timeout: 30_000, interval: 500 }).toBe(1)
    expect(await row.textContent()).toContain('Switchboard Fake EU')
    expect(await row.textContent()).toContain('success')
    await expectHealthy(w)

    await row.getByRole('link').click()
    await page.waitForURL((url) => url.pathname === `/logs/${id}`)
    const attempts = page.getByTestId('attempts').locator('tbody tr')
    await expect.poll(() => attempts.count(), { timeout: 20_000 }).toBe(2)
    const cells = (i: number) => attempts.nth(i).locator('th, td').allTextContents()
    expect(await cells(0)).toEqual(['1', 'Switchboard Fake', 'fake/echo@fake', '502', expect.stringMatching(/ms$/)])
    expect(await cells(1)).toEqual(['2', 'Switchboard Fake EU', 'fake/echo@fake-eu', '200', expect.stringMatching(/ms$/)])
    expect(await page.getByRole('heading', { name: 'Summary' }).count()).toBe(1)
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)

  it('explains a generation\'s routing (the endpoint skipped and why) and splits its cost', async () => {
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', provider: { only: ['fake-eu'] }, messages: [{ role: 'user', content: 'route me [[fake reasoning]]' }] }),
    })
    expect(res.status).toBe(200)
    const { id, usage } = (await res.json()) as { id: string; usage: { cost: number } }
    // Written about a second after the request (until then /generation is a 404, which the browser would log).
    await expect.poll(async () => (await fetch(`${inject('baseURL')}/generation?id=${id}`, { headers: { Authorization: `Bearer ${inject('apiKey')}` } })).status, { timeout: 30_000, interval: 250 }).toBe(200)
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), `/logs/${id}`)
    await page.getByTestId('routing').waitFor()
    expect(await page.getByTestId('routing-summary').textContent()).toMatch(/1 skipped \(not_in_only\); served by Switchboard Fake EU/)
    const rows = await page.getByTestId('routing').locator('tbody tr').allTextContents()
    expect(rows).toEqual([expect.stringMatching(/^Switchboard Fake EU fake-eu.*served$/), expect.stringMatching(/^fake.*skipped: not in provider\.only$/)])
    // The parts shown add up to the charged total (each to the microdollar).
    const parts = await page.getByTestId('cost-breakdown').locator('dd').allTextContents()
    expect(parts.length).toBeGreaterThanOrEqual(3)
    const micro = (text: string) => Math.round(Number(text.replace(/[$,]/g, '')) * 1e6)
    expect(parts.reduce((s, t) => s + micro(t), 0)).toBe(Math.round(usage.cost * 1e6))
    expect(await page.getByTestId('cost-breakdown').textContent()).toContain('Reasoning')
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)
})
