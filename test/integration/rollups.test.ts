// Rollups: the hourly and daily aggregates each flush maintains equal, exactly, what the
// generation rows (and their details' TTFT) add up to; /activity reads only them.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { generations } from '../../src/db/schema.ts'
import { generationId } from '../../src/lib/ids.ts'
import type { AccountGate } from '../../src/objects/account-gate.ts'
import { gateFor } from '../../src/objects/clients.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { call, chat } from '../helpers/gateway.ts'
import { flush, flushGate, ledgerBalance } from '../helpers/ledger.ts'
import { testClock, useClock } from '../helpers/clock.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'
import { rollupsVsRows } from '../helpers/storage.ts'

const DAY_MS = 86_400_000

/** One generation's varying facts: which key, model, provider and app, its outcome, size and timing. */
const spec = fc.record({
  key: fc.nat(1),
  model: fc.constantFrom('fake/echo', 'openai/gpt-4o-mini'),
  providerId: fc.constantFrom('fake', 'openai', null),
  app: fc.constantFrom<[string | null, string | null]>([null, null], ['https://a.example/', null], [null, 'Title'], ['https://b.example/', 'B']),
  status: fc.constantFrom(200, 200, 400, 502),
  cancelled: fc.boolean(),
  tokens: fc.array(fc.nat(5_000), { minLength: 5, maxLength: 5 }),
  costMicro: fc.nat(100_000),
  latencyMs: fc.option(fc.nat(200_000)),
  ttftMs: fc.option(fc.nat(200_000)),
  /** Within three days, so rows cross hours and days. */
  offsetMs: fc.nat(3 * DAY_MS),
})

/** Flush until the gate's outbox and the recorders' are empty (a batch holds one hour's generations). */
const drain = (accountId: string) => flushGate(gateFor(env, accountId))

describe('rollups', () => {
  it('equal the generation rows exactly, per hour and per day, for any mix of keys, models, providers, apps and outcomes', async () => {
    const base = Date.now() - 4 * DAY_MS
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 40 }), async (specs) => {
        const { accountId, keyHash } = await seedAccount({ balanceMicro: 100_000_000 })
        const keys = [keyHash, (await addKey(accountId)).keyHash]
        const records = specs.map((s): GenerationRecord => {
          const createdAt = base + s.offsetMs
          const [prompt, completion, reasoning, cached, cacheWrite] = s.tokens as [number, number, number, number, number]
          return {
            id: generationId(createdAt), accountId, keyHash: keys[s.key] as string, model: s.model, providerId: s.providerId,
            apiType: 'completions', streamed: false, cancelled: s.cancelled, status: s.status, tokensPrompt: prompt, tokensCompletion: completion,
            tokensReasoning: reasoning, tokensCached: cached, tokensCacheWrite: cacheWrite, costMicro: s.costMicro, latencyMs: s.latencyMs,
            ttftMs: s.ttftMs, httpReferer: s.app[0], appTitle: s.app[1], createdAt,
          }
        })
        const gate = gateFor(env, accountId)
        await gate.settleMany(records.map((r) => ({ accountId, generationId: r.id, record: r })))
        await drain(accountId)
        const { expected, actual } = await rollupsVsRows(accountId)
        expect(actual.hour).toEqual(expected.hour)
        expect(actual.day).toEqual(expected.day)
        const spent = records.reduce((sum, r) => sum + r.costMicro, 0)
        expect(await ledgerBalance(accountId)).toBe(100_000_000 - spent)
        expect((await gate.snapshot()).balanceMicro).toBe(100_000_000 - spent)
      }),
      { numRuns: 6 },
    )
  })

  it('/activity reads the rollups only: the same answer once the generation rows are gone', async () => {
    const { accountId, key } = await seedAccount()
    for (const [content, title] of [['a', 'One'], ['b', 'One'], ['c', 'Two']] as const) {
      await chat(key, { model: 'fake/echo', provider: { order: ['fake'], allow_fallbacks: false }, messages: [{ role: 'user', content }] }, { 'X-Title': title })
    }
    await flush(accountId)
    const before = await (await call('/activity', { key })).json<{ data: { app_title: string; requests: number }[] }>()
    expect(before.data.map((r) => [r.app_title, r.requests]).sort()).toEqual([['One', 2], ['Two', 1]])
    const db = createDb(env.DB)
    await db.delete(generations).where(eq(generations.accountN, accountName(db, accountId)))
    expect(await (await call('/activity', { key })).json()).toEqual(before)
  })
})

describe('the balance from rollups', () => {
  it('a gate meeting an account for the first time reads its balance and each key\'s day, week and month spend from the daily rollups', async () => {
    const { accountId, keyHash } = await seedAccount({ balanceMicro: 1_000_000 })
    const other = (await addKey(accountId)).keyHash
    const now = Date.now()
    const day = now - (now % DAY_MS)
    // Spend today, 3 days ago and 40 days ago, on two keys: written to D1 as flushes write it, before the gate exists.
    const records = [[keyHash, 0, 100], [keyHash, 3, 20], [keyHash, 40, 3], [other, 0, 5000]].map(([k, daysAgo, cost]): GenerationRecord => ({
      id: generationId(day - Number(daysAgo) * DAY_MS + 1_000), accountId, keyHash: k as string, model: 'fake/echo', streamed: false, status: 200,
      costMicro: cost as number, createdAt: day - Number(daysAgo) * DAY_MS + 1_000,
    }))
    const writer = `${accountId}-writer`
    await gateFor(env, writer).snapshot(writer)
    await runInDurableObject(gateFor(env, writer), async (g: AccountGate) => {
      await g.settleMany(records.map((r) => ({ accountId, generationId: r.id, record: r })))
    })
    await flushGate(gateFor(env, writer))
    const gate = gateFor(env, accountId)
    await useClock(gate, testClock(now)) // its periods are those of `now`, whenever the calls land
    const usage = await gate.keyUsage(accountId, { hash: keyHash, limitMicro: null, limitReset: null })
    const weekStart = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS // Monday
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1)
    const inPeriod = (start: number) => records.filter((r) => r.keyHash === keyHash && r.createdAt >= start).reduce((s, r) => s + r.costMicro, 0)
    expect(usage).toMatchObject({ usageMicro: 123, dailyMicro: 100, weeklyMicro: inPeriod(weekStart), monthlyMicro: inPeriod(monthStart) })
    expect((await gate.snapshot(accountId)).balanceMicro).toBe(1_000_000 - 5_123)
  })
})
