// The dashboard tests' browser: playwright-core driving the headless Chromium that the npm
// package @sparticuz/chromium ships (no download, no install step), with a watch on console
// errors, an axe check, and screenshots for docs/dashboard.md.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import chromium from '@sparticuz/chromium'
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect, inject } from 'vitest'

/** The dashboard's origin, from the API base URL npm start printed. */
export const origin = () => new URL(inject('baseURL')).origin

/**
 * The package's flags are for a serverless function; these are left out: a single process
 * dies with its first closed context, and the tests want a browser that enforces the
 * same-origin policy and the CSP as a visitor's does.
 */
const DROPPED_FLAGS = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content'])

export const launch = async (): Promise<Browser> =>
  playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args.filter((a) => !DROPPED_FLAGS.has(a)), headless: true })

export interface Watched {
  context: BrowserContext
  page: Page
  /** Console errors and uncaught exceptions so far. */
  errors: string[]
}

/** A fresh context (its own sessionStorage) and page, in the given colour scheme, collecting errors. */
export const openPage = async (browser: Browser, colorScheme: 'light' | 'dark' = 'light'): Promise<Watched> => {
  const context = await browser.newContext({ baseURL: origin(), colorScheme, viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`))
  return { context, page, errors }
}

/** The operator's ADMIN_TOKEN that npm start generated, from its state directory (as `npm run admin` finds it). */
export const adminToken = (): string =>
  (JSON.parse(readFileSync(join(inject('stateDir'), 'switchboard-dev.json'), 'utf8')) as { adminToken: string }).adminToken

/** Signs in through the sign-in form, as a person would, and waits for the page it leads to. */
export const signIn = async (page: Page, key: string, next = '/') => {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Key', { exact: true }).fill(key)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname === next)
}

/** No axe violation of serious or critical impact on the page as it is now. */
export const expectAccessible = async (page: Page) => {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(serious).toEqual([])
}

/**
 * Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1 (docs/dashboard.md links
 * them), otherwise to the run's state directory, so a plain test run leaves the tree clean.
 */
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots') : undefined

export const screenshot = async (page: Page, name: string, fullPage = false) => {
  const dir = SHOTS ?? join(inject('stateDir'), 'screenshots')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage })
}

/** Every page's closing checks: nothing went wrong in the console, and axe finds nothing serious. */
export const expectHealthy = async (w: Watched) => {
  await expectAccessible(w.page)
  expect(w.errors).toEqual([])
}
