// I1 and I2 under load: 1,000 concurrent requests on one account whose balance covers
// about a hundred of them. Nothing is overspent, and the D1 ledger sums exactly to the balance.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { gateFor } from '../../src/objects/clients.ts'
import { chat } from '../helpers/gateway.ts'
import { flush, ledgerBalance } from '../helpers/ledger.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

const REQUESTS = 1_000
const body = { model: 'fake/echo', max_tokens: 8, messages: [{ role: 'user', content: 'count me' }] }

const storm = async (keys: string[]) => {
  const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => chat(keys[i % keys.length]!, body)))
  const bodies = await Promise.all(responses.map((r) => r.json<any>()))
  return responses.map((r, i) => ({ status: r.status, body: bodies[i] }))
}

const check = async (accountId: string, balance: number, results: Awaited<ReturnType<typeof storm>>) => {
  const ok = results.filter((r) => r.status === 200)
  const denied = results.filter((r) => r.status === 402)
  expect(ok.length + denied.length).toBe(REQUESTS) // nothing else went wrong
  expect(ok.length).toBeGreaterThan(0)
  expect(denied.length).toBeGreaterThan(0)
  const charged = ok.reduce((sum, r) => sum + Math.round(r.body.usage.cost * 1e6), 0)
  expect(charged).toBeLessThanOrEqual(balance) // I1
  await flush(accountId)
  const snap = await gateFor(env, accountId).snapshot()
  expect(snap.balanceMicro).toBe(balance - charged) // every charge landed, once
  expect(snap.balanceMicro).toBeGreaterThanOrEqual(0)
  expect(await ledgerBalance(accountId)).toBe(snap.balanceMicro) // I2: the ledger sums exactly
  return ok.length
}

describe('concurrency', () => {
  it('1,000 concurrent requests on one key never overspend the account', async () => {
    const balance = 3_400 // µ$: about a hundred worst-case holds of this request
    const { accountId, key } = await seedAccount({ balanceMicro: balance })
    const served = await check(accountId, balance, await storm([key]))
    expect(served).toBeLessThan(REQUESTS / 2)
  }, 60_000)

  it('the same, spread over many keys of the account', async () => {
    const balance = 3_400
    const { accountId, key } = await seedAccount({ balanceMicro: balance })
    const keys = [key, ...(await Promise.all(Array.from({ length: 9 }, () => addKey(accountId)))).map((k) => k.key)]
    await check(accountId, balance, await storm(keys))
  }, 60_000)
})
