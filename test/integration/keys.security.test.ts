// Who may use the keys API, and how fast a disabled or deleted key stops.
import { describe, expect, it } from 'vitest'
import { keyCache } from '../../src/auth/key-cache.ts'
import { call, chat } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'

const ask = { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }

const mint = async (key: string, name = 'k') => (await (await call('/keys', { method: 'POST', key, json: { name } })).json<any>())

describe('keys API security', () => {
  it('needs a management key: none → 401, an inference key → 401; a management key cannot chat (403)', async () => {
    const inference = await seedAccount()
    const management = await seedAccount({ kind: 'management' })
    expect((await call('/keys')).status).toBe(401)
    const res = await call('/keys', { key: inference.key })
    expect(res.status).toBe(401)
    expect((await res.json<any>()).error).toMatchObject({ code: 401, message: 'This endpoint requires a management key' })
    expect((await call('/keys', { method: 'POST', key: inference.key, json: { name: 'x' } })).status).toBe(401)
    expect((await chat(management.key, ask)).status).toBe(403)
  })

  it('a disabled key is refused at once by the gate, even where a stale cache entry still trusts it', async () => {
    const { key } = await seedAccount({ kind: 'management' })
    const minted = await mint(key)
    expect((await chat(minted.key, ask)).status).toBe(200)
    // Another isolate's view: the key record cached before the disable.
    const stale = keyCache.get(minted.data.hash, Date.now())
    expect(stale?.disabled).toBe(false)
    expect((await call(`/keys/${minted.data.hash}`, { method: 'PATCH', key, json: { disabled: true } })).status).toBe(200)
    // This isolate forgot the key, so it reads D1: 401.
    expect((await chat(minted.key, ask)).status).toBe(401)
    // Put the stale record back: the gate still refuses it.
    keyCache.set(minted.data.hash, stale!, Date.now(), 60_000)
    const refused = await chat(minted.key, ask)
    expect(refused.status).toBe(401)
    expect((await refused.json<any>()).error.message).toBe('This API key is disabled')
    // Re-enabling lets it through again.
    await call(`/keys/${minted.data.hash}`, { method: 'PATCH', key, json: { disabled: false } })
    expect((await chat(minted.key, ask)).status).toBe(200)
  })

  it('a deleted key stops at once and is gone (404)', async () => {
    const { key } = await seedAccount({ kind: 'management' })
    const minted = await mint(key)
    expect((await chat(minted.key, ask)).status).toBe(200)
    const stale = keyCache.get(minted.data.hash, Date.now())
    await call(`/keys/${minted.data.hash}`, { method: 'DELETE', key })
    expect((await chat(minted.key, ask)).status).toBe(401)
    keyCache.set(minted.data.hash, stale!, Date.now(), 60_000)
    expect((await chat(minted.key, ask)).status).toBe(401)
    expect((await call(`/keys/${minted.data.hash}`, { key })).status).toBe(404)
  })

  it('another account\'s keys are invisible: 404 on get, update and delete, absent from the list', async () => {
    const mine = await seedAccount({ kind: 'management' })
    const theirs = await seedAccount({ kind: 'management' })
    const their = await mint(theirs.key, 'theirs')
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(`/keys/${their.data.hash}`, { method, key: mine.key, ...(method === 'PATCH' ? { json: { disabled: true } } : {}) })
      expect(res.status, method).toBe(404)
      expect((await res.json<any>()).error.code).toBe(404)
    }
    expect((await (await call('/keys', { key: mine.key })).json<any>()).data).toEqual([])
    // Untouched: still enabled and usable.
    expect((await chat(their.key, ask)).status).toBe(200)
  })

  it('management keys are not listed or reachable through the keys API', async () => {
    const { key, keyHash } = await seedAccount({ kind: 'management' })
    expect((await call(`/keys/${keyHash}`, { key })).status).toBe(404)
    expect((await call(`/keys/${keyHash}`, { method: 'DELETE', key })).status).toBe(404)
    expect((await (await call('/keys?include_disabled=true', { key })).json<any>()).data).toEqual([])
  })

  it('validation errors are 400s naming the field', async () => {
    const { key } = await seedAccount({ kind: 'management' })
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', limit: -1 }, 'limit'],
      [{ name: 'x', limit: 'ten' }, 'limit'],
      [{ name: 'x', limit_reset: 'hourly' }, 'limit_reset'],
      [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'x', expires_at: '2000-01-01T00:00:00Z' }, 'expires_at'],
    ]
    for (const [body, field] of cases) {
      const res = await call('/keys', { method: 'POST', key, json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await res.json<any>()).error.message).toContain(field)
    }
    const minted = await mint(key)
    const bad = await call(`/keys/${minted.data.hash}`, { method: 'PATCH', key, json: { disabled: 'yes' } })
    expect(bad.status).toBe(400)
    expect((await bad.json<any>()).error.message).toContain('disabled')
    expect((await call('/keys?offset=-1', { key })).status).toBe(400)
    expect((await call('/keys', { method: 'POST', key, body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400)
  })
})
