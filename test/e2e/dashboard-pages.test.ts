// Every dashboard page, in the light and the dark theme, with the key that page is for: it
// renders its content with no console error, axe finds no serious accessibility violation,
// and a screenshot is taken (docs/dashboard.md shows them; UPDATE_SCREENSHOTS=1 writes them there).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { adminToken, expectHealthy, launch, openPage, screenshot, signIn } from './dashboard-browser.ts'

let browser: Browser

/** A generation made here (with a fallback), for the generation page. */
let demoId = ''

beforeAll(async () => {
  browser = await launch()
  // Some traffic, so Activity has a chart to draw and Logs rows to list.
  const send = async (model: string, title: string, content: string) => {
    const res = await fetch(`${inject('baseURL')}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${inject('apiKey')}`, 'Content-Type': 'application/json', 'X-OpenRouter-Title': title },
      body: JSON.stringify({ model, provider: { order: ['fake', 'fake-eu'] }, messages: [{ role: 'user', content }] }),
    })
    expect(res.status).toBe(200)
    return ((await res.json()) as { id: string }).id
  }
  for (const [model, title] of [['fake/echo', 'Docs demo'], ['fake/story', 'Docs demo'], ['fake/story', 'Another app']] as const) {
    await send(model, title, 'a request for the activity chart')
  }
  // fake/echo has a second endpoint (fake-eu) to fall back to.
  demoId = await send('fake/echo', 'Docs demo', 'a request that falls back [[fake status=503 on=fake]]')
  // Written about a second after the request (the gate flushes in batches): until then /generation is a 404.
  const deadline = Date.now() + 30_000
  while ((await fetch(`${inject('baseURL')}/generation?id=${demoId}`, { headers: { Authorization: `Bearer ${inject('apiKey')}` } })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`generation ${demoId} was not written within 30 s`)
    await new Promise((r) => setTimeout(r, 250))
  }
})
afterAll(async () => {
  await browser?.close()
})

interface Case {
  name: string
  path: string | (() => string)
  key: 'apiKey' | 'managementKey' | 'adminToken'
  /** A visible sign that the page has its content. */
  ready: (page: Page) => Promise<unknown>
  /** Something to do first, so the screenshot shows the page in use. */
  use?: (page: Page) => Promise<void>
  /** The whole page, not only the first screen. */
  fullPage?: boolean
}

const CASES: Case[] = [
  { name: 'activity', path: '/', key: 'apiKey', ready: (p) => p.getByRole('heading', { name: 'By model', exact: true }).waitFor() },
  { name: 'logs', path: '/logs', key: 'managementKey', ready: (p) => p.getByRole('region', { name: 'Generations table' }).waitFor() },
  {
    name: 'generation', path: () => `/logs/${demoId}`, key: 'apiKey', fullPage: true, ready: (p) => p.getByTestId('routing').waitFor(),
  },
  { name: 'models', path: '/models', key: 'apiKey', ready: (p) => p.getByRole('link', { name: 'Fake: Echo', exact: true }).waitFor() },
  { name: 'model', path: '/models/fake/echo', key: 'apiKey', ready: (p) => p.getByRole('heading', { name: 'Endpoints' }).waitFor() },
  {
    name: 'playground', path: '/playground', key: 'apiKey', ready: (p) => p.getByRole('heading', { name: 'Settings' }).waitFor(),
    use: async (p) => {
      await p.getByLabel('System prompt').fill('Answer briefly.')
      await p.getByLabel('Message').fill('What does a router do?')
      await p.getByRole('button', { name: 'Send' }).click()
      await p.getByTestId('reply-meta').waitFor()
    },
  },
  {
    name: 'compare', path: '/compare', key: 'apiKey', fullPage: true, ready: (p) => p.getByRole('button', { name: 'Run' }).waitFor(),
    use: async (p) => {
      await p.getByRole('button', { name: 'Add model' }).click()
      await p.getByRole('combobox', { name: 'Model 3' }).fill('fake/echo:free')
      await p.getByLabel('Prompt', { exact: true }).fill('Summarise the plot of Hamlet [[fake tokens=24]]')
      await p.getByRole('button', { name: 'Run' }).click()
      await p.getByRole('heading', { name: "This session's runs" }).waitFor()
    },
  },
  { name: 'keys', path: '/keys', key: 'managementKey', ready: (p) => p.getByRole('heading', { name: 'API keys', level: 2 }).waitFor() },
  {
    name: 'credits', path: '/credits', key: 'managementKey', fullPage: true,
    ready: async (p) => Promise.all([p.getByTestId('balance').waitFor(), p.getByTestId('ledger').waitFor()]),
  },
  { name: 'operator', path: '/admin', key: 'adminToken', ready: (p) => p.locator(`tr[data-account="${inject('accountId')}"]`).waitFor() },
]

const secretOf = (key: Case['key']) => (key === 'adminToken' ? adminToken() : inject(key))

describe('every dashboard page', () => {
  for (const scheme of ['light', 'dark'] as const) {
    for (const c of CASES) {
      it(`${c.name} (${scheme}): renders, no console errors, no serious axe violations`, async () => {
        const w = await openPage(browser, scheme)
        await signIn(w.page, secretOf(c.key), typeof c.path === 'string' ? c.path : c.path())
        await c.ready(w.page)
        await c.use?.(w.page)
        await expectHealthy(w)
        await screenshot(w.page, `${c.name}-${scheme}`, c.fullPage)
        expect(await w.page.content()).not.toContain(secretOf(c.key))
        await w.context.close()
      }, 60_000)
    }
  }

  it('Models filters by provider, and a model page gives each endpoint\'s data policy', async () => {
    const w = await openPage(browser)
    const { page } = w
    await signIn(page, inject('apiKey'), '/models')
    await page.getByRole('link', { name: 'Fake: Echo', exact: true }).waitFor()
    await page.getByLabel('Provider').selectOption('fake-eu')
    // fake-eu serves fake/echo, not fake/story; the count is the API's for that provider.
    const api = (await (await fetch(`${inject('baseURL')}/models?output_modalities=all&provider=fake-eu`)).json()) as { data: unknown[] }
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'models' }).textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${api.data.length} of \\d+ models$`))
    expect(await page.getByRole('link', { name: 'Fake: Echo', exact: true }).count()).toBe(1)
    expect(await page.getByRole('link', { name: 'Fake: Story', exact: true }).count()).toBe(0)
    await expectHealthy(w)
    await page.getByRole('link', { name: 'Fake: Echo', exact: true }).click()
    await page.waitForURL((url) => url.pathname === '/models/fake/echo')
    const endpoints = page.getByRole('region', { name: 'Endpoints table' })
    await endpoints.getByRole('columnheader', { name: 'Data policy' }).waitFor()
    const policies = await endpoints.locator('tbody tr td:nth-of-type(7)').allTextContents()
    expect(policies.length).toBeGreaterThan(0)
    for (const p of policies) expect(p).toMatch(/^(Zero data retention|(Trains on prompts|No training); (retains prompts|no retention))$/)
    await expectHealthy(w)
    await w.context.close()
  }, 60_000)

  it('lays out on a phone-sized screen without sideways scrolling', async () => {
    const w = await openPage(browser)
    await w.page.setViewportSize({ width: 390, height: 844 })
    await signIn(w.page, inject('apiKey'))
    await CASES[0]?.ready(w.page)
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await expectHealthy(w)
    await screenshot(w.page, 'activity-phone')
    await w.context.close()
  }, 60_000)
})
