// The key provisioning API (docs/compatibility.md#keys) driven with a management key: create,
// list, get, update, delete, and the Key object's fields and usage.
import { describe, expect, it } from 'vitest'
import { call, chat } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const KEY_FIELDS = [
  'hash', 'name', 'label', 'disabled', 'limit', 'limit_remaining', 'limit_reset', 'include_byok_in_limit',
  'usage', 'usage_daily', 'usage_weekly', 'usage_monthly', 'byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly',
  'created_at', 'updated_at', 'expires_at', 'creator_user_id', 'external_user', 'workspace_id',
  // Switchboard's own: content logging for this key (docs/storage.md#content-logging).
  'log_content',
].sort()

const management = () => seedAccount({ kind: 'management', balanceMicro: 20_000_000 })

const create = async (key: string, body: Record<string, unknown>) => {
  const res = await call('/keys', { method: 'POST', key, json: body })
  return { status: res.status, body: await res.json<any>() }
}

const sha256 = async (s: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))), (b) => b.toString(16).padStart(2, '0')).join('')

describe('keys API', () => {
  it('creates a key once in plaintext, with the full Key object', async () => {
    const { accountId, key } = await management()
    const expires = new Date(Date.now() + 86_400_000).toISOString()
    const { status, body } = await create(key, { name: 'ci', limit: 5, limit_reset: 'monthly', expires_at: expires })
    expect(status).toBe(201)
    expect(body.key).toMatch(/^sk-sb-v1-[0-9a-f]{64}$/)
    expect(Object.keys(body.data).sort()).toEqual(KEY_FIELDS)
    expect(body.data).toMatchObject({
      hash: await sha256(body.key), name: 'ci', disabled: false, limit: 5, limit_remaining: 5, limit_reset: 'monthly',
      include_byok_in_limit: false, usage: 0, usage_daily: 0, byok_usage: 0, creator_user_id: null, external_user: null,
      workspace_id: accountId, expires_at: expires,
    })
    expect(body.data.label).toBe(`${body.key.slice(0, 12)}...${body.key.slice(-4)}`)
    expect(Date.parse(body.data.created_at)).toBeLessThanOrEqual(Date.now())
    // The new key is an inference key of the same account: it can chat at once.
    const res = await chat(body.key, { model: 'fake/echo', messages: [{ role: 'user', content: 'hello' }] })
    expect(res.status).toBe(200)
    // The plaintext is never shown again.
    const again = await (await call(`/keys/${body.data.hash}`, { key })).json<any>()
    expect(JSON.stringify(again)).not.toContain(body.key)
  })

  it('lists the account\'s inference keys, hiding disabled ones unless asked, and pages by offset', async () => {
    const { key } = await management()
    const a = (await create(key, { name: 'a' })).body.data
    const b = (await create(key, { name: 'b' })).body.data
    await call(`/keys/${b.hash}`, { method: 'PATCH', key, json: { disabled: true } })
    const active = await (await call('/keys', { key })).json<any>()
    expect(active.data.map((k: any) => k.name)).toEqual(['a'])
    const all = await (await call('/keys?include_disabled=true', { key })).json<any>()
    expect(all.data.map((k: any) => k.hash).sort()).toEqual([a.hash, b.hash].sort())
    const page = await (await call('/keys?include_disabled=true&offset=1', { key })).json<any>()
    expect(page.data.map((k: any) => k.hash)).toEqual([all.data[1].hash])
  })

  it('gets, updates and deletes a key', async () => {
    const { key } = await management()
    const created = (await create(key, { name: 'temp' })).body.data
    const got = await call(`/keys/${created.hash}`, { key })
    expect((await got.json<any>()).data).toEqual(created)

    const patched = await call(`/keys/${created.hash}`, { method: 'PATCH', key, json: { name: 'renamed', limit: 2.5, limit_reset: 'daily' } })
    expect(patched.status).toBe(200)
    expect((await patched.json<any>()).data).toMatchObject({ hash: created.hash, name: 'renamed', limit: 2.5, limit_remaining: 2.5, limit_reset: 'daily', disabled: false })
    const cleared = await (await call(`/keys/${created.hash}`, { method: 'PATCH', key, json: { limit: null, limit_reset: null } })).json<any>()
    expect(cleared.data).toMatchObject({ limit: null, limit_remaining: null, limit_reset: null, name: 'renamed' })

    const deleted = await call(`/keys/${created.hash}`, { method: 'DELETE', key })
    expect(deleted.status).toBe(200)
    expect(await deleted.json()).toEqual({ deleted: true })
    expect((await call(`/keys/${created.hash}`, { key })).status).toBe(404)
    expect((await call(`/keys/${created.hash}`, { method: 'DELETE', key })).status).toBe(404)
  })

  it('reports each key\'s usage from the gate', async () => {
    const { accountId, key } = await management()
    const created = (await create(key, { name: 'spender', limit: 1 })).body
    const res = await chat(created.key, { model: 'fake/echo', messages: [{ role: 'user', content: 'spend' }] })
    const cost = (await res.json<any>()).usage.cost
    await flush(accountId)
    const [listed] = (await (await call('/keys', { key })).json<any>()).data
    expect(listed.usage).toBeCloseTo(cost, 9)
    expect(listed.usage_daily).toBeCloseTo(cost, 9)
    expect(listed.usage_monthly).toBeCloseTo(cost, 9)
    expect(listed.limit_remaining).toBeCloseTo(1 - cost, 9)
  })
})
