// Content logging's API (docs/storage.md#content-logging), reads the API lacked:
// GET /generation/content?id= returns a generation's stored prompt and completion, or null (a sibling
// of /generation, same auth: the account's keys; an inference key only its own generations), and
// GET/PATCH /settings reads and sets the account's content logging (management keys only).
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { keyCache } from '../auth/key-cache.ts'
import { createDb } from '../db/client.ts'
import { findAccount } from '../db/queries/accounts.ts'
import { accounts } from '../db/schema.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { requireKey } from '../middleware/auth.ts'
import { generationIdOf } from '../skins/responses/response.ts'
import { readContent, type StoredContent } from '../storage/content.ts'
import { ContentLogging, ContentRetentionDays } from '../storage/content-policy.ts'
import { promptTurns } from '../storage/content-text.ts'
import { readBody } from './request.ts'

export const SettingsBody = z.strictObject({
  content_logging: ContentLogging.optional(),
  content_retention_days: ContentRetentionDays.optional(),
})

const parsedRequest = (raw: string): unknown => {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

const contentBody = (s: StoredContent) => {
  const request = parsedRequest(s.request)
  return {
    id: s.id,
    created_at: new Date(s.created_at).toISOString(),
    expires_at: new Date(s.expires_at).toISOString(),
    api_key_hash: s.key_hash,
    prompt: promptTurns(request),
    completion: s.completion,
    completion_truncated: s.truncated,
    request,
  }
}

const settingsBody = (a: { contentLogging: ContentLogging; contentRetentionDays: number }) => ({
  content_logging: a.contentLogging,
  content_retention_days: a.contentRetentionDays,
})

export const content = new Hono<AppEnv>()
  .get('/generation/content', requireKey('any'), async (c) => {
    const asked = c.req.query('id')
    if (!asked) throw new GatewayError('invalid_request', 'Invalid request: id: a generation id is required')
    const id = generationIdOf(asked) ?? asked
    const key = c.var.key
    const stored = await readContent(c.env, id, key.accountId, Date.now())
    // An inference key reads its own generations' content only; a management key its account's.
    // Nothing stored (logging off, retention passed, another's generation) is `data: null`, not a
    // 404: the Logs page asks for every generation it opens, and a 404 would be a console error.
    const readable = stored && (key.kind === 'management' || stored.key_hash === key.hash) ? stored : undefined
    return c.json({ data: readable ? contentBody(readable) : null })
  })
  .get('/settings', requireKey('management'), async (c) => {
    const row = await findAccount(createDb(c.env.DB), c.var.key.accountId)
    if (!row) throw new GatewayError('not_found', 'Account not found')
    return c.json({ data: settingsBody(row) })
  })
  .patch('/settings', requireKey('management'), async (c) => {
    const body = await readBody(c, SettingsBody)
    const accountId = c.var.key.accountId
    const db = createDb(c.env.DB)
    const patch = {
      ...(body.content_logging !== undefined ? { contentLogging: body.content_logging } : {}),
      ...(body.content_retention_days !== undefined ? { contentRetentionDays: body.content_retention_days } : {}),
    }
    const row = Object.keys(patch).length
      ? (await db.update(accounts).set(patch).where(eq(accounts.id, accountId)).returning())[0]
      : await findAccount(db, accountId)
    if (!row) throw new GatewayError('not_found', 'Account not found')
    // The settings ride in each key's cached record: this isolate drops them now, others within KEY_CACHE_TTL_SECONDS.
    keyCache.deleteAccount(accountId)
    return c.json({ data: settingsBody(row) })
  })
