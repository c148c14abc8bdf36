// A key's secret right after it is minted: shown this once, with a copy button. The Keys
// page and the operator view both mint keys; neither keeps the secret after "Done".
import { useState } from 'hono/jsx/dom'

export const NewSecret = ({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) => {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    await navigator.clipboard.writeText(secret)
    setCopied(true)
  }
  return (
    <section class="card" aria-labelledby="new-key-heading" role="region">
      <h2 id="new-key-heading">Key “{name}” created</h2>
      <p>Copy it now: this is the only time it is shown. Store it like a password.</p>
      <div class="secret">
        <code data-testid="new-key-secret">{secret}</code>
        <button type="button" class="button" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy key'}</button>
        <button type="button" class="button ghost" onClick={onDone}>Done</button>
      </div>
      <p class="muted small" role="status">{copied ? 'The key is on your clipboard.' : ''}</p>
    </section>
  )
}
