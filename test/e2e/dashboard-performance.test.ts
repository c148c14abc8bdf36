// Activity's performance figures against npm start: requests through the API, one of which
// falls back from fake to fake-eu, show in the error and fallback rates, latency and TTFT
// tiles and tables; the management key groups the chart and tables by key, an API key is not
// offered that. Light and dark: no console errors, no serious axe violation, a screenshot.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectHealthy, launch, openPage, screenshot, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
  const title = `perf-e2e-${randomUUID().slice(0, 8)}`
  for (const content of ['fast one', 'falls back [[fake status=503 on=fake]]']) {
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json', 'X-OpenRouter-Title': title },
      body: JSON.stringify({ model: 'fake/echo', provider: { order: ['fake', 'fake-eu'] }, messages: [{ role: 'user', content }] }),
    })
    expect(res.status).toBe(200)
  }
})
afterAll(async () => {
  await browser?.close()
})

/** The API's figures for the same view, as the page should show them. */
const apiMetrics = async (key: string, query: string) => {
  const res = await fetch(`${inject('baseURL')}/activity/metrics?${query}`, { headers: { Authorization: `Bearer ${key}` } })
  return ((await res.json()) as { data: { total: { requests: number; fallback_rate: number | null; error_rate: number | null } } }).data
}
const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`)

describe('dashboard activity performance', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`shows latency, TTFT, error and fallback rates as /activity/metrics has them (${scheme})`, async () => {
      const w = await openPage(browser, scheme)
      const { page } = w
      await signIn(page, inject('apiKey'))
      // Other tests send requests meanwhile: compare a refreshed page with a fresh answer, until they agree and the fallback is in.
      await expect.poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click()
        await page.getByTestId('fallback-rate').waitFor()
        const api = await apiMetrics(inject('apiKey'), 'period=7d&group_by=model')
        const shown = await page.getByTestId('fallback-rate').textContent()
        return api.total.fallback_rate !== null && api.total.fallback_rate > 0 && shown === percent(api.total.fallback_rate) ? 'agree' : `page ${shown}, api ${percent(api.total.fallback_rate)}`
      }, { timeout: 30_000, interval: 750 }).toBe('agree')
      for (const id of ['latency-p50', 'latency-p95', 'ttft-p50', 'ttft-p95']) expect(await page.getByTestId(id).textContent()).toMatch(/^\d+(\.\d+)? (ms|s)$/)
      await page.getByRole('region', { name: 'Performance by model' }).locator('tr[data-perf-group="fake/echo"]').waitFor()
      await page.getByRole('img', { name: /^Latency and time to first token/ }).waitFor()
      // An API key sees only itself: no grouping by key.
      expect(await page.getByLabel('Stack by').locator('option[value="key"]').count()).toBe(0)
      await expectHealthy(w)
      await screenshot(page, `activity-performance-${scheme}`, true)
      await w.context.close()
    }, 90_000)
  }

  it('groups by key for the management key: each key of the account by name, in the chart\'s table and the performance table', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('managementKey'))
    await page.getByLabel('Stack by').selectOption('key')
    await page.getByRole('heading', { name: 'By key', exact: true }).waitFor()
    const usage = page.getByRole('region', { name: 'Usage table' }).locator('tbody tr')
    await expect.poll(() => usage.count(), { timeout: 20_000 }).toBeGreaterThan(0)
    const names = await usage.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.series ?? ''))
    // Keys are named with their masked label, never the key.
    for (const n of names) expect(n).toMatch(/\(sk-sb-v1-.*\)$|^\(deleted key\)$|^Other \(\d+\)$/)
    expect((await page.content()).includes(inject('apiKey'))).toBe(false)
    await page.getByRole('region', { name: 'Performance by key' }).waitFor()
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)
})
