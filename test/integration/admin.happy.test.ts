// The operator API behind `npm run admin`: accounts, keys of either kind, credit
// grants and adjustments (each a ledger entry through the gate), suspension.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { creditEvents } from '../../src/db/schema.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush, ledgerBalance, settled } from '../helpers/ledger.ts'
import { secrets, uniq } from '../helpers/webhooks.ts'

const admin = async (path: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await call(`/admin${path}`, { ...init, headers: { authorization: `Bearer ${secrets().admin}` } })
  return { status: res.status, body: await res.json<any>() }
}
const ask = { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }

describe('operator API', () => {
  it('creates an account with credit, mints keys of both kinds, and shows it', async () => {
    const created = await admin('/accounts', { method: 'POST', json: { name: 'Acme', credit_usd: 10 } })
    expect(created.status).toBe(201)
    const account = created.body.data
    expect(account).toMatchObject({ name: 'Acme', status: 'active', balance: 10, total_credits: 10, total_usage: 0, held: 0, keys: [] })
    expect(account.id).toMatch(/^acct_/)

    const inference = await admin(`/accounts/${account.id}/keys`, { method: 'POST', json: { name: 'app' } })
    expect(inference.status).toBe(201)
    expect(inference.body.data).toMatchObject({ name: 'app', kind: 'inference', workspace_id: account.id })
    expect((await chat(inference.body.key, ask)).status).toBe(200)

    const management = await admin(`/accounts/${account.id}/keys`, { method: 'POST', json: { kind: 'management', name: 'ops' } })
    expect(management.body.data.kind).toBe('management')
    const listed = await (await call('/keys', { key: management.body.key })).json<any>()
    expect(listed.data.map((k: any) => k.hash)).toEqual([inference.body.data.hash])

    await settled(account.id)
    const shown = await admin(`/accounts/${account.id}`)
    expect(shown.body.data.keys.map((k: any) => k.kind).sort()).toEqual(['inference', 'management'])
    expect(shown.body.data.balance).toBeLessThan(10)
  })

  it('grants and adjusts credit with a reason, once per id, as ledger entries', async () => {
    const { body: { data: account } } = await admin('/accounts', { method: 'POST', json: { name: 'Ledger' } })
    expect(account.balance).toBe(0)
    const grant = await admin(`/accounts/${account.id}/credits`, { method: 'POST', json: { amount_usd: 5, reason: 'welcome' } })
    expect(grant.status).toBe(201)
    expect(grant.body.data).toMatchObject({ account_id: account.id, amount: 5, kind: 'grant', reason: 'welcome', credited: true, balance: 5 })
    const id = uniq('support')
    const adjust = await admin(`/accounts/${account.id}/credits`, { method: 'POST', json: { amount_usd: -1.25, reason: 'goodwill reversal', id } })
    expect(adjust.body.data).toMatchObject({ id, kind: 'adjustment', credited: true, balance: 3.75 })
    const repeat = await admin(`/accounts/${account.id}/credits`, { method: 'POST', json: { amount_usd: -1.25, reason: 'goodwill reversal', id } })
    expect(repeat.status).toBe(200)
    expect(repeat.body.data).toMatchObject({ credited: false, balance: 3.75 })
    await flush(account.id)
    const rows = await createDb(env.DB).select().from(creditEvents).where(eq(creditEvents.accountId, account.id))
    expect(rows.map((r) => [r.kind, r.amountMicro, r.reason]).sort()).toEqual([['adjustment', -1_250_000, 'goodwill reversal'], ['grant', 5_000_000, 'welcome']])
    expect(await ledgerBalance(account.id)).toBe(3_750_000)
  })

  it('suspends and reactivates an account, and disables a management key', async () => {
    const { body: { data: account } } = await admin('/accounts', { method: 'POST', json: { name: 'Paused', credit_usd: 1 } })
    const { body: minted } = await admin(`/accounts/${account.id}/keys`, { method: 'POST', json: {} })
    expect((await admin(`/accounts/${account.id}/suspend`, { method: 'POST' })).body.data.status).toBe('suspended')
    expect((await chat(minted.key, ask)).status).toBe(402)
    expect((await admin(`/accounts/${account.id}/reactivate`, { method: 'POST' })).body.data.status).toBe('active')
    expect((await chat(minted.key, ask)).status).toBe(200)

    const { body: ops } = await admin(`/accounts/${account.id}/keys`, { method: 'POST', json: { kind: 'management' } })
    expect((await call('/keys', { key: ops.key })).status).toBe(200)
    const disabled = await admin(`/keys/${ops.data.hash}`, { method: 'PATCH', json: { disabled: true } })
    expect(disabled.body.data).toMatchObject({ disabled: true, kind: 'management' })
    expect((await call('/keys', { key: ops.key })).status).toBe(401)
  })
})
