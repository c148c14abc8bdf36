// The Playground and Compare against npm start, on the fake models (docs/fake-provider.md):
// a streamed chat with a system prompt and its figures, and one prompt to three models at
// once with per-model figures, a total, and the JSON and CSV exports.
import { readFileSync } from 'node:fs'
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

const dollars = (text: string | null) => Number((text ?? '').replace(/[$,]/g, ''))

/** The file a download button saves. */
const downloaded = async (page: Page, button: string) => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()])
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') }
}

describe('dashboard playground and compare', () => {
  it('streams a playground chat and shows its cost, tokens and time to first token', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/playground')
    await page.getByLabel('Model', { exact: true }).fill('fake/echo')
    await page.getByLabel('System prompt').fill('You are terse.')
    await page.getByLabel('Max tokens').fill('50')
    await page.getByLabel('Message').fill('hello playground')
    await page.getByRole('button', { name: 'Send' }).click()
    const reply = page.locator('.msg[data-role="assistant"]').last()
    await expect.poll(() => reply.locator('.content').textContent(), { timeout: 20_000 }).toBe('You said: hello playground')
    const meta = (await reply.getByTestId('reply-meta').textContent()) ?? ''
    expect(meta).toMatch(/fake\/echo via Switchboard Fake/)
    expect(meta).toMatch(/\d+ prompt \+ 4 completion tokens/)
    expect(meta).toMatch(/cost \$0\.0000\d+/)
    expect(meta).toMatch(/TTFT \d+ ms/)

    // A second turn carries the first as history.
    await page.getByLabel('Message').fill('and again')
    await page.getByRole('button', { name: 'Send' }).click()
    await expect.poll(() => page.locator('.msg[data-role="assistant"]').count()).toBe(2)
    await expect.poll(() => page.locator('.msg[data-role="assistant"] .content').last().textContent()).toBe('You said: and again')
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)

  it('compares three fake models side by side and exports the run', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/compare')
    await page.getByRole('combobox', { name: 'Model 1' }).fill('fake/echo')
    await page.getByRole('combobox', { name: 'Model 2' }).fill('fake/story')
    await page.getByRole('button', { name: 'Add model' }).click()
    await page.getByRole('combobox', { name: 'Model 3' }).fill('fake/echo:free')
    await page.getByLabel('Prompt', { exact: true }).fill('which of you is best [[fake tokens=12 ttft_ms=50]]')
    await page.getByRole('button', { name: 'Run' }).click()

    const table = page.getByTestId('compare-table')
    await expect.poll(() => table.locator('tbody tr td.num').count(), { timeout: 30_000 }).toBe(18)
    expect(await page.locator('article[data-model="fake/echo"] .msg').textContent()).toBe('You said: which of you is best')
    expect((await page.locator('article[data-model="fake/story"] .msg').textContent())?.split(' ')).toHaveLength(12)
    const costs = await Promise.all(['fake/echo', 'fake/story', 'fake/echo:free'].map(async (m) => dollars(await table.locator(`tr[data-model="${m}"] td`).nth(5).textContent())))
    expect(costs[0]).toBeGreaterThan(0)
    expect(costs[1]).toBeGreaterThan(0)
    expect(costs[2]).toBe(0)
    expect(dollars(await page.getByTestId('compare-total-cost').textContent())).toBeCloseTo(costs.reduce((a, b) => a + b, 0), 6)
    const completion = await table.locator('tr[data-model="fake/story"] td').nth(4).textContent()
    expect(completion).toBe('12')

    const csv = await downloaded(page, 'Export CSV')
    expect(csv.name).toMatch(/^compare-.*\.csv$/)
    const lines = csv.text.trim().split('\r\n')
    expect(lines[0]).toBe('at,prompt,model,provider,ttft_ms,tokens_per_second,prompt_tokens,completion_tokens,cost,total_ms,error,text')
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['fake/echo', 'fake/story', 'fake/echo:free'])
    const json = JSON.parse((await downloaded(page, 'Export JSON')).text) as { runs: { prompt: string; results: { model: string; completion_tokens: number; ttft_ms: number }[] }[] }
    expect(json.runs).toHaveLength(1)
    expect(json.runs[0]?.results.map((r) => r.completion_tokens)).toEqual([7, 12, 7])
    expect(json.runs[0]?.results.every((r) => r.ttft_ms > 0)).toBe(true)

    // Kept for the session: still there after a reload, gone after signing out.
    await page.reload()
    await expect.poll(() => page.getByRole('heading', { name: "This session's runs" }).count()).toBe(1)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname === '/sign-in')
    expect(await page.evaluate(() => sessionStorage.getItem('switchboard.compare.runs'))).toBeNull()
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)
})
