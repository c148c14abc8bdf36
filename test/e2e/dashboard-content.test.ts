// Content logging against npm start: a completion asked with X-Switchboard-Log-Content: 1 shows
// its prompt and completion on its Logs page; one without says content logging was off. On Keys,
// a management key creates a key that stores its content, and sees the account's setting.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectHealthy, launch, openPage, screenshot, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

const complete = async (content: string, headers: Record<string, string> = {}, key = inject('apiKey')) => {
  const res = await fetch(`${inject('baseURL')}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'system', content: 'answer briefly' }, { role: 'user', content }] }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { id: string }).id
}

/** The generation's page, once the gate has flushed it (about a second after the request), so the page never meets a 404. */
const openGeneration = async (page: Page, id: string, key = inject('apiKey')) => {
  await expect.poll(async () => (await fetch(`${inject('baseURL')}/generation?id=${id}`, { headers: { Authorization: `Bearer ${key}` } })).status,
    { timeout: 30_000, interval: 250 }).toBe(200)
  await page.goto(`/logs/${id}`)
  await page.getByTestId('generation-content').waitFor({ timeout: 20_000 })
}

describe('dashboard content logging', () => {
  it('shows the prompt and completion of a logged generation, and says when logging was off', async () => {
    const canary = `content-e2e-${randomUUID().slice(0, 8)}`
    const logged = await complete(`repeat ${canary}`, { 'X-Switchboard-Log-Content': '1' })
    const unlogged = await complete(`repeat ${canary} quietly`)

    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/logs')

    await openGeneration(page, logged)
    const turns = page.getByTestId('prompt-turn')
    await expect.poll(() => turns.count(), { timeout: 20_000 }).toBe(2)
    expect(await turns.nth(0).textContent()).toBe('systemanswer briefly')
    expect(await turns.nth(1).textContent()).toBe(`userrepeat ${canary}`)
    expect(await page.getByTestId('completion').textContent()).toContain(canary)
    await screenshot(page, 'logs-content-light', true)
    await expectHealthy(w)

    await openGeneration(page, unlogged)
    await page.getByTestId('content-off').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('generation-content').textContent()).not.toContain(canary)
    await expectHealthy(w)
    await w.context.close()

    const dark = await openPage(browser, 'dark')
    await signIn(dark.page, inject('apiKey'), '/logs')
    await openGeneration(dark.page, logged)
    await dark.page.getByTestId('completion').waitFor({ timeout: 20_000 })
    await screenshot(dark.page, 'logs-content-dark', true)
    await expectHealthy(dark)
    await dark.context.close()
  }, 90_000)

  it('creates a key on Keys that stores its content, shown to the management key in Logs; shows the account setting', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('managementKey'), '/keys')
    // The account's setting, as GET /settings has it (left as it is: other tests share the account).
    const settings = page.getByRole('form', { name: 'Content logging settings' })
    await settings.waitFor({ timeout: 20_000 })
    const current = await (await fetch(`${inject('baseURL')}/settings`, { headers: { Authorization: `Bearer ${inject('managementKey')}` } })).json() as { data: { content_logging: string; content_retention_days: number } }
    expect(await settings.getByLabel('Store prompts and completions', { exact: true }).inputValue()).toBe(current.data.content_logging)
    expect(await settings.getByLabel('Keep them for (days)').inputValue()).toBe(String(current.data.content_retention_days))
    await settings.getByRole('button', { name: 'Update content logging' }).click()
    await expect.poll(() => settings.getByRole('status').textContent()).toBe('Saved.')

    const name = `content-${randomUUID().slice(0, 8)}`
    await page.getByLabel('Name').fill(name)
    await page.getByLabel("Store this key's prompts and completions").check()
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = (await page.getByTestId('new-key-secret').textContent()) ?? ''
    expect(secret).toMatch(/^sk-sb-v1-/)
    await page.getByRole('button', { name: 'Done' }).click()
    await expect.poll(() => page.locator(`tr[data-key="${name}"]`).textContent()).toContain('Content logged')
    await screenshot(page, 'keys-content-light', true)
    await expectHealthy(w)

    const canary = `key-content-${randomUUID().slice(0, 8)}`
    const id = await complete(`repeat ${canary}`, {}, secret)
    await openGeneration(page, id, inject('managementKey'))
    await page.getByTestId('completion').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('prompt-turn').nth(1).textContent()).toBe(`userrepeat ${canary}`)
    await expectHealthy(w)
    await w.context.close()
  }, 90_000)
})
