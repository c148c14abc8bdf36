// The generic signed top-up callback: `{id, account_id, amount_usd}` under X-Signature,
// credited or debited once per id (I3); and both webhooks without their secret.
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { gateFor } from '../../src/objects/clients.ts'
import { chat } from '../helpers/gateway.ts'
import { flush, ledgerBalance } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { postTopup, secrets, sign, uniq } from '../helpers/webhooks.ts'

const balance = async (accountId: string) => (await gateFor(env, accountId).snapshot(accountId)).balanceMicro

describe('top-up callback', () => {
  it('credits and debits in whole microdollars, once per id', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const id = uniq('pay')
    const res = await postTopup({ id, account_id: accountId, amount_usd: 12.34 })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, id, credited: true })
    expect(await balance(accountId)).toBe(12_340_000)
    expect(await (await postTopup({ id, account_id: accountId, amount_usd: 12.34 })).json()).toEqual({ received: true, id, credited: false })
    const debit = await postTopup({ id: uniq('chargeback'), account_id: accountId, amount_usd: -2.5 })
    expect(await debit.json()).toMatchObject({ credited: true })
    expect(await balance(accountId)).toBe(9_840_000)
    await flush(accountId)
    expect(await ledgerBalance(accountId)).toBe(9_840_000)
  })

  it('credits once when delivered 100 times at once', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const body = { id: uniq('pay'), account_id: accountId, amount_usd: 1 }
    const results = await Promise.all(Array.from({ length: 100 }, () => postTopup(body)))
    const bodies = await Promise.all(results.map((r) => r.json<any>()))
    expect(bodies.filter((b) => b.credited === true)).toHaveLength(1)
    expect(bodies.filter((b) => b.credited === false)).toHaveLength(99)
    expect(await balance(accountId)).toBe(1_000_000)
  }, 30_000)

  it('an id already used for another account is a 409 and moves nothing', async () => {
    const a = await seedAccount({ balanceMicro: 0 })
    const b = await seedAccount({ balanceMicro: 0 })
    const id = uniq('pay')
    await postTopup({ id, account_id: a.accountId, amount_usd: 3 })
    await flush(a.accountId)
    const clash = await postTopup({ id, account_id: b.accountId, amount_usd: 3 })
    expect(clash.status).toBe(409)
    expect(await balance(b.accountId)).toBe(0)
  })

  it('refuses bad signatures, stale timestamps, bad bodies and unknown accounts without crediting', async () => {
    const { accountId } = await seedAccount({ balanceMicro: 0 })
    const body = { id: uniq('pay'), account_id: accountId, amount_usd: 5 }
    const expectError = async (res: Response, status: number, text: string) => {
      expect(res.status).toBe(status)
      const error = (await res.json<any>()).error
      expect(error.code).toBe(status)
      expect(error.message).toContain(text)
      expect(error.message).not.toContain(secrets().topup)
    }
    await expectError(await postTopup(body, { body: JSON.stringify({ ...body, amount_usd: 500 }) }), 400, 'No signature matches')
    await expectError(await postTopup(body, { secret: 'not-the-topup-secret' }), 400, 'No signature matches')
    await expectError(await postTopup(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 400, 'tolerance')
    await expectError(await postTopup('{"id":'), 400, 'Invalid JSON')
    await expectError(await postTopup({ ...body, amount_usd: 0 }), 400, 'amount_usd')
    await expectError(await postTopup({ ...body, amount_usd: '5' }), 400, 'amount_usd')
    await expectError(await postTopup({ account_id: accountId, amount_usd: 5 }), 400, 'id')
    await expectError(await postTopup({ ...body, account_id: 'acct_nobody' }), 404, 'acct_nobody')
    expect(await balance(accountId)).toBe(0)
  })

  it('a credited account can spend at once', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 0 })
    const ask = { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }
    expect((await chat(key, ask)).status).toBe(402)
    await postTopup({ id: uniq('pay'), account_id: accountId, amount_usd: 1 })
    expect((await chat(key, ask)).status).toBe(200)
  })
})

describe('webhooks without their secret', () => {
  it('answer 503 naming the missing setting, and credit nothing', async () => {
    const app = createApp()
    const bare = { ...env, STRIPE_WEBHOOK_SECRET: '', TOPUP_WEBHOOK_SECRET: '' }
    for (const [path, header] of [['stripe', 'stripe-signature'], ['topup', 'x-signature']] as const) {
      const payload = JSON.stringify({ id: 'x', account_id: 'y', amount_usd: 1 })
      const req = new Request(`https://gateway.test/api/v1/webhooks/${path}`, { method: 'POST', body: payload, headers: { [header]: await sign(payload, 'anything') } })
      const res = await app.fetch(req, bare, createExecutionContext())
      expect(res.status).toBe(503)
      expect((await res.json<any>()).error.message).toMatch(/not configured: set the (STRIPE|TOPUP)_WEBHOOK_SECRET secret/)
    }
  })
})
