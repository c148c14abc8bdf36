// GET /admin/accounts, the operator view's list: newest first, paged, each account with its
// balance from the gate; and GET /admin/accounts/:id/activity, one account's usage per day from
// the rollups; the admin token only; bad paging is a 400 naming the field.
import { describe, expect, it } from 'vitest'
import { call, chat } from '../helpers/gateway.ts'
import { flush, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { secrets } from '../helpers/webhooks.ts'

interface Listed { id: string; name: string; status: string; balance: number; total_credits: number; total_usage: number; held: number; created_at: string }

const admin = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
  const res = await call(`/admin${path}`, { ...init, headers: { authorization: `Bearer ${init.token ?? secrets().admin}` } })
  return { status: res.status, body: await res.json<{ data: Listed[] & Listed; error?: { message: string } }>() }
}

describe('GET /admin/accounts', () => {
  it('lists accounts newest first with their balances, a page at a time', async () => {
    const a = (await admin('/accounts', { method: 'POST', json: { name: 'Older', credit_usd: 3 } })).body.data
    const b = (await admin('/accounts', { method: 'POST', json: { name: 'Newer', credit_usd: 7.5 } })).body.data
    await admin(`/accounts/${a.id}/suspend`, { method: 'POST' })

    const listed = await admin('/accounts?limit=100')
    expect(listed.status).toBe(200)
    const ids = listed.body.data.map((x) => x.id)
    expect(ids.indexOf(b.id)).toBeGreaterThanOrEqual(0)
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id))
    expect(listed.body.data.find((x) => x.id === a.id)).toMatchObject({ name: 'Older', status: 'suspended', balance: 3, total_credits: 3, total_usage: 0, held: 0 })
    expect(listed.body.data.find((x) => x.id === b.id)).toMatchObject({ name: 'Newer', status: 'active', balance: 7.5 })

    const first = await admin('/accounts?limit=1')
    const second = await admin('/accounts?limit=1&offset=1')
    expect(first.body.data).toHaveLength(1)
    expect(second.body.data).toHaveLength(1)
    expect(second.body.data[0]?.id).not.toBe(first.body.data[0]?.id)
  })

  it('refuses anything but the admin token, and bad paging', async () => {
    expect((await admin('/accounts', { token: 'not-the-admin-token-at-all' })).status).toBe(401)
    expect((await call('/admin/accounts')).status).toBe(401)
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc']) {
      const res = await admin(`/accounts?${q}`)
      expect(res.status, q).toBe(400)
      expect(res.body.error?.message).toMatch(/^Invalid request: (limit|offset)/)
    }
  })
})

describe('GET /admin/accounts/:id/activity', () => {
  interface Figures { requests: number; usage: number; prompt_tokens: number }
  interface Activity { account_id: string; period: string; days: string[]; daily: (Figures & { date: string })[]; groups: (Figures & { name: string })[]; total: Figures }
  const activity = async (path: string, token?: string) => {
    const res = await call(`/admin/accounts/${path}`, { headers: { authorization: `Bearer ${token ?? secrets().admin}` } })
    return { status: res.status, body: await res.json<{ data: Activity; error?: { message: string } }>() }
  }

  it("reads one account's usage per day by model, matching what its requests cost, and no other account's", async () => {
    const { accountId, key } = await seedAccount()
    const other = await seedAccount()
    const costs: number[] = []
    for (const model of ['fake/echo', 'fake/echo', 'fake/story']) {
      const res = await chat(key, { model, provider: { only: ['fake'] }, max_tokens: 8, messages: [{ role: 'user', content: 'operator usage' }] })
      expect(res.status).toBe(200)
      costs.push(Math.round((await res.json<{ usage: { cost: number } }>()).usage.cost * 1e6))
    }
    expect((await chat(other.key, { model: 'fake/echo', provider: { only: ['fake'] }, messages: [{ role: 'user', content: 'not mine' }] })).status).toBe(200)
    await settled(accountId)
    await flush(accountId)

    const { status, body } = await activity(`${accountId}/activity?period=30d`)
    expect(status).toBe(200)
    expect(body.data).toMatchObject({ account_id: accountId, period: '30d' })
    expect(body.data.days).toHaveLength(30)
    expect(body.data.total.requests).toBe(3)
    expect(Math.round(body.data.total.usage * 1e6)).toBe(costs.reduce((a, b) => a + b, 0))
    expect(body.data.groups.map((g) => [g.name, g.requests])).toEqual([['fake/echo', 2], ['fake/story', 1]])
    expect(body.data.daily.reduce((a, d) => a + d.requests, 0)).toBe(3)
  })

  it('is the admin token\'s only: 401 otherwise, 404 for an unknown account, 400 for a bad period', async () => {
    const { accountId, key } = await seedAccount()
    expect((await activity(`${accountId}/activity`, key)).status).toBe(401)
    expect((await activity('acct_missing/activity')).status).toBe(404)
    const bad = await activity(`${accountId}/activity?period=2y`)
    expect(bad.status).toBe(400)
    expect(bad.body.error?.message).toMatch(/^Invalid request: period/)
  })
})
