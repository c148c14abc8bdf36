// GET /admin/accounts, the operator view's list: newest first, paged, each account with its
// balance from the gate; the admin token only; bad paging is a 400 naming the field.
import { describe, expect, it } from 'vitest'
import { call } from '../helpers/gateway.ts'
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
