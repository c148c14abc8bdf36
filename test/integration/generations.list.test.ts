// GET /generations (the dashboard's Logs): an account's generations newest first, filtered
// by model, provider, key, app and status, paged by cursor; an API key sees its own only.
import { describe, expect, it } from 'vitest'
import { call, chat } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

interface Listed { id: string; created_at: string; model: string; provider: string | null; api_key_hash: string; status: string; app_title: string | null; http_referer: string | null; total_cost: number; tokens_completion: number }
interface Page { data: Listed[]; next_cursor: string | null; error?: { message: string } }

const list = async (key: string, query = '') => {
  const res = await call(`/generations${query}`, { key })
  return { status: res.status, body: await res.json<Page>() }
}

/** Pinned to the `fake` endpoint: fake/echo is also served by fake-eu, and the provider filter is asserted below. */
const PINNED = { provider: { only: ['fake'] } }

const ask = (key: string, model: string, content: string, title?: string) =>
  chat(key, { model, messages: [{ role: 'user', content }], ...PINNED }, title ? { 'X-OpenRouter-Title': title } : {}).then(async (r) => {
    expect(r.status).toBe(200)
    return (await r.json<{ id: string }>()).id
  })

describe('GET /generations', () => {
  it('lists the account newest first, filters, and pages by cursor', async () => {
    const { accountId, key, keyHash } = await seedAccount()
    const other = await addKey(accountId)
    const management = await addKey(accountId, 'management')
    const one = await ask(key, 'fake/echo', 'one', 'App A')
    const two = await ask(key, 'fake/story', 'two', 'App B')
    const three = await ask(other.key, 'fake/echo', 'three', 'App A')
    const refused = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'four [[fake status=400]]' }], ...PINNED })
    expect(refused.status).toBe(400)
    const failed = refused.headers.get('x-generation-id') ?? ''
    expect(failed).toMatch(/^gen-/)
    await flush(accountId)

    const all = await list(management.key)
    expect(all.status).toBe(200)
    const sorted = (ids: string[]) => [...ids].sort()
    expect(sorted(all.body.data.map((g) => g.id))).toEqual(sorted([one, two, three, failed]))
    const times = all.body.data.map((g) => Date.parse(g.created_at))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(all.body.next_cursor).toBeNull()
    expect(all.body.data.find((g) => g.id === three)).toMatchObject({ model: 'fake/echo', status: 'success', app_title: 'App A', api_key_hash: other.keyHash })
    expect(all.body.data.find((g) => g.id === two)?.total_cost).toBeGreaterThan(0)

    const ids = async (query: string, as = management.key) => sorted((await list(as, query)).body.data.map((g) => g.id))
    expect(await ids('?model=fake/story')).toEqual([two])
    expect(await ids('?app=App%20A')).toEqual(sorted([one, three]))
    expect(await ids(`?api_key_hash=${other.keyHash}`)).toEqual([three])
    expect(await ids('?status=error')).toEqual([failed])
    expect(await ids('?provider=fake&status=success')).toEqual(sorted([one, two, three]))
    expect(await ids('?provider=nobody')).toEqual([])

    // An API key sees its own generations, and may not ask for another key's.
    expect(await ids('', key)).toEqual(sorted([one, two, failed]))
    expect((await list(key, `?api_key_hash=${other.keyHash}`)).status).toBe(403)

    // Pages by cursor: together, the whole list once.
    const first = await list(management.key, '?limit=3')
    expect(first.body.data).toHaveLength(3)
    expect(first.body.next_cursor).not.toBeNull()
    const second = await list(management.key, `?limit=3&cursor=${first.body.next_cursor}`)
    expect([...first.body.data, ...second.body.data].map((g) => g.id)).toEqual(all.body.data.map((g) => g.id))

    // Another account sees none of them.
    const stranger = await seedAccount()
    expect((await list(stranger.key)).body.data).toEqual([])
  })

  it('refuses bad queries with a 400 naming the field, and no key with a 401', async () => {
    const { key } = await seedAccount()
    for (const [q, field] of [['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?cursor=nope', 'cursor'], ['?status=maybe', 'status'], ['?api_key_hash=xyz', 'api_key_hash']]) {
      const res = await list(key, q)
      expect(res.status, q).toBe(400)
      expect(res.body.error?.message).toMatch(new RegExp(`^Invalid request: ${field}`))
    }
    expect((await call('/generations')).status).toBe(401)
  })
})
