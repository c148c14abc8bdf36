// The header's session area: which key is signed in (its masked label, never the key) and sign-out.
import { clearSession, type Session } from './session.ts'

export const SessionMenu = ({ session }: { session: Session | null }) => {
  if (!session) return <a class="button" href="/sign-in">Sign in</a>
  const signOut = () => {
    clearSession()
    location.assign('/sign-in')
  }
  return (
    <div class="session">
      {session.kind === 'admin' ? (
        <a class="badge" href="/admin">Operator</a>
      ) : (
        <span class="session-label">
          <span class="badge">{session.kind === 'management' ? 'Management key' : 'API key'}</span>{' '}
          <code>{session.label}</code>
        </span>
      )}
      <button type="button" class="button" onClick={signOut}>Sign out</button>
    </div>
  )
}
