// Credits: the account's balance from GET /credits (any key), this key's own limit and usage
// from GET /key, and how money comes in. Stripe Checkout is not started from here: top-ups
// arrive through the billing webhooks, which this page explains how to set up.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, Stat } from '../components.tsx'
import { money } from '../format.ts'
import type { Session } from '../session.ts'

interface Credits { total_credits: number; total_usage: number }
interface KeyInfo { limit: number | null; limit_remaining: number | null; limit_reset: string | null; usage: number; usage_daily: number; usage_weekly: number; usage_monthly: number; workspace_id: string }

/** Dollars from the API → microdollars, so the balance is an exact difference. */
const micro = (d: number) => Math.round(d * 1_000_000)

export const Credits = ({ session }: { session: Session }) => {
  const [credits, setCredits] = useState<Credits | null>(null)
  const [key, setKey] = useState<KeyInfo | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [showHow, setShowHow] = useState(false)

  useEffect(() => {
    Promise.all([api<{ data: Credits }>('/credits'), api<{ data: KeyInfo }>('/key')])
      .then(([c, k]) => {
        setCredits(c.data)
        setKey(k.data)
      })
      .catch(setError)
  }, [])

  if (error) return <ErrorNote error={error} />
  if (!credits || !key) return <Loading what="credits" />
  const balance = (micro(credits.total_credits) - micro(credits.total_usage)) / 1_000_000
  return (
    <div>
      <dl class="grid">
        <Stat label="Balance" value={money(balance)} testId="balance" />
        <Stat label="Credits added" value={money(credits.total_credits)} />
        <Stat label="Used" value={money(credits.total_usage, true)} />
      </dl>
      <section class="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add credits</h2>
        <p>Credits are prepaid. They arrive as top-ups from a payment provider, or as grants from the gateway's operator.</p>
        <button type="button" class="button primary" aria-expanded={showHow ? 'true' : 'false'} aria-controls="add-how" onClick={() => setShowHow(!showHow)}>Add credits</button>
        <div id="add-how" hidden={!showHow}>
          <h3 class="spaced">Paying with Stripe</h3>
          <p>This gateway credits Stripe payments through its webhook. To take card payments:</p>
          <ol>
            <li>In Stripe, add a webhook endpoint for <code>{location.origin}/api/v1/webhooks/stripe</code> with the <code>checkout.session.completed</code>, <code>payment_intent.succeeded</code> and refund events.</li>
            <li>Store its signing secret on the gateway: <code>npx wrangler secret put STRIPE_WEBHOOK_SECRET</code>.</li>
            <li>Create Checkout Sessions with <code>metadata.account_id</code> and <code>payment_intent_data.metadata.account_id</code> set to this account, <code>{key.workspace_id}</code>.</li>
          </ol>
          <p>Other billing systems can use the generic top-up webhook, and the operator can grant credit with <code>npm run admin -- credits grant</code>. The gateway's <code>docs/billing.md</code> has the details.</p>
        </div>
      </section>
      <section class="card" aria-labelledby="key-heading">
        <h2 id="key-heading">{session.kind === 'management' ? 'This management key' : 'This API key'}</h2>
        <dl class="grid">
          <Stat label="Limit" value={key.limit === null ? 'None' : `${money(key.limit_remaining ?? 0)} left of ${money(key.limit)}${key.limit_reset ? ` (${key.limit_reset})` : ''}`} />
          <Stat label="Today" value={money(key.usage_daily, true)} />
          <Stat label="This week" value={money(key.usage_weekly, true)} />
          <Stat label="This month" value={money(key.usage_monthly, true)} />
        </dl>
      </section>
    </div>
  )
}
