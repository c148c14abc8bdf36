// Retention: generation rows (D1) and their details (R2) older than RETENTION_DAYS go, in
// bounded batches per run of the scheduled handler; the credit ledger and the rollups stay.
// Rows are found by id: a generation id starts with its start time (`gen-<unix seconds>-…`,
// lib/ids.ts), so the primary key orders them by age and no index on time is needed.
// Details go by R2 prefix: an object holds one hour's generations (storage/details.ts).
// Stored prompts and completions go by their own expiry (storage/content.ts).
import { pruneContent } from './content.ts'
import { DETAILS_PREFIX, hourPrefix } from './details.ts'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
/** Flush markers only guard a batch's retry, seconds after its commit: a week is plenty. */
export const MARKER_KEEP_MS = 7 * DAY_MS

export interface PruneLimits {
  retentionDays: number
  /** Rows per DELETE statement. */
  batchRows: number
  /** DELETE statements per table per run. */
  maxBatches: number
  /** R2 objects per run (deleted a thousand at a time). */
  maxObjects: number
}

export const DEFAULT_LIMITS: Omit<PruneLimits, 'retentionDays'> = { batchRows: 1_000, maxBatches: 50, maxObjects: 20_000 }

export interface PruneReport {
  cutoff: number | null
  rows: number
  legacyRows: number
  markers: number
  objects: number
  /** Stored prompts and completions past their own retention (storage/content.ts). */
  contents: number
  /** Nothing older than the cutoff is left (false: the run's budget ran out; the next run goes on). */
  done: boolean
}

interface RetentionEnv {
  DB: D1Database
  DETAILS: R2Bucket
}

/** `gen-<seconds>`: every id of a generation that started before `cutoff` sorts below it. */
export const idBound = (cutoff: number): string => `gen-${Math.floor(cutoff / 1000)}`

/** Delete rows by id below the bound, `batchRows` at a time, at most `maxBatches` times; how many, and whether all. */
const pruneTable = async (d1: D1Database, table: string, bound: string, l: PruneLimits): Promise<{ n: number; done: boolean }> => {
  const statement = d1.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE id >= 'gen-' AND id < ? ORDER BY id LIMIT ?)`)
  let n = 0
  for (let i = 0; i < l.maxBatches; i++) {
    const changed = (await statement.bind(bound, l.batchRows).run()).meta.changes
    n += changed
    if (changed < l.batchRows) return { n, done: true }
  }
  return { n, done: false }
}

/** R2 prefixes one level below `prefix` (days under generations/, hours under a day), oldest first. */
const subPrefixes = async (bucket: R2Bucket, prefix: string): Promise<string[]> => {
  const out: string[] = []
  let cursor: string | undefined
  do {
    const page = await bucket.list({ prefix, delimiter: '/', ...(cursor ? { cursor } : {}) })
    out.push(...page.delimitedPrefixes)
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out.sort()
}

/** Delete the details of every hour that ended by `cutoff`, up to `maxObjects`. */
const pruneDetails = async (bucket: R2Bucket, cutoff: number, l: PruneLimits): Promise<{ n: number; done: boolean }> => {
  // The hour holding the cutoff still has younger generations: its prefix is the first to keep.
  const keepFrom = hourPrefix(cutoff)
  let n = 0
  for (const day of await subPrefixes(bucket, DETAILS_PREFIX)) {
    if (day > keepFrom) break
    for (const hour of await subPrefixes(bucket, day)) {
      if (hour >= keepFrom) return { n, done: true }
      for (;;) {
        if (n >= l.maxObjects) return { n, done: false }
        const page = await bucket.list({ prefix: hour, limit: Math.min(1_000, l.maxObjects - n) })
        if (page.objects.length === 0) break
        await bucket.delete(page.objects.map((o) => o.key))
        n += page.objects.length
      }
    }
  }
  return { n, done: true }
}

/** One bounded pass: rows, legacy rows, old flush markers, then details. */
export const prune = async (env: RetentionEnv, now: number, l: PruneLimits): Promise<PruneReport> => {
  const markerCutoff = now - MARKER_KEEP_MS
  const markers = (await env.DB.prepare('DELETE FROM flushes WHERE rowid IN (SELECT rowid FROM flushes WHERE at < ? LIMIT ?)')
    .bind(markerCutoff, l.batchRows * l.maxBatches).run()).meta.changes
  // Content has its own retention (the account's days), whatever RETENTION_DAYS says.
  const contents = await pruneContent(env, now, l)
  if (l.retentionDays === 0) return { cutoff: null, rows: 0, legacyRows: 0, markers, objects: 0, contents: contents.n, done: contents.done }
  // Whole hours: a details object holds one hour, so rows and objects go together.
  const cutoff = now - l.retentionDays * DAY_MS
  const hourCutoff = cutoff - (cutoff % HOUR_MS)
  const bound = idBound(hourCutoff)
  const rows = await pruneTable(env.DB, 'generations', bound, l)
  const legacy = await pruneTable(env.DB, 'generations_legacy', bound, l)
  const objects = await pruneDetails(env.DETAILS, hourCutoff, l)
  return {
    cutoff: hourCutoff, rows: rows.n, legacyRows: legacy.n, markers, objects: objects.n, contents: contents.n,
    done: rows.done && legacy.done && objects.done && contents.done,
  }
}

/** The scheduled handler's pass (and the operator API's): RETENTION_DAYS, default limits, logged. */
export const runRetention = async (env: RetentionEnv & { config: { RETENTION_DAYS: number } }, now: number): Promise<PruneReport> => {
  const report = await prune(env, now, { retentionDays: env.config.RETENTION_DAYS, ...DEFAULT_LIMITS })
  console.log(JSON.stringify({ level: 'info', message: 'retention pass', ...report }))
  return report
}
