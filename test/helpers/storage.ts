// Reading what a flush left behind: an account's D1 charges and flush markers, and its
// generation details in R2, decoded.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { createDb } from '../../src/db/client.ts'
import { accountName } from '../../src/db/queries/ledger.ts'
import { flushes, generations, usageDaily, usageHourly } from '../../src/db/schema.ts'
import { DETAILS_PREFIX, decodeDetails } from '../../src/storage/details.ts'
import { UPPER_MS } from '../../src/storage/histogram.ts'
import type { Details } from '../../src/storage/record.ts'

/**
 * Every R2 details object holding an account's generations, with only their lines: those of its
 * D1 rows, or of `ids` (to see objects whose rows are gone). A recorder's object holds many accounts'.
 */
export const detailsObjects = async (accountId: string, ids?: string[]): Promise<{ key: string; lines: Details[] }[]> => {
  const mine = new Set(ids ?? (await d1Charges(accountId)).rows.map((r) => r.id))
  const out: { key: string; lines: Details[] }[] = []
  let cursor: string | undefined
  do {
    const page = await env.DETAILS.list({ prefix: DETAILS_PREFIX, ...(cursor ? { cursor } : {}) })
    for (const o of page.objects) {
      const body = await env.DETAILS.get(o.key)
      const lines = body ? (await decodeDetails(body.body)).filter((l) => mine.has(l.id)) : []
      if (lines.length) out.push({ key: o.key, lines })
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out
}

/** An account's charge rows in D1 (id and cost), and its flush markers. */
export const d1Charges = async (accountId: string) => {
  const db = createDb(env.DB)
  const [rows, markers] = await db.batch([
    db.select({ id: generations.id, costMicro: generations.costMicro, batch: generations.batch }).from(generations)
      .where(eq(generations.accountN, accountName(db, accountId))),
    db.select({ batch: flushes.batch, rows: flushes.rows }).from(flushes).where(eq(flushes.accountN, accountName(db, accountId))).orderBy(flushes.batch),
  ])
  return { rows, markers }
}

type Sums = Record<string, number>
/** Rollup rows keyed by period start and dimensions, each a flat record of its sums and buckets. */
export type RollupMap = Map<string, Sums>

const SUM_FIELDS = ['requests', 'errors', 'cancelled', 'tokensPrompt', 'tokensCompletion', 'tokensReasoning', 'tokensCached', 'tokensCacheWrite', 'costMicro', 'latencyMsSum', 'ttftMsSum'] as const
const dimsKey = (start: number, r: { keyN: number; modelN: number; providerN: number; appN: number }) => [start, r.keyN, r.modelN, r.providerN, r.appN].join('|')
/** A value's bucket, counted from the bounds it reaches (written apart from src/storage/histogram.ts bucketOf, to check it). */
const bucket = (ms: number) => UPPER_MS.filter((upper) => ms >= upper).length

/**
 * What an account's hourly and daily rollups should hold, summed here from its generation
 * rows (and their details' TTFT in R2), beside what they do hold.
 */
export const rollupsVsRows = async (accountId: string) => {
  const db = createDb(env.DB)
  const rows = await db.select().from(generations).where(eq(generations.accountN, accountName(db, accountId)))
  const ttft = new Map((await detailsObjects(accountId)).flatMap((o) => o.lines.map((l) => [l.id, l.ttftMs ?? null] as const)))
  const expected = { hour: new Map() as RollupMap, day: new Map() as RollupMap }
  for (const row of rows) {
    for (const [span, ms] of [['hour', 3_600_000], ['day', 86_400_000]] as const) {
      const k = dimsKey(row.createdAt - (row.createdAt % ms), row)
      const s: Sums = expected[span].get(k) ?? {}
      const add = (field: string, n: number) => { s[field] = (s[field] ?? 0) + n }
      add('requests', 1)
      add('errors', row.status >= 400 ? 1 : 0)
      add('cancelled', row.cancelled ? 1 : 0)
      for (const f of ['tokensPrompt', 'tokensCompletion', 'tokensReasoning', 'tokensCached', 'tokensCacheWrite', 'costMicro'] as const) add(f, row[f])
      add('latencyMsSum', row.latencyMs ?? 0)
      if (row.latencyMs !== null) add(`latency${bucket(row.latencyMs)}`, 1)
      const t = ttft.get(row.id) ?? null
      add('ttftMsSum', t ?? 0)
      if (t !== null) add(`ttft${bucket(t)}`, 1)
      expected[span].set(k, s)
    }
  }
  const actual = { hour: new Map() as RollupMap, day: new Map() as RollupMap }
  for (const [span, table] of [['hour', usageHourly], ['day', usageDaily]] as const) {
    for (const r of await db.select().from(table).where(eq(table.accountN, accountName(db, accountId)))) {
      const s: Sums = {}
      for (const [field, value] of Object.entries(r)) {
        const isSum = (SUM_FIELDS as readonly string[]).includes(field) || /^(latency|ttft)\d+$/.test(field)
        if (isSum && value !== 0) s[field] = value
      }
      actual[span].set(dimsKey(r.start, r), s)
    }
  }
  // Zero sums are left out on both sides: a bucket nobody fell in reads the same either way.
  const clean = (m: RollupMap) => new Map([...m].map(([k, s]) => [k, Object.fromEntries(Object.entries(s).filter(([, v]) => v !== 0))]))
  return { expected: { hour: clean(expected.hour), day: clean(expected.day) }, actual }
}
