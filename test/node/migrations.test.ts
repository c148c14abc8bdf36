// The hand-written data migrations (0002: slim generations with interned names, details kept
// in generations_legacy; 0004: rollups from the rows) run on a D1-like SQLite holding rows of
// the old layout: every charge survives exactly, names match what the code interns, and the
// rollups equal what the flush would have added.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { bucketOf } from '../../src/storage/histogram.ts'
import { apiTypeCode, appName } from '../../src/storage/record.ts'

const DIR = join(import.meta.dirname, '..', '..', 'migrations')
const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort()
const apply = (db: DatabaseSync, name: string) => {
  for (const statement of readFileSync(join(DIR, name), 'utf8').split('--> statement-breakpoint')) {
    if (statement.replace(/--.*$/gm, '').trim()) db.exec(statement)
  }
}

interface OldRow {
  id: string; account_id: string; key_hash: string; model: string; provider_id: string | null; provider_name: string | null; api_type: string
  streamed: number; cancelled: number; status: number; tokens_prompt: number; tokens_completion: number; tokens_reasoning: number
  tokens_cached: number; tokens_cache_write: number; cost_micro: number; latency_ms: number | null; http_referer: string | null
  app_title: string | null; user_agent: string | null; attempts: string; created_at: number
}

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** Old rows with every shape that matters: two accounts and keys, no provider, odd apps (long, quoted, unicode), each api_type, failures. */
const oldRows = (): OldRow[] => {
  const base = Date.UTC(2026, 10, 1, 10)
  const apps: [string | null, string | null][] = [[null, null], ['https://a.example/', null], [null, 'Only "title", ünïcode'], ['https://b.example/' + 'x'.repeat(300), 'T'.repeat(300)]]
  return Array.from({ length: 48 }, (_, i) => ({
    id: `gen-${Math.floor((base + i * 1_800_000) / 1000)}-${String(i).padStart(20, '0')}`,
    account_id: i % 3 === 0 ? 'acct_one' : 'acct_two', key_hash: i % 2 ? 'a'.repeat(64) : 'b'.repeat(64), model: i % 4 ? 'openai/gpt-4o-mini' : 'fake/echo',
    provider_id: i % 5 === 0 ? null : 'openai', provider_name: i % 5 === 0 ? null : 'OpenAI', api_type: ['completions', 'embeddings', 'messages', 'responses', 'bogus'][i % 5] as string,
    streamed: i % 2, cancelled: i % 7 === 0 ? 1 : 0, status: i % 6 === 0 ? 502 : 200, tokens_prompt: 10 * i, tokens_completion: 3 * i, tokens_reasoning: i % 3,
    tokens_cached: i % 4, tokens_cache_write: i % 2, cost_micro: 17 * i, latency_ms: i % 8 === 0 ? null : 40 * i * i,
    http_referer: apps[i % 4]![0], app_title: apps[i % 4]![1], user_agent: `agent ${i}`, attempts: JSON.stringify([{ provider: 'openai', status: 200 }]),
    created_at: base + i * 1_800_000,
  }))
}

describe('migrations 0002 and 0004 on a database with generations in the old layout', () => {
  it('keep every charge and its details, intern names as the code does, and build rollups equal to the rows', () => {
    const db = new DatabaseSync(':memory:')
    const upTo = files.indexOf('0002_slim_generations.sql')
    for (const f of files.slice(0, upTo)) apply(db, f)
    const rows = oldRows()
    const cols = Object.keys(rows[0]!)
    const insert = db.prepare(`INSERT INTO generations (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
    for (const r of rows) insert.run(...cols.map((c) => r[c as keyof OldRow]))
    for (const f of files.slice(upTo)) apply(db, f)

    const name = (id: number) => (db.prepare('SELECT value FROM names WHERE id = ?').get(id) as { value: string } | undefined)?.value ?? null
    const charges = db.prepare('SELECT * FROM generations ORDER BY id').all() as Record<string, number | string | null>[]
    expect(charges).toHaveLength(rows.length)
    for (const [i, c] of charges.entries()) {
      const r = rows[i]!
      expect({
        id: c.id, account: name(c.account_n as number), key: name(c.key_n as number), model: name(c.model_n as number),
        provider: c.provider_n ? name(c.provider_n as number) : null, app: c.app_n ? name(c.app_n as number) : null, api: c.api_type,
        cost: c.cost_micro, latency: c.latency_ms, batch: c.batch, status: c.status, created: c.created_at,
      }).toEqual({
        id: r.id, account: r.account_id, key: r.key_hash, model: r.model, provider: r.provider_id, app: appName(r.http_referer, r.app_title),
        api: apiTypeCode(r.api_type), cost: r.cost_micro, latency: r.latency_ms, batch: null, status: r.status, created: r.created_at,
      })
    }
    // The details stay in their old rows.
    expect((db.prepare('SELECT user_agent FROM generations_legacy ORDER BY id').all() as { user_agent: string }[]).map((r) => r.user_agent)).toEqual(rows.map((r) => r.user_agent))

    for (const [table, span] of [['usage_hourly', HOUR_MS], ['usage_daily', DAY_MS]] as const) {
      const expected = new Map<string, { requests: number; errors: number; cost: number; tokens: number; latencySum: number; latency: number[] }>()
      for (const c of charges) {
        const created = c.created_at as number
        const k = [created - (created % span), c.account_n, c.key_n, c.model_n, c.provider_n, c.app_n].join('|')
        const e = expected.get(k) ?? { requests: 0, errors: 0, cost: 0, tokens: 0, latencySum: 0, latency: new Array<number>(12).fill(0) }
        e.requests++
        if ((c.status as number) >= 400) e.errors++
        e.cost += c.cost_micro as number
        e.tokens += c.tokens_prompt as number
        if (c.latency_ms !== null) {
          e.latencySum += c.latency_ms as number
          e.latency[bucketOf(c.latency_ms as number)]!++
        }
        expected.set(k, e)
      }
      const actual = new Map((db.prepare(`SELECT * FROM ${table}`).all() as Record<string, number>[]).map((r) => [
        [r.start, r.account_n, r.key_n, r.model_n, r.provider_n, r.app_n].join('|'),
        { requests: r.requests, errors: r.errors, cost: r.cost_micro, tokens: r.tokens_prompt, latencySum: r.latency_ms_sum, latency: Array.from({ length: 12 }, (_, i) => r[`latency_h${i}`]) },
      ]))
      expect(actual).toEqual(expected)
    }
  })
})
