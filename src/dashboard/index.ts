// The dashboard's pages, served by the same Worker as the API (docs/dashboard.md). Each
// page is the shell (shell.ts) under a strict CSP: scripts, styles and connections only
// from this origin, no inline code, no framing. The client talks to /api/v1 with the key
// the visitor pasted, so every action is checked by the API's own auth.
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../env.ts'
import { PAGES } from './pages.ts'
import { renderShell, themeOf } from './shell.ts'

const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
})

export const dashboard = new Hono<AppEnv>()

for (const page of PAGES) {
  dashboard.get(page.path, pageHeaders, (c) => {
    // The shell is the same for everyone; a revalidation is cheap and never serves a stale bundle link.
    c.header('Cache-Control', 'no-cache')
    return c.html(renderShell(page, themeOf(getCookie(c, 'theme'))))
  })
}
