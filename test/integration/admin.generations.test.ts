// The operator API's generation pages (the Logs view; what `npm run admin -- export` walks):
// D1 charges with their R2 details, a time range, either order, a cursor; and the export's
// JSONL and CSV renderings read back to the generations that were settled.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { generationId } from '../../src/lib/ids.ts'
import { configOf } from '../../src/env.ts'
import { gateFor, recorderName } from '../../src/objects/clients.ts'
import { CSV_COLUMNS, csvHeader, csvLine, type ExportRow } from '../../src/storage/export.ts'
import type { GenerationRecord } from '../../src/storage/record.ts'
import { call } from '../helpers/gateway.ts'
import { flushGate } from '../helpers/ledger.ts'
import { seedAccount } from '../helpers/seed.ts'
import { secrets } from '../helpers/webhooks.ts'

const HOUR_MS = 3_600_000

const admin = async <T>(path: string, init: { method?: string } = {}) => {
  const res = await call(`/admin${path}`, { ...init, headers: { authorization: `Bearer ${secrets().admin}` } })
  return { status: res.status, body: await res.json<T>() }
}
type Page = { data: ExportRow[]; next_cursor: string | null }

/** RFC 4180, written apart from the export's own renderer so the round trip checks it. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = '' } else field += ch
  }
  return rows
}

const seedGenerations = async () => {
  const { accountId, keyHash } = await seedAccount()
  const base = Date.now() - 10 * HOUR_MS
  const records = Array.from({ length: 7 }, (_, i): GenerationRecord => {
    const createdAt = base + i * HOUR_MS
    return {
      id: generationId(createdAt), accountId, keyHash, model: i % 2 ? 'fake/echo' : 'openai/gpt-4o-mini', providerId: 'fake', providerName: 'Switchboard Fake',
      apiType: i === 3 ? 'messages' : 'completions', streamed: i % 2 === 0, status: i === 5 ? 502 : 200, finishReason: i === 5 ? null : 'stop',
      tokensPrompt: 10 + i, tokensCompletion: 2 * i, costMicro: 100 * i, latencyMs: 50 * i, ttftMs: i === 4 ? null : 10 * i,
      attempts: [{ provider: 'fake', status: i === 5 ? 502 : 200, latency_ms: 40 }], router: { strategy: 'price', attempt: 1 },
      // Commas, quotes and a line break, for the CSV.
      userAgent: `agent "${i}", v1\nsecond line`, httpReferer: 'https://app.example/', appTitle: 'A, B', externalUser: i === 2 ? 'u-2' : null,
      createdAt,
    }
  })
  const gate = gateFor(env, accountId)
  await gate.settleMany(records.map((r) => ({ accountId, generationId: r.id, record: r })))
  await flushGate(gate)
  return { accountId, records }
}

/** Every page of a range, as the export walks it. */
const allPages = async (accountId: string, query: string) => {
  const rows: ExportRow[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page: { status: number; body: Page } = await admin<Page>(`/accounts/${accountId}/generations?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    expect(page.status).toBe(200)
    rows.push(...page.body.data)
    cursor = page.body.next_cursor
    pages++
  } while (cursor)
  return { rows, pages }
}

describe('operator API: generations', () => {
  it('pages an account\'s generations in a range, newest or oldest first, with or without details', async () => {
    const { accountId, records } = await seedGenerations()
    const newest = await admin<Page>(`/accounts/${accountId}/generations?limit=3`)
    expect(newest.body.data.map((r) => r.id)).toEqual(records.slice(-3).reverse().map((r) => r.id))
    expect(newest.body.next_cursor).toEqual(expect.any(String))
    // A range (from inclusive, to exclusive), oldest first, across pages.
    const from = new Date(records[1]!.createdAt).toISOString()
    const to = new Date(records[5]!.createdAt).toISOString()
    const ranged = await allPages(accountId, `from=${from}&to=${to}&order=asc&limit=2`)
    expect(ranged.rows.map((r) => r.id)).toEqual(records.slice(1, 5).map((r) => r.id))
    expect(ranged.pages).toBe(3)
    // Without details: the charge only (D1), no R2 read.
    const bare = await admin<Page>(`/accounts/${accountId}/generations?limit=1&details=false`)
    expect(bare.body.data[0]).toMatchObject({ id: records[6]!.id, cost_micro: 600, tokens_prompt: 16, user_agent: null, attempts: [], app_title: 'A, B' })
  })

  it('round-trips through the export\'s JSONL and CSV: every generation, charge and details', async () => {
    const { accountId, records } = await seedGenerations()
    const { rows } = await allPages(accountId, 'order=asc&limit=3')
    const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + '\n'
    const back = jsonl.trim().split('\n').map((line) => JSON.parse(line) as ExportRow)
    expect(back).toHaveLength(records.length)
    for (const [i, r] of records.entries()) {
      expect(back[i]).toEqual({
        id: r.id, created_at: new Date(r.createdAt).toISOString(), account_id: accountId, key_hash: r.keyHash, model: r.model,
        provider_id: 'fake', provider_name: 'Switchboard Fake', region: null, upstream_id: null, api_type: r.apiType, streamed: r.streamed,
        cancelled: false, status: r.status, finish_reason: r.finishReason, native_finish_reason: null, tokens_prompt: r.tokensPrompt,
        tokens_completion: r.tokensCompletion, tokens_reasoning: 0, tokens_cached: 0, tokens_cache_write: 0, cost_micro: r.costMicro,
        cost_usd: r.costMicro / 1_000_000, latency_ms: r.latencyMs, generation_time_ms: null, ttft_ms: r.ttftMs, http_referer: r.httpReferer,
        app_title: r.appTitle, user_agent: r.userAgent, external_user: r.externalUser, attempts: r.attempts, router: r.router,
      })
    }
    const csv = parseCsv([csvHeader(), ...rows.map(csvLine)].join('\n') + '\n')
    expect(csv[0]).toEqual(CSV_COLUMNS)
    expect(csv).toHaveLength(records.length + 1)
    for (const [i, line] of csv.slice(1).entries()) {
      const row = Object.fromEntries(CSV_COLUMNS.map((c, j) => [c, line[j]]))
      const r = records[i]!
      expect(row).toMatchObject({ id: r.id, user_agent: r.userAgent, app_title: 'A, B', cost_micro: String(r.costMicro), status: String(r.status) })
      expect(JSON.parse(row.attempts as string)).toEqual(r.attempts)
      expect(row.external_user).toBe(r.externalUser ?? '')
    }
  })

  it('refuses bad parameters with a 400, an unknown account with a 404, a missing token with a 401', async () => {
    const { accountId } = await seedAccount()
    for (const q of ['from=yesterday', 'limit=0', 'limit=5000', 'order=up', 'cursor=nope', 'details=maybe', 'from=2026-02-01&to=2026-01-01']) {
      const res = await admin<{ error: { message: string } }>(`/accounts/${accountId}/generations?${q}`)
      expect(res.status, q).toBe(400)
      expect(res.body.error.message).toMatch(/^Invalid request/)
    }
    expect((await admin(`/accounts/acct_nobody/generations`)).status).toBe(404)
    expect((await call(`/admin/accounts/${accountId}/generations`)).status).toBe(401)
  })

  it('runs a retention pass on demand (crons do not fire under npm start)', async () => {
    const res = await admin<{ data: { cutoff: string; rows: number; done: boolean } }>('/retention', { method: 'POST' })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ rows: 0, done: true })
    // RETENTION_DAYS is 30 here (the default): the cutoff is the start of the hour 30 days ago.
    const cutoff = Date.parse(res.body.data.cutoff)
    expect(Date.now() - 30 * 86_400_000 - cutoff).toBeGreaterThanOrEqual(0)
    expect(Date.now() - 30 * 86_400_000 - cutoff).toBeLessThan(HOUR_MS + 60_000)
    expect((await call('/admin/retention', { method: 'POST' })).status).toBe(401)
  })

  it('shows each recorder\'s backlog and last write', async () => {
    const { accountId } = await seedGenerations()
    const res = await admin<{ data: { name: string; unflushed: number; last_flush: { rows: number } | null }[] }>('/recorders')
    expect(res.status).toBe(200)
    expect(res.body.data.map((r) => r.name)).toEqual(Array.from({ length: configOf(env).RECORDERS }, (_, n) => `recorders/${n}`))
    for (const r of res.body.data) expect(r.unflushed).toBe(0)
    // The seeded generations went through the account's recorder.
    const mine = res.body.data.find((r) => r.name === recorderName(accountId, configOf(env).RECORDERS))
    expect(mine?.last_flush?.rows).toBeGreaterThan(0)
    expect((await call('/admin/recorders')).status).toBe(401)
  })
})
