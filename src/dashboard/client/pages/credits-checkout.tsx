// "Add credits": a Stripe Checkout Session from POST /credits/checkout (management keys, when the
// gateway has STRIPE_SECRET_KEY), then the browser goes to Stripe's page and comes back here.
// Without it, how credit arrives and how to turn Checkout on.
import { useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote } from '../components.tsx'
import { checkoutNote, parseAmount } from '../credits-data.ts'
import type { Session } from '../session.ts'

export interface CheckoutConfig { enabled: boolean; min_amount: number; max_amount: number }

const HowTo = ({ accountId, enabled }: { accountId: string; enabled: boolean }) => (
  <div>
    {!enabled && (
      <>
        <h3 class="spaced">Paying with Stripe Checkout</h3>
        <p>This gateway has no Stripe secret key, so it cannot start a payment from here. To turn it on:</p>
        <ol>
          <li>Store your Stripe secret key on the gateway: <code>npx wrangler secret put STRIPE_SECRET_KEY</code> (for <code>npm start</code>, in <code>.dev.vars</code> or the shell).</li>
          <li>In Stripe, add a webhook endpoint for <code>{location.origin}/api/v1/webhooks/stripe</code> with the <code>checkout.session.completed</code>, <code>payment_intent.succeeded</code> and refund events.</li>
          <li>Store its signing secret on the gateway: <code>npx wrangler secret put STRIPE_WEBHOOK_SECRET</code>.</li>
        </ol>
      </>
    )}
    <p>
      Payments made elsewhere are credited by the same webhook when their Checkout Session and PaymentIntent carry <code>metadata.account_id</code> set to this
      account, <code>{accountId}</code>. Other billing systems can use the generic top-up webhook, and the operator can grant credit with{' '}
      <code>npm run admin -- credits grant</code>. The gateway's <code>docs/billing.md</code> has the details.
    </p>
  </div>
)

export const AddCredits = ({ session, accountId, config }: { session: Session; accountId: string; config: CheckoutConfig }) => {
  const [showHow, setShowHow] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const note = checkoutNote(location.search)
  const canPay = config.enabled && session.kind === 'management'

  const pay = async (e: Event) => {
    e.preventDefault()
    const amount = parseAmount(String(new FormData(e.target as HTMLFormElement).get('amount') ?? ''), config.min_amount, config.max_amount)
    if ('error' in amount) return setError(amount.error)
    setBusy(true)
    setError(null)
    try {
      const { data } = await api<{ data: { url: string } }>('/credits/checkout', { method: 'POST', body: { amount: amount.cents / 100 } })
      location.assign(data.url)
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  return (
    <section class="card" aria-labelledby="add-heading">
      <h2 id="add-heading">Add credits</h2>
      {note && <p class={note.ok ? 'success' : 'error'} role="status" data-testid="checkout-note">{note.text}</p>}
      <p>Credits are prepaid. They arrive as top-ups from a payment provider, or as grants from the gateway's operator.</p>
      {canPay && (
        <form class="row" onSubmit={pay} aria-label="Add credits with Stripe Checkout">
          <div class="field">
            <label for="checkout-amount">Amount (USD)</label>
            <input id="checkout-amount" name="amount" inputMode="decimal" required placeholder="25.00" aria-describedby="checkout-help" />
          </div>
          <button type="submit" class="button primary" disabled={busy}>{busy ? 'Opening Stripe…' : 'Add credits'}</button>
        </form>
      )}
      {canPay && <p id="checkout-help" class="muted small">From ${config.min_amount} to ${config.max_amount.toLocaleString('en-US')}, paid on Stripe's page; you come back here afterwards.</p>}
      {config.enabled && session.kind !== 'management' && <p>Payments are made with a management key: sign in with one to add credits with Stripe Checkout.</p>}
      {error ? <ErrorNote error={error} /> : null}
      {!canPay && (
        <button type="button" class="button primary" aria-expanded={showHow ? 'true' : 'false'} aria-controls="add-how" onClick={() => setShowHow(!showHow)}>Add credits</button>
      )}
      <div id="add-how" hidden={canPay ? false : !showHow}>
        <HowTo accountId={accountId} enabled={config.enabled} />
      </div>
    </section>
  )
}
