// Credits: the account's balance from GET /credits (any key) and its open holds from
// GET /credits/holds, "Add credits" (Stripe Checkout when the gateway is set up for it), this
// key's own limit and usage from GET /key, and the ledger. Every call starts at once.
import { useEffect, useState } from 'hono/jsx/dom'
import { api } from '../api.ts'
import { ErrorNote, Loading, Stat } from '../components.tsx'
import { int, money } from '../format.ts'
import type { Session } from '../session.ts'
import { AddCredits, type CheckoutConfig } from './credits-checkout.tsx'
import { Ledger } from './credits-ledger.tsx'

interface Credits { total_credits: number; total_usage: number }
interface Holds { count: number; amount: number; available: number }
interface KeyInfo { limit: number | null; limit_remaining: number | null; limit_reset: string | null; usage: number; usage_daily: number; usage_weekly: number; usage_monthly: number; workspace_id: string }

/** Dollars from the API → microdollars, so the balance is an exact difference. */
const micro = (d: number) => Math.round(d * 1_000_000)

export const Credits = ({ session }: { session: Session }) => {
  const [credits, setCredits] = useState<Credits | null>(null)
  const [key, setKey] = useState<KeyInfo | null>(null)
  const [holds, setHolds] = useState<Holds | null>(null)
  const [checkout, setCheckout] = useState<CheckoutConfig | null>(null)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    Promise.all([api<{ data: Credits }>('/credits'), api<{ data: KeyInfo }>('/key'), api<{ data: Holds }>('/credits/holds'), api<{ data: CheckoutConfig }>('/credits/checkout')])
      .then(([c, k, h, s]) => {
        setCredits(c.data)
        setKey(k.data)
        setHolds(h.data)
        setCheckout(s.data)
      })
      .catch(setError)
  }, [])

  // The ledger loads alongside, in the same place whatever the rest shows (so it is not fetched twice).
  return (
    <div>
      {error ? <ErrorNote error={error} /> : credits && key && holds && checkout ? <Summary session={session} credits={credits} keyInfo={key} holds={holds} checkout={checkout} /> : <Loading what="credits" />}
      <Ledger />
    </div>
  )
}

const Summary = ({ session, credits, keyInfo: key, holds, checkout }: { session: Session; credits: Credits; keyInfo: KeyInfo; holds: Holds; checkout: CheckoutConfig }) => {
  const balance = (micro(credits.total_credits) - micro(credits.total_usage)) / 1_000_000
  return (
    <div>
      <dl class="grid">
        <Stat label="Balance" value={money(balance)} testId="balance" />
        <Stat label="Open holds" value={`${money(holds.amount, true)} (${int(holds.count)})`} testId="holds" />
        <Stat label="Credits added" value={money(credits.total_credits)} />
        <Stat label="Used" value={money(credits.total_usage, true)} />
      </dl>
      <p class="muted small">Open holds are the worst-case cost of requests still running: the balance less the holds is what new requests can spend.</p>
      <AddCredits session={session} accountId={key.workspace_id} config={checkout} />
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
