// Synthetic history for the storage scale bench: generations spread over the last 30 days,
// written straight into the local D1 file (node:sqlite, with the runtime stopped) as the
// flush writes them: charge rows with interned names, rollups (summed with the flush's own
// rollupDeltas), flush markers; and their details as gzipped JSONL objects for R2, keyed as
// the flush keys them. One account (the one measured) has 40% of the rows and a realistic
// spread: 2 keys, 4 models, 2 providers, 2 apps; 19 others share the rest.
import { gzipSync } from 'node:zlib'
import { DatabaseSync } from 'node:sqlite'
import { chargeRow } from '../src/storage/charge.ts'
import { detailsKey } from '../src/storage/details-keys.ts'
import { detailsOf, nameKey, namesOf, type GenerationRecord, type NameRef } from '../src/storage/record.ts'
import { rollupDeltas, type RollupDelta } from '../src/storage/rollup.ts'
import { randomBase62 } from '../src/lib/crypto.ts'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
const BATCH = 100

export interface Population {
  /** The measured account and its keys (hashes). */
  accountId: string
  keys: string[]
  /** Every account's rollups so far, by span and dimensions (seeded stages add to it). */
  rollups: Map<string, RollupDelta>
  /** Ids of the measured account's generations, one per details object (for /generation lookups that miss the isolate cache). */
  sampleIds: string[]
  batchSeq: number
}

const MODELS = ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4.5', 'google/gemini-2.5-flash', 'meta-llama/llama-3.3-70b-instruct']
const PROVIDERS = [['openai', 'OpenAI'], ['together', 'Together']] as const
const APPS = [['https://chat.example.com/', 'Example Chat'], [null, null]] as const
const OTHERS = Array.from({ length: 19 }, (_, i) => `acct_benchother${String(i).padStart(11, '0')}`)

export const newPopulation = (accountId: string, keys: string[]): Population => ({ accountId, keys, rollups: new Map(), sampleIds: [], batchSeq: 1_700_000_000_000 })

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T

const recordAt = (p: Population, createdAt: number): GenerationRecord => {
  const ours = Math.random() < 0.4
  const accountId = ours ? p.accountId : pick(OTHERS)
  const [providerId, providerName] = pick(PROVIDERS)
  const [httpReferer, appTitle] = pick(APPS)
  const model = pick(MODELS)
  const ok = Math.random() > 0.02
  const latencyMs = 200 + Math.floor(Math.random() * 3000)
  return {
    id: `gen-${Math.floor(createdAt / 1000)}-${randomBase62(20)}`, accountId, keyHash: ours ? pick(p.keys) : `${accountId}-key`, model, providerId, providerName,
    region: 'us', upstreamId: `chatcmpl-${randomBase62(24)}`, apiType: 'completions', streamed: Math.random() < 0.5, cancelled: false, status: ok ? 200 : 502,
    finishReason: ok ? 'stop' : null, nativeFinishReason: ok ? 'stop' : null, tokensPrompt: 20 + Math.floor(Math.random() * 2000),
    tokensCompletion: Math.floor(Math.random() * 500), costMicro: ok ? 10 + Math.floor(Math.random() * 5000) : 0, latencyMs,
    generationTimeMs: latencyMs - 100, ttftMs: 80 + Math.floor(Math.random() * 400),
    attempts: [{ provider: providerId, provider_name: providerName, endpoint: providerId, model, status: ok ? 200 : 502, latency_ms: latencyMs - 20 }],
    httpReferer, appTitle, userAgent: 'OpenAI/JS 5.23.1', externalUser: null,
    router: { requested: [model], strategy: 'price', region: 'us', attempt: 1, summary: `2 of 2 endpoints eligible; served by ${providerName} (us) on attempt 1` },
    createdAt,
  }
}

/** Interned names: ids from D1's names table, adding what it lacks. */
const nameIds = (db: DatabaseSync, refs: NameRef[], known: Map<string, number>) => {
  const insert = db.prepare('INSERT INTO names (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING')
  const select = db.prepare('SELECT id FROM names WHERE kind = ? AND value = ?')
  for (const ref of refs) {
    const k = nameKey(ref)
    if (known.has(k)) continue
    insert.run(ref.kind, ref.value)
    known.set(k, Number((select.get(ref.kind, ref.value) as { id: number }).id))
  }
}

const addDelta = (into: Map<string, RollupDelta>, d: RollupDelta) => {
  const k = [d.span, d.accountN, d.start, d.keyN, d.modelN, d.providerN, d.appN].join('|')
  const have = into.get(k)
  if (!have) {
    into.set(k, { ...d, latency: [...d.latency], ttft: [...d.ttft] })
    return
  }
  for (const f of ['requests', 'errors', 'cancelled', 'tokensPrompt', 'tokensCompletion', 'tokensReasoning', 'tokensCached', 'tokensCacheWrite', 'costMicro', 'latencyMsSum', 'ttftMsSum'] as const) have[f] += d[f]
  d.latency.forEach((n, i) => { have.latency[i]! += n })
  d.ttft.forEach((n, i) => { have.ttft[i]! += n })
}

/**
 * Adds `count` generations (in time order over the last 30 days) to the D1 file, with their
 * rollups and markers; returns the R2 objects (key → gzipped JSONL) to put.
 */
export const seedGenerations = (file: string, p: Population, count: number, now: number): Map<string, Uint8Array> => {
  const db = new DatabaseSync(file)
  const objects = new Map<string, Uint8Array>()
  const ids = new Map<string, number>()
  try {
    db.exec('PRAGMA journal_mode = WAL')
    const times = Array.from({ length: count }, () => now - 30 * DAY_MS + Math.floor(Math.random() * 30 * DAY_MS)).sort((a, b) => a - b)
    const cols = ['id', 'account_n', 'key_n', 'model_n', 'provider_n', 'app_n', 'api_type', 'status', 'streamed', 'cancelled', 'tokens_prompt',
      'tokens_completion', 'tokens_reasoning', 'tokens_cached', 'tokens_cache_write', 'cost_micro', 'latency_ms', 'batch', 'created_at']
    const insert = db.prepare(`INSERT INTO generations (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
    const marker = db.prepare('INSERT INTO flushes (account_n, batch, rows, at) VALUES (?, ?, ?, ?)')
    const CHUNK = 20_000
    for (let start = 0; start < count; start += CHUNK) {
      const records = times.slice(start, start + CHUNK).map((t) => recordAt(p, t))
      nameIds(db, records.flatMap(namesOf), ids)
      // Batches as the flush makes them: one account, one hour, at most 100.
      const groups = new Map<string, GenerationRecord[]>()
      for (const r of records) {
        const k = `${r.accountId}|${r.createdAt - (r.createdAt % HOUR_MS)}`
        const g = groups.get(k) ?? []
        g.push(r)
        groups.set(k, g)
      }
      db.exec('BEGIN')
      for (const group of groups.values()) {
        for (let i = 0; i < group.length; i += BATCH) {
          const batch = group.slice(i, i + BATCH)
          const seq = p.batchSeq++
          const first = batch[0] as GenerationRecord
          const rows = batch.map((r) => ({ row: chargeRow(r, ids, seq), ttftMs: r.ttftMs ?? null }))
          for (const { row } of rows) {
            insert.run(row.id, row.accountN, row.keyN, row.modelN, row.providerN ?? 0, row.appN ?? 0, row.apiType ?? 0, row.status, row.streamed ? 1 : 0,
              row.cancelled ? 1 : 0, row.tokensPrompt ?? 0, row.tokensCompletion ?? 0, row.tokensReasoning ?? 0, row.tokensCached ?? 0, row.tokensCacheWrite ?? 0,
              row.costMicro, row.latencyMs ?? null, seq, row.createdAt)
          }
          marker.run(rows[0]!.row.accountN, seq, batch.length, now)
          for (const d of rollupDeltas(rows)) addDelta(p.rollups, d)
          const text = batch.map((r) => JSON.stringify(detailsOf(r))).join('\n') + '\n'
          objects.set(detailsKey(first.accountId, first.createdAt, seq), gzipSync(text))
          if (first.accountId === p.accountId) p.sampleIds.push(first.id)
        }
      }
      db.exec('COMMIT')
    }
    writeRollups(db, p.rollups)
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
  return objects
}

/** The rollup tables, rewritten from the population's sums (so they equal every row seeded). */
const writeRollups = (db: DatabaseSync, rollups: Map<string, RollupDelta>) => {
  const sums = ['requests', 'errors', 'cancelled', 'tokens_prompt', 'tokens_completion', 'tokens_reasoning', 'tokens_cached', 'tokens_cache_write', 'cost_micro', 'latency_ms_sum', 'ttft_ms_sum']
  const hist = (p: string) => Array.from({ length: 12 }, (_, i) => `${p}_h${i}`)
  const cols = ['account_n', 'start', 'key_n', 'model_n', 'provider_n', 'app_n', ...sums, ...hist('latency'), ...hist('ttft')]
  db.exec('BEGIN')
  db.exec('DELETE FROM usage_hourly; DELETE FROM usage_daily')
  const stmt = { hour: db.prepare(`INSERT INTO usage_hourly (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`), day: db.prepare(`INSERT INTO usage_daily (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`) }
  for (const d of rollups.values()) {
    stmt[d.span].run(d.accountN, d.start, d.keyN, d.modelN, d.providerN, d.appN, d.requests, d.errors, d.cancelled, d.tokensPrompt, d.tokensCompletion,
      d.tokensReasoning, d.tokensCached, d.tokensCacheWrite, d.costMicro, d.latencyMsSum, d.ttftMsSum, ...d.latency, ...d.ttft)
  }
  db.exec('COMMIT')
}

