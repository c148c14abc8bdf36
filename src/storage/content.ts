// Stored prompts and completions (opt-in, storage/content-policy.ts): one gzipped JSON object per
// generation in the DETAILS bucket under `content/<account id>/<generation id>.json.gz`, and one
// D1 row (content_logs: id, account, expiry) that says who may read it and when it goes. Written
// from waitUntil after the response; read by GET /generation/content; deleted by the retention pass.
import { and, asc, eq, gt, lte } from 'drizzle-orm'
import { z } from 'zod'
import { createDb } from '../db/client.ts'
import { contentLogs } from '../db/schema.ts'

export const CONTENT_PREFIX = 'content/'

export const contentKey = (accountId: string, id: string): string => `${CONTENT_PREFIX}${accountId}/${id}.json.gz`

export const StoredContentSchema = z.object({
  id: z.string(),
  account_id: z.string(),
  key_hash: z.string(),
  created_at: z.number().int(),
  expires_at: z.number().int(),
  /** The request body as the client sent it, redacted. */
  request: z.string(),
  /** The completion's text (a stream's assembled), redacted; null when nothing was generated. */
  completion: z.string().nullable(),
  /** The completion was longer than COMPLETION_LIMIT and is cut there. */
  truncated: z.boolean(),
})
export type StoredContent = z.infer<typeof StoredContentSchema>

/** Characters of completion text kept (a stream's assembly stops here). */
export const COMPLETION_LIMIT = 1_000_000

interface ContentEnv {
  DB: D1Database
  DETAILS: R2Bucket
}

const gzip = (text: string): Promise<ArrayBuffer> =>
  new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()

/**
 * The D1 row first, then the object: a row whose object failed to write reads as not stored and is
 * still pruned, while an object without a row would never be found by retention.
 */
export const storeContent = async (env: ContentEnv, content: StoredContent): Promise<void> => {
  await createDb(env.DB).insert(contentLogs)
    .values({ id: content.id, accountId: content.account_id, expiresAt: content.expires_at })
    .onConflictDoNothing()
  await env.DETAILS.put(contentKey(content.account_id, content.id), await gzip(JSON.stringify(content)), {
    httpMetadata: { contentType: 'application/gzip' },
  })
}

/** One generation's stored content, if the account stored it and it has not expired. */
export const readContent = async (env: ContentEnv, id: string, accountId: string, now: number): Promise<StoredContent | undefined> => {
  const row = (await createDb(env.DB).select().from(contentLogs)
    .where(and(eq(contentLogs.id, id), eq(contentLogs.accountId, accountId), gt(contentLogs.expiresAt, now))).limit(1))[0]
  if (!row) return undefined
  const object = await env.DETAILS.get(contentKey(accountId, id))
  if (!object) return undefined
  // An object that does not read back whole is treated as not stored, never a 500.
  const text = await new Response(object.body.pipeThrough(new DecompressionStream('gzip'))).text().catch(() => '')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = StoredContentSchema.safeParse(json)
  return parsed.success && parsed.data.account_id === accountId ? parsed.data : undefined
}

/** D1 binds at most 100 parameters a statement. */
const IDS_PER_DELETE = 90

/**
 * Delete expired content, oldest expiry first, `batchRows` (≤ 1,000: one R2 delete call) at a
 * time, at most `maxBatches` times: objects, then their rows.
 */
export const pruneContent = async (env: ContentEnv, now: number, l: { batchRows: number; maxBatches: number }): Promise<{ n: number; done: boolean }> => {
  const db = createDb(env.DB)
  const size = Math.min(1_000, l.batchRows)
  let n = 0
  for (let i = 0; i < l.maxBatches; i++) {
    const rows = await db.select({ id: contentLogs.id, accountId: contentLogs.accountId }).from(contentLogs)
      .where(lte(contentLogs.expiresAt, now)).orderBy(asc(contentLogs.expiresAt)).limit(size)
    if (rows.length === 0) return { n, done: true }
    await env.DETAILS.delete(rows.map((r) => contentKey(r.accountId, r.id)))
    const ids = rows.map((r) => r.id)
    const statements = []
    for (let at = 0; at < ids.length; at += IDS_PER_DELETE) {
      const chunk = ids.slice(at, at + IDS_PER_DELETE)
      statements.push(env.DB.prepare(`DELETE FROM content_logs WHERE id IN (${chunk.map(() => '?').join(',')})`).bind(...chunk))
    }
    await env.DB.batch(statements)
    n += rows.length
    if (rows.length < size) return { n, done: true }
  }
  return { n, done: false }
}
