// GET /generations: an account's generations newest first, a page at a time, filtered by
// model, provider, key, app and status: the list the dashboard's Logs page needs, which the
// API lacked (OpenRouter has /generation?id= for one, which still gives a generation's
// detail). Any key of the account; an API key sees only its own generations.
import { Hono } from 'hono'
import { z } from 'zod'
import { catalogIndex } from '../catalog/lookup.ts'
import { createReplicaDb } from '../db/client.ts'
import { pageCharges } from '../db/queries/generations.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { toDollars } from '../lib/money.ts'
import { requireKey } from '../middleware/auth.ts'
import { apiTypeOf, appParts, type Charge } from '../storage/record.ts'
import { validate } from './request.ts'

const DAY_MS = 86_400_000
/** How far back the list reaches (as /activity). */
const WINDOW_DAYS = 30
/** Rows read per scan, and scans per request: a page with a narrow filter stops there and says where to go on. */
const SCAN = 200
const MAX_SCANS = 5

const Status = z.enum(['success', 'error', 'cancelled'])

export const GenerationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** next_cursor of the previous page. */
  cursor: z.string().regex(/^\d{1,15}\.[\w-]{1,100}$/, 'expected the next_cursor of a previous page').optional(),
  model: z.string().min(1).max(200).optional(),
  /** A provider's slug (`fake`, `openai`). */
  provider: z.string().min(1).max(100).optional(),
  api_key_hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a key hash (64 hex characters)').optional(),
  /** An app's title or referer, as sent in X-OpenRouter-Title / X-Title or HTTP-Referer. */
  app: z.string().min(1).max(256).optional(),
  status: Status.optional(),
})
type Query = z.infer<typeof GenerationsQuery>

const statusOf = (c: Charge): z.infer<typeof Status> => (c.cancelled ? 'cancelled' : c.status >= 200 && c.status < 300 ? 'success' : 'error')

const matches = (c: Charge, q: Query, keyHash: string | undefined) => {
  if (keyHash !== undefined && c.keyHash !== keyHash) return false
  if (q.model !== undefined && c.model.toLowerCase() !== q.model.toLowerCase()) return false
  if (q.provider !== undefined && c.providerId !== q.provider) return false
  if (q.status !== undefined && statusOf(c) !== q.status) return false
  if (q.app !== undefined) {
    const { referer, title } = appParts(c.app)
    if (title !== q.app && referer !== q.app) return false
  }
  return true
}

const listed = (c: Charge) => {
  const { referer, title } = appParts(c.app)
  return {
    id: c.id,
    created_at: new Date(c.createdAt).toISOString(),
    model: c.model,
    provider: c.providerId,
    provider_name: c.providerId === null ? null : catalogIndex().providers.get(c.providerId)?.name ?? c.providerId,
    api_key_hash: c.keyHash,
    api_type: apiTypeOf(c.apiType),
    status: statusOf(c),
    http_status: c.status,
    streamed: c.streamed,
    cancelled: c.cancelled,
    tokens_prompt: c.tokensPrompt,
    tokens_completion: c.tokensCompletion,
    tokens_reasoning: c.tokensReasoning,
    tokens_cached: c.tokensCached,
    total_cost: toDollars(c.costMicro),
    latency: c.latencyMs,
    http_referer: referer,
    app_title: title,
  }
}

export const generations = new Hono<AppEnv>()
  .get('/generations', requireKey('any'), async (c) => {
    const q = validate(c.req.query(), GenerationsQuery)
    const key = c.var.key
    // An API key sees its own generations only; a management key the account's, or one key's.
    if (key.kind === 'inference' && q.api_key_hash !== undefined && q.api_key_hash !== key.hash) {
      throw new GatewayError('forbidden', 'An API key can list only its own generations')
    }
    const keyHash = key.kind === 'inference' ? key.hash : q.api_key_hash
    const now = Date.now()
    // Stale-tolerant: a read replica may answer (D1's Sessions API).
    const db = createReplicaDb(c.env.DB)
    let after = q.cursor === undefined ? undefined : { createdAt: Number(q.cursor.split('.')[0]), id: q.cursor.slice(q.cursor.indexOf('.') + 1) }
    const found: Charge[] = []
    let more = true
    for (let scan = 0; scan < MAX_SCANS && found.length < q.limit && more; scan++) {
      const rows = await pageCharges(db, { accountId: key.accountId, from: now - WINDOW_DAYS * DAY_MS, to: now + 1, order: 'desc', limit: SCAN, ...(after ? { after } : {}) })
      more = rows.length === SCAN
      for (const row of rows) {
        after = { createdAt: row.createdAt, id: row.id }
        if (matches(row, q, keyHash)) found.push(row)
        if (found.length === q.limit) {
          more = true
          break
        }
      }
    }
    return c.json({ data: found.map(listed), next_cursor: more && after ? `${after.createdAt}.${after.id}` : null })
  })
