// Rankings against npm start: an app's requests made through the API appear on the leaderboard
// under its title and its site's host (never the referer's path or query), with the model's row;
// nothing of the account or its keys is on the page; the operator's token reads it too. Every
// view: no console errors, no serious axe violation; screenshots in light and dark.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { adminToken, expectHealthy, launch, openPage, screenshot, signIn } from './dashboard-browser.ts'

let browser: Browser
const id = randomUUID().slice(0, 8)
const title = `Rankings e2e ${id}`
const host = `rank-${id}.example`

beforeAll(async () => {
  browser = await launch()
  // A long prompt, so the app ranks near the top by tokens whatever else the run sends.
  for (const word of ['one', 'two', 'three']) {
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json',
        'X-OpenRouter-Title': title, 'HTTP-Referer': `https://${host}/private/path?token=hidden-${id}`,
      },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: `${word} ${'rank '.repeat(8_000)}` }] }),
    })
    expect(res.status).toBe(200)
  }
})
afterAll(async () => {
  await browser?.close()
})

describe('dashboard rankings', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`lists an app's requests under its title and host, with no account data (${scheme})`, async () => {
      const w = await openPage(browser, scheme)
      const { page } = w
      await signIn(page, inject('apiKey'), '/')
      await page.getByRole('navigation').getByRole('link', { name: 'Rankings' }).click()
      await page.waitForURL((url) => url.pathname === '/rankings')
      const row = page.locator(`tr[data-rank-name="${title}"]`)
      // Generations reach D1 about a second after they end: refresh until the app is there.
      await expect.poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click()
        return (await row.count()) > 0 ? row.locator('td').nth(2).textContent() : 'not yet'
      }, { timeout: 30_000, interval: 500 }).toBe('3')
      expect(await row.getByRole('rowheader').textContent()).toBe(`${title} · ${host}`)
      await page.locator('tr[data-rank-name="fake/echo"]').waitFor()
      // The chart is drawn.
      const box = await page.locator('canvas[role="img"]').first().boundingBox()
      expect(box?.height).toBeGreaterThan(100)
      const html = await page.content()
      for (const secret of [inject('apiKey'), inject('accountId'), `hidden-${id}`, '/private/path']) expect(html).not.toContain(secret)
      await expectHealthy(w)
      await screenshot(page, `rankings-${scheme}`, true)

      // Ranked by requests over 30 days: the choice is pressed and the app still listed with its 3.
      await page.getByRole('button', { name: 'Requests', exact: true }).click()
      await page.getByRole('button', { name: '30 days' }).click()
      expect(await page.getByRole('button', { name: 'Requests', exact: true }).getAttribute('aria-pressed')).toBe('true')
      await expect.poll(() => page.getByRole('heading', { name: 'Top apps' }).count()).toBe(1)
      await expectHealthy(w)
      await w.context.close()
    }, 90_000)
  }

  it('opens for the operator\'s token, which belongs to no account', async () => {
    const w = await openPage(browser)
    // The operator's token signs in to the operator view; Rankings is in the navigation.
    await signIn(w.page, adminToken(), '/admin')
    await w.page.getByRole('navigation').getByRole('link', { name: 'Rankings' }).click()
    await w.page.getByRole('heading', { name: 'Top models' }).waitFor()
    await w.page.locator('tr[data-rank-name="fake/echo"]').waitFor()
    expect(await w.page.content()).not.toContain(adminToken())
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)
})
