// The dashboard in a real browser against npm start: the pages carry a strict CSP, sign-in
// with the dev keys keeps the key out of URLs and HTML, and sign-out forgets it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectHealthy, launch, openPage, origin, screenshot, signIn } from './dashboard-browser.ts'

let browser: Browser

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

describe('dashboard session', () => {
  it('serves every page with a CSP that allows only this origin, and no inline script', async () => {
    for (const path of ['/', '/sign-in', '/keys', '/credits', '/models', '/models/fake/echo', '/playground', '/compare', '/admin', '/logs', '/logs/gen-1-x']) {
      const res = await fetch(`${origin()}${path}`)
      expect(res.status, path).toBe(200)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      const html = await res.text()
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
      expect(html).not.toMatch(/\son[a-z]+=/i)
    }
    const js = await fetch(`${origin()}/static/build/app.js`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toMatch(/javascript/)
  })

  it('sends a visitor without a session to sign in, signs in with the dev key and out again', async () => {
    const w = await openPage(browser)
    const { page } = w
    await page.goto('/keys')
    await page.waitForURL((url) => url.pathname === '/sign-in')
    expect(new URL(page.url()).searchParams.get('next')).toBe('/keys')
    await expectHealthy(w)
    await screenshot(page, 'sign-in-light')

    await signIn(page, inject('apiKey'))
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true)
    expect(page.url()).not.toContain(inject('apiKey'))
    expect(await page.content()).not.toContain(inject('apiKey'))
    expect(await page.evaluate(() => document.cookie)).not.toContain('sk-sb')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname === '/sign-in')
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    await page.goto('/')
    await page.waitForURL((url) => url.pathname === '/sign-in')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 90_000)

  it('refuses a key the API does not accept, and says so', async () => {
    const w = await openPage(browser, 'dark')
    await w.page.goto('/sign-in')
    await w.page.getByLabel('Key', { exact: true }).fill(`sk-sb-v1-${'0'.repeat(64)}`)
    await w.page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => w.page.getByRole('alert').textContent()).toContain('not accepted')
    await screenshot(w.page, 'sign-in-dark')
    // The browser logs the API's 401 itself; that is the expected answer here, not a page error.
    expect(w.errors.filter((e) => !e.includes('401'))).toEqual([])
    await w.context.close()
  }, 60_000)
})

describe('dashboard by keyboard, and its theme', () => {
  it('signs in and moves around with the keyboard alone', async () => {
    const w = await openPage(browser)
    const { page } = w
    await page.goto('/sign-in?next=/credits')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    // From the top of <main>, the first field is the key.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('key')
    await page.keyboard.type(inject('apiKey'))
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => url.pathname === '/credits')
    await page.getByTestId('balance').waitFor()
    // The disclosure opens from the keyboard too.
    await page.getByRole('button', { name: 'Add credits' }).focus()
    await page.keyboard.press('Enter')
    expect(await page.getByRole('button', { name: 'Add credits' }).getAttribute('aria-expanded')).toBe('true')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)

  it('keeps the chosen theme in a cookie, so the next page is served in it', async () => {
    const w = await openPage(browser)
    const { page } = w
    await page.goto('/models')
    expect(await page.locator('html').getAttribute('data-theme')).toBe('system')
    const toggle = page.getByRole('button', { name: /^Theme: / })
    await toggle.click()
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light')
    await toggle.click()
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
    const res = await page.goto('/models')
    expect(await res?.text()).toContain('data-theme="dark"')
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 17, 21)')
    await page.getByRole('button', { name: 'Theme: dark' }).click()
    expect(await page.evaluate(() => document.cookie)).not.toContain('theme=')
    expect(w.errors).toEqual([])
    await w.context.close()
  }, 60_000)
})
