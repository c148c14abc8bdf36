// The operator API: a constant-time Bearer ADMIN_TOKEN, absent (404) without one,
// and validation in the one error envelope.
import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { call } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'
import { secrets } from '../helpers/webhooks.ts'

const as = (token: string | undefined, path: string, init: { method?: string; json?: unknown } = {}) =>
  call(`/admin${path}`, { ...init, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) })

describe('operator API security', () => {
  it('401 without the token, with a wrong one, or with an API key', async () => {
    const { accountId, key } = await seedAccount({ kind: 'management' })
    for (const token of [undefined, 'wrong-token', secrets().admin.slice(0, -1), key]) {
      const res = await as(token, `/accounts/${accountId}`)
      expect(res.status).toBe(401)
      expect((await res.json<any>()).error).toMatchObject({ code: 401, message: 'Invalid or missing admin token' })
    }
    const credit = await as('wrong-token', `/accounts/${accountId}/credits`, { method: 'POST', json: { amount_usd: 100, reason: 'x' } })
    expect(credit.status).toBe(401)
  })

  it('does not exist when ADMIN_TOKEN is unset', async () => {
    const bare = { ...env, ADMIN_TOKEN: '' }
    const res = await createApp().fetch(
      new Request('https://gateway.test/api/v1/admin/accounts', { method: 'POST', headers: { authorization: 'Bearer anything-at-all-here' }, body: '{"name":"x"}' }),
      bare, createExecutionContext(),
    )
    expect(res.status).toBe(404)
    expect((await res.json<any>()).error.message).toBe('No route for POST /api/v1/admin/accounts')
  })

  it('validates input, naming the field; unknown accounts and keys are 404', async () => {
    const { accountId } = await seedAccount()
    const token = secrets().admin
    const cases: [string, unknown, string][] = [
      ['/accounts', {}, 'name'],
      ['/accounts', { name: 'x', credit_usd: -5 }, 'credit_usd'],
      [`/accounts/${accountId}/credits`, { amount_usd: 5 }, 'reason'],
      [`/accounts/${accountId}/credits`, { amount_usd: 0, reason: 'x' }, 'amount_usd'],
      [`/accounts/${accountId}/credits`, { amount_usd: -5, reason: 'x', kind: 'grant' }, 'amount_usd'],
      [`/accounts/${accountId}/credits`, { amount_usd: 5, reason: 'x', id: 'has spaces' }, 'id'],
      [`/accounts/${accountId}/keys`, { kind: 'root' }, 'kind'],
    ]
    for (const [path, json, field] of cases) {
      const res = await as(token, path, { method: 'POST', json })
      expect(res.status, `${path} ${JSON.stringify(json)}`).toBe(400)
      expect((await res.json<any>()).error.message).toContain(field)
    }
    expect((await as(token, '/accounts/acct_missing')).status).toBe(404)
    expect((await as(token, '/accounts/acct_missing/credits', { method: 'POST', json: { amount_usd: 1, reason: 'x' } })).status).toBe(404)
    expect((await as(token, `/keys/${'0'.repeat(64)}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(404)
  })
})
