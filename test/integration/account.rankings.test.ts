// GET /rankings: models and attributed apps across every account, by tokens or by requests,
// over the suite clock's last 1, 7 or 30 UTC days; aggregate counts only (no account, key or
// referer path in the body); any key or the operator's token may read it.
import { describe, expect, it } from 'vitest'
import { generationId } from '../../src/lib/ids.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { call } from '../helpers/gateway.ts'
import { DAY_MS, onOneDay, settleAndFlush } from '../helpers/one-day.ts'
import { seedAccount } from '../helpers/seed.ts'
import { secrets } from '../helpers/webhooks.ts'

interface Counted { rank: number; requests: number; prompt_tokens: number; completion_tokens: number; total_tokens: number }
interface Rankings {
  period: string; order: string; from: string; to: string
  models: (Counted & { model: string })[]
  apps: (Counted & { title: string | null; url: string | null })[]
  unattributed: Omit<Counted, 'rank'>
}

const rankings = async (query: string, token: string) => {
  const res = await call(`/rankings?${query}`, { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return { text, data: (JSON.parse(text) as { data: Rankings }).data }
}
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

describe('GET /rankings', () => {
  it('ranks models and apps of every account by tokens or requests, for the period, with nothing of any account in it', async () => {
    const a = await seedAccount()
    const b = await seedAccount({ kind: 'management' })
    const { seven, byRequests, one, thirty, today, s } = await onOneDay(async (today) => {
      const s = crypto.randomUUID().slice(0, 8)
      const at = (daysAgo: number, i: number) => today - daysAgo * DAY_MS + 1_000 + i
      let n = 0
      const rec = (acct: { accountId: string; keyHash: string }, daysAgo: number, over: Partial<GenerationRecord>): GenerationRecord => {
        const createdAt = at(daysAgo, n++)
        return { id: generationId(createdAt), accountId: acct.accountId, keyHash: acct.keyHash, model: `rank-${s}/x`, streamed: false, status: 200, costMicro: 1, createdAt, ...over }
      }
      // "big": one request with a billion tokens, from an app whose referer carries a secret in its query.
      // "busy": six small requests, five from B's titled app, one unattributed; a failed one is not counted.
      await settleAndFlush(a.accountId, [
        rec(a, 0, { model: `rank-${s}/big`, tokensPrompt: 900_000_000, tokensCompletion: 100_000_000, httpReferer: `https://tool-${s}.example/p?token=SECRET${s}`, appTitle: `Tool ${s}` }),
        rec(a, 0, { model: `rank-${s}/busy`, tokensPrompt: 1_000, tokensCompletion: 1_000 }),
        rec(a, 0, { model: `rank-${s}/big`, status: 502, appTitle: `Tool ${s}` }),
        rec(a, 10, { model: `rank-${s}/old`, tokensPrompt: 5_000_000_000, appTitle: `Old ${s}` }),
      ])
      await settleAndFlush(b.accountId, Array.from({ length: 5 }, () => rec(b, 1, { model: `rank-${s}/busy`, tokensPrompt: 10_000, tokensCompletion: 10_000, appTitle: `Busy ${s}` })))
      return {
        s, today,
        seven: await rankings('period=7d&limit=100', a.key),
        byRequests: await rankings('period=7d&order=requests&limit=100', b.key),
        one: await rankings('period=1d&limit=100', secrets().admin),
        thirty: await rankings('period=30d&limit=100', a.key),
      }
    })
    const mine = (r: Rankings) => r.models.filter((m) => m.model.startsWith(`rank-${s}/`))
    expect(seven.data).toMatchObject({ period: '7d', order: 'tokens', from: dateOf(today - 6 * DAY_MS), to: dateOf(today) })
    expect(mine(seven.data).map((m) => [m.model, m.requests, m.total_tokens])).toEqual([[`rank-${s}/big`, 1, 1_000_000_000], [`rank-${s}/busy`, 6, 102_000]])
    expect(mine(byRequests.data).map((m) => m.model)).toEqual([`rank-${s}/busy`, `rank-${s}/big`])
    // Ranks are positions in the whole list, in order.
    expect(seven.data.models.map((m) => m.rank)).toEqual(seven.data.models.map((_, i) => i + 1))
    // Yesterday's busy requests are outside 1d; the old model is outside 7d, inside 30d.
    expect(mine(one.data).map((m) => [m.model, m.requests])).toEqual([[`rank-${s}/big`, 1], [`rank-${s}/busy`, 1]])
    expect(mine(thirty.data).map((m) => m.model)).toEqual([`rank-${s}/old`, `rank-${s}/big`, `rank-${s}/busy`])

    const apps = seven.data.apps.filter((x) => x.title?.endsWith(s))
    expect(apps.map((x) => [x.title, x.url, x.requests, x.total_tokens])).toEqual([[`Tool ${s}`, `https://tool-${s}.example`, 1, 1_000_000_000], [`Busy ${s}`, null, 5, 100_000]])
    expect(seven.data.unattributed.requests).toBeGreaterThanOrEqual(1)

    // Nothing of either account: ids, key hashes, key names and labels, the referer's path and query.
    for (const { text } of [seven, byRequests, one, thirty]) {
      for (const secret of [a.accountId, b.accountId, a.keyHash, b.keyHash, a.key.slice(0, 16), 'test key', `SECRET${s}`, '/p?']) expect(text).not.toContain(secret)
    }
  })

  it('takes any key or the operator token; refuses none, a wrong one, and bad queries', async () => {
    const { key } = await seedAccount()
    const { key: management } = await seedAccount({ kind: 'management' })
    for (const token of [key, management, secrets().admin]) expect((await call('/rankings', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    expect((await call('/rankings')).status).toBe(401)
    expect((await call('/rankings', { headers: { authorization: 'Bearer not-a-key-or-the-token' } })).status).toBe(401)
    for (const [q, field] of [['period=90d', 'period'], ['order=cost', 'order'], ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=x', 'limit']]) {
      const res = await call(`/rankings?${q}`, { key })
      expect(res.status, q).toBe(400)
      expect((await res.json<{ error: { message: string } }>()).error.message).toContain(field)
    }
  })
})
