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
import { GenerationPage } from './pages/generation.tsx'
import { Keys } from './pages/keys.tsx'
import { Logs } from './pages/logs.tsx'
import { ModelPage } from './pages/model.tsx'
import { Models } from './pages/models.tsx'
import { Operator } from './pages/operator.tsx'
import { Playground } from './pages/playground.tsx'
import { Rankings } from './pages/rankings.tsx'
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
  admin: (s) => s && <Operator session={s} />,
  logs: (s) => s && <Logs session={s} />,
  generation: () => <GenerationPage />,
  rankings: (s) => s && <Rankings />,
}

/** What the operator's token can open: it is no account's key, so account pages do not apply. */
const OPERATOR_PAGES = new Set<PageId>(['admin', 'models', 'model', 'sign-in', 'rankings'])

const OperatorNote = () => (
  <section class="card narrow">
    <p>Signed in with the operator's token, which belongs to no account. This page shows an account: sign out and sign in with one of its keys.</p>
    <p><a href="/admin">Go to the operator view</a></p>
  </section>
)

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
  const view = page && session?.kind === 'admin' && !OPERATOR_PAGES.has(page) ? () => <OperatorNote /> : page ? PAGES[page] : undefined
  mount('page-root', view ? view(session) : <p>This page is not built yet.</p>)
}

start()
