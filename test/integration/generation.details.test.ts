// GET /generation's routing explanation (openrouter_metadata: endpoints considered, skipped and
// why) and its cost breakdown (cost_details), read back from a real request's stored record.
import { describe, expect, it } from 'vitest'
import { catalogIndex } from '../../src/catalog/lookup.ts'
import { chat } from '../helpers/gateway.ts'
import { publicGeneration } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'

const micro = (d: number) => Math.round(d * 1_000_000)

describe('GET /generation details', () => {
  it('explains the routing: the endpoint skipped and why, the attempts, the one that served', async () => {
    const account = await seedAccount()
    const res = await chat(account.key, {
      model: 'fake/echo', provider: { only: ['fake-eu'] },
      messages: [{ role: 'user', content: 'route me [[fake reasoning]]' }],
    })
    const body = await res.json<{ id: string; usage: { cost: number; completion_tokens: number } }>()
    const g = await publicGeneration(account, body.id)
    // `router` stays what OpenRouter's SDK parses (a string or null).
    expect(g.router).toBeNull()
    expect(g.openrouter_metadata).toMatchObject({
      requested: 'fake/echo',
      attempt: 1,
      endpoints: { total: 2, available: [{ provider: 'Switchboard Fake EU', tag: 'fake-eu', selected: true }] },
      attempts: [{ provider: 'Switchboard Fake EU', status: 200 }],
      skipped: [{ model: 'fake/echo', provider: 'fake', reason: 'not_in_only' }],
    })
    expect((g.openrouter_metadata as { summary: string }).summary).toMatch(/1 skipped \(not_in_only\); served by Switchboard Fake EU/)
  })

  it('splits the cost into prompt, completion and reasoning at the serving endpoint\'s prices, adding up to total_cost exactly', async () => {
    const account = await seedAccount()
    const res = await chat(account.key, {
      model: 'fake/echo', provider: { only: ['fake-eu'] },
      messages: [{ role: 'user', content: 'think about the price of this sentence [[fake reasoning]]' }],
    })
    const { id } = await res.json<{ id: string }>()
    const g = await publicGeneration(account, id)
    const details = g.cost_details as Record<string, number>
    const pricing = catalogIndex().models.get('fake/echo')?.endpoints.find((e) => e.provider === 'fake-eu')?.pricing
    if (!pricing) throw new Error('fake/echo has no fake-eu endpoint')
    const reasoning = g.native_tokens_reasoning as number
    expect(reasoning).toBeGreaterThan(0)
    // Each part within a microdollar of tokens × price (µ$ per million tokens), and all of them the total exactly.
    const expected = {
      prompt: ((g.tokens_prompt as number) * pricing.prompt) / 1e6,
      completion: (((g.tokens_completion as number) - reasoning) * pricing.completion) / 1e6,
      reasoning: (reasoning * pricing.completion) / 1e6,
    }
    for (const [part, value] of Object.entries(expected)) expect(Math.abs(micro(details[part] ?? -1) - value), part).toBeLessThanOrEqual(1)
    expect(micro(details.cache_read ?? -1) + micro(details.cache_write ?? -1) + micro(details.request ?? -1)).toBe(0)
    expect(Object.values(details).reduce((s, v) => s + micro(v), 0)).toBe(micro(g.total_cost as number))
  })

  it('a free generation costs zero in every part', async () => {
    const account = await seedAccount()
    const res = await chat(account.key, { model: 'fake/echo:free', messages: [{ role: 'user', content: 'free' }] })
    const g = await publicGeneration(account, (await res.json<{ id: string }>()).id)
    expect(g.total_cost).toBe(0)
    expect(g.cost_details).toEqual({ prompt: 0, cache_read: 0, cache_write: 0, request: 0, completion: 0, reasoning: 0 })
  })
})
