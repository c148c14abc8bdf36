// The dashboard's pages: one server-rendered shell each (shell.ts); the browser bundle
// (client/) fills in the part that needs the session's key. Shared with the client, so
// the navigation and the routes cannot drift apart.

export type PageId = 'activity' | 'sign-in' | 'keys' | 'credits' | 'models' | 'model' | 'playground' | 'compare' | 'admin' | 'logs' | 'generation' | 'rankings'

export interface Page {
  id: PageId
  /** Hono route pattern. */
  path: string
  title: string
  /** Shown in the main navigation (in this order); pages reached from another page are not. */
  nav?: string
  /** Whether the page needs a signed-in session (the models catalog is public). */
  needsKey: boolean
}

export const PAGES: readonly Page[] = [
  { id: 'activity', path: '/', title: 'Activity', nav: 'Activity', needsKey: true },
  { id: 'logs', path: '/logs', title: 'Logs', nav: 'Logs', needsKey: true },
  { id: 'generation', path: '/logs/:id', title: 'Generation', needsKey: true },
  { id: 'models', path: '/models', title: 'Models', nav: 'Models', needsKey: false },
  { id: 'model', path: '/models/:author/:slug', title: 'Model', needsKey: false },
  { id: 'rankings', path: '/rankings', title: 'Rankings', nav: 'Rankings', needsKey: true },
  { id: 'playground', path: '/playground', title: 'Playground', nav: 'Playground', needsKey: true },
  { id: 'compare', path: '/compare', title: 'Compare models', nav: 'Compare', needsKey: true },
  { id: 'keys', path: '/keys', title: 'API keys', nav: 'Keys', needsKey: true },
  { id: 'credits', path: '/credits', title: 'Credits', nav: 'Credits', needsKey: true },
  { id: 'sign-in', path: '/sign-in', title: 'Sign in', needsKey: false },
  // For the ADMIN_TOKEN: linked from the session menu rather than the navigation.
  { id: 'admin', path: '/admin', title: 'Operator', needsKey: true },
]

/** Where each nav entry links. */
export const NAV = PAGES.filter((p): p is Page & { nav: string } => p.nav !== undefined)
