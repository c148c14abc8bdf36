// The dashboard's browser entry: reads which page the server rendered (<main data-page>),
// sends a visitor without a session to sign in when the page needs a key, and renders the
// page, the session menu and the theme switch into the shell's slots.
import { render } from 'hono/jsx/dom'
import type { Child } from 'hono/jsx'
import type { PageId } from '../pages.ts'
import { getSession, toSignIn, type Session } from './session.ts'
import { SessionMenu } from './session-menu.tsx'
import { ThemeToggle } from './theme.tsx'
import { Activity } from './pages/activity.tsx'
import { Compare } from './pages/compare.tsx'
import { Credits } from './pages/credits.tsx'
import { Keys } from './pages/keys.tsx'
import { ModelPage } from './pages/model.tsx'
import { Models } from './pages/models.tsx'
import { Playground } from './pages/playground.tsx'
import { SignIn } from './pages/sign-in.tsx'

const PAGES: Partial<Record<PageId, (session: Session | null) => Child>> = {
  'sign-in': () => <SignIn />,
  activity: (s) => s && <Activity session={s} />,
  keys: (s) => s && <Keys session={s} />,
  credits: (s) => s && <Credits session={s} />,
  models: () => <Models />,
  model: () => <ModelPage />,
  playground: (s) => s && <Playground session={s} />,
  compare: (s) => s && <Compare session={s} />,
}

const mount = (id: string, node: Child) => {
  const el = document.getElementById(id)
  if (el) {
    el.replaceChildren()
    render(node, el)
  }
}

const start = () => {
  const main = document.getElementById('main')
  const page = main?.dataset.page as PageId | undefined
  const session = getSession()
  if (main?.dataset.needsKey === 'true' && !session) return toSignIn()
  mount('session-slot', <SessionMenu session={session} />)
  mount('theme-slot', <ThemeToggle />)
  const view = page ? PAGES[page] : undefined
  mount('page-root', view ? view(session) : <p>This page is not built yet.</p>)
}

start()
