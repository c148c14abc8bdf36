// The payment path end to end, in Node: the operator CLI (`npm run admin`) bootstraps
// an account against npm start, and Stripe webhooks signed by the stripe SDK's own
// synchronous test helper credit it exactly once.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import Stripe from 'stripe'
import { beforeAll, describe, expect, inject, it } from 'vitest'

const run = promisify(execFile)
let origin: string

/** `npm run admin -- …`, finding the local admin token by itself in npm start's state directory. */
const adminCli = async (...args: string[]) => {
  const { stdout } = await run(process.execPath, ['scripts/admin.ts', ...args, '--url', origin, '--persist-to', inject('stateDir'), '--json'])
  return (JSON.parse(stdout) as { data: Record<string, any>; key?: string })
}

const deliver = (event: object, secret = inject('stripeWebhookSecret')) => {
  const payload = JSON.stringify(event)
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret })
  return fetch(`${inject('baseURL')}/webhooks/stripe`, { method: 'POST', body: payload, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } })
}

const payment = (accountId: string, pi: string, cents: number) => ({
  id: `evt_${pi}`, object: 'event', type: 'payment_intent.succeeded',
  data: { object: { id: pi, object: 'payment_intent', amount_received: cents, currency: 'usd', metadata: { account_id: accountId } } },
})

beforeAll(() => {
  origin = new URL(inject('baseURL')).origin
})

describe('operator CLI and Stripe webhooks against npm start', () => {
  it('creates an account and a key with the CLI, and a Stripe payment credits it once', async () => {
    const account = (await adminCli('accounts', 'create', '--name', 'E2E customer', '--credit', '1')).data
    expect(account).toMatchObject({ status: 'active', balance: 1 })
    const minted = await adminCli('keys', 'create', '--account', account.id, '--name', 'app')
    expect(minted.key).toMatch(/^sk-sb-v1-/)

    const pi = `pi_e2e_${Date.now()}`
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(payment(account.id, pi, 2500))))
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200))
    const bad = await deliver(payment(account.id, `${pi}_forged`, 100_000), 'whsec_wrong')
    expect(bad.status).toBe(400)

    const shown = (await adminCli('accounts', 'show', '--account', account.id)).data
    expect(shown.balance).toBe(26)
    const credits = await fetch(`${inject('baseURL')}/credits`, { headers: { authorization: `Bearer ${minted.key}` } })
    expect(((await credits.json()) as { data: { total_credits: number } }).data.total_credits).toBe(26)

    const granted = (await adminCli('credits', 'grant', '--account', account.id, '--amount', '4', '--reason', 'e2e goodwill')).data
    expect(granted).toMatchObject({ credited: true, balance: 30 })
    const adjusted = (await adminCli('credits', 'adjust', '--account', account.id, '--amount', '-0.5', '--reason', 'e2e correction')).data
    expect(adjusted).toMatchObject({ credited: true, kind: 'adjustment', balance: 29.5 })
  })
})
