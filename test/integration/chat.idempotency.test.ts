// Idempotency-Key: a repeated request gets the stored result and is charged once.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { gateFor } from '../../src/objects/clients.ts'
import { chat, readSse } from '../helpers/gateway.ts'
import { flush, settled } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

describe('Idempotency-Key', () => {
  it('replays a completed request and charges once', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const body = { model: 'fake/echo', messages: [{ role: 'user', content: 'only once' }] }
    const first = await chat(key, body, { 'Idempotency-Key': 'abc-1' })
    const firstBody = await first.json<any>()
    await settled(accountId)
    const again = await chat(key, body, { 'Idempotency-Key': 'abc-1' })
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual(firstBody)
    await flush(accountId)
    expect((await gateFor(env, accountId).snapshot()).balanceMicro).toBe(1_000_000 - Math.round(firstBody.usage.cost * 1e6))
  })

  it('makes concurrent duplicates wait for the first result', async () => {
    const { accountId, key } = await seedAccount({ balanceMicro: 1_000_000 })
    const body = { model: 'fake/echo', messages: [{ role: 'user', content: 'slow one [[fake latency_ms=200]]' }] }
    const responses = await Promise.all([1, 2, 3].map(() => chat(key, body, { 'Idempotency-Key': 'same' })))
    const bodies = await Promise.all(responses.map((r) => r.json<any>()))
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1)
    await flush(accountId)
    expect((await gateFor(env, accountId).snapshot()).totalUsageMicro).toBe(Math.round(bodies[0].usage.cost * 1e6))
  })

  it('replays a stream as the same events', async () => {
    const { accountId, key } = await seedAccount()
    const body = { model: 'fake/echo', stream: true, messages: [{ role: 'user', content: 'stream once' }] }
    const first = await readSse(await chat(key, body, { 'Idempotency-Key': 's-1' }))
    await settled(accountId)
    const replay = await chat(key, body, { 'Idempotency-Key': 's-1' })
    expect(replay.headers.get('content-type')).toContain('text/event-stream')
    const second = await readSse(replay)
    expect(second.events).toEqual(first.events)
    expect(second.done).toBe(true)
  })

  it('refuses the same key with a different body (422), and lets a failed request be retried', async () => {
    const { accountId, key } = await seedAccount()
    await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'one' }] }, { 'Idempotency-Key': 'k' })
    await settled(accountId)
    const other = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'two' }] }, { 'Idempotency-Key': 'k' })
    expect(other.status).toBe(422)
    const failing = { model: 'fake/echo', provider: { only: ['fake'] }, messages: [{ role: 'user', content: 'x [[fake status=500]]' }] }
    expect((await chat(key, failing, { 'Idempotency-Key': 'f' })).status).toBe(503)
    await settled(accountId)
    expect((await chat(key, failing, { 'Idempotency-Key': 'f' })).status).toBe(503) // executed again, not replayed
    await settled(accountId)
  })
})
