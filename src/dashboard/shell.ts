// The HTML every dashboard page starts as: head, skip link, header with the main navigation,
// and a <main> whose content the client bundle renders. No inline script or style (the CSP
// allows only this origin's files), and nothing secret: the key lives in the browser session.
import { html, raw } from 'hono/html'
import { NAV, type Page } from './pages.ts'

export type Theme = 'light' | 'dark' | 'system'

/** The theme a visitor chose (a cookie the client sets), so the first paint has the right colours. */
export const themeOf = (cookie: string | undefined): Theme => (cookie === 'light' || cookie === 'dark' ? cookie : 'system')

/** Asset paths under the static assets directory (src/dashboard/public). */
export const ASSETS = {
  css: '/static/dashboard.css',
  js: '/static/build/app.js',
  icon: '/static/favicon.svg',
} as const

const navItem = (page: Page, item: { path: string; nav: string }) =>
  html`<li><a href="${item.path}"${raw(page.path === item.path || (page.id === 'model' && item.path === '/models') || (page.id === 'generation' && item.path === '/logs') ? ' aria-current="page"' : '')}>${item.nav}</a></li>`

export const renderShell = (page: Page, theme: Theme) => html`<!doctype html>
<html lang="en" data-theme="${theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title} · Switchboard</title>
<link rel="icon" href="${ASSETS.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css}">
<link rel="modulepreload" href="${ASSETS.js}">
<script type="module" src="${ASSETS.js}"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <a class="brand" href="/">Switchboard</a>
  <nav aria-label="Main" class="main-nav"><ul>${NAV.map((item) => navItem(page, item))}</ul></nav>
  <div class="header-tools">
    <div id="session-slot"></div>
    <div id="theme-slot"></div>
  </div>
</header>
<main id="main" tabindex="-1" data-page="${page.id}" data-needs-key="${page.needsKey ? 'true' : 'false'}">
  <h1 id="page-title">${page.title}</h1>
  <div id="page-root"><p class="muted" role="status">Loading…</p></div>
  <noscript><p>The dashboard needs JavaScript. The API itself is at <code>/api/v1</code>.</p></noscript>
</main>
</body>
</html>`
