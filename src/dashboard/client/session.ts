// The signed-in session: the pasted key and what /key said about it, kept only in this
// tab's sessionStorage (never a cookie, URL or localStorage), so closing the tab or signing
// out forgets it.

/** An API key, a management key, or the operator's ADMIN_TOKEN. */
export type KeyKind = 'inference' | 'management' | 'admin'

export interface Session {
  key: string
  kind: KeyKind
  /** The masked key (`sk-sb-v1-abc...xyz`), safe to show. */
  label: string
  name: string | null
}

const STORE = 'switchboard.session'

export const getSession = (): Session | null => {
  const raw = sessionStorage.getItem(STORE)
  if (!raw) return null
  try {
    const s = JSON.parse(raw) as Partial<Session>
    return typeof s.key === 'string' && (s.kind === 'inference' || s.kind === 'management' || s.kind === 'admin') && typeof s.label === 'string'
      ? { key: s.key, kind: s.kind, label: s.label, name: s.name ?? null }
      : null
  } catch {
    return null
  }
}

export const setSession = (s: Session) => sessionStorage.setItem(STORE, JSON.stringify(s))

/** Sign-out: the key and everything kept for this session (compare results) go. */
export const clearSession = () => sessionStorage.clear()

/** Sends the visitor to sign in, then back here. */
export const toSignIn = () => {
  const next = location.pathname === '/sign-in' ? '/' : location.pathname
  location.assign(`/sign-in?next=${encodeURIComponent(next)}`)
}
