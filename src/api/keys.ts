// The key provisioning API (docs/compatibility.md#keys), for management keys only: an account's
// inference keys, listed, minted, changed and revoked. Keys of other accounts, and
// management keys themselves, are invisible here (404); the operator API manages those.
import { Hono } from 'hono'
import { changeKey, mintKey, revokeKey } from '../auth/provision.ts'
import { createDb } from '../db/client.ts'
import { findAccountKey, listAccountKeys, type KeyPatch } from '../db/queries/keys.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { requireKey } from '../middleware/auth.ts'
import { CreateKeyBody, KeyHash, ListKeysQuery, UpdateKeyBody } from '../schemas/keys.ts'
import { expiresAtOf, limitMicroOf, renderKey, renderKeys } from './key-object.ts'
import { readBody, validate } from './request.ts'

const PAGE_SIZE = 100

const management = requireKey('management')

/** The caller's own inference key by hash, or 404 (never saying whether it exists elsewhere). */
const ownKey = async (env: Env, accountId: string, hash: string) => {
  const row = KeyHash.safeParse(hash).success ? await findAccountKey(createDb(env.DB), accountId, hash, 'inference') : undefined
  if (!row) throw new GatewayError('not_found', 'API key not found')
  return row
}

export const keys = new Hono<AppEnv>()
  .get('/keys', management, async (c) => {
    const query = validate(c.req.query(), ListKeysQuery)
    const accountId = c.var.key.accountId
    const rows = await listAccountKeys(createDb(c.env.DB), accountId, {
      kind: 'inference', includeDisabled: query.include_disabled === 'true', offset: query.offset, limit: PAGE_SIZE,
    })
    return c.json({ data: await renderKeys(c.env, accountId, rows) })
  })
  .post('/keys', management, async (c) => {
    const body = await readBody(c, CreateKeyBody)
    const now = Date.now()
    const { key, row } = await mintKey(createDb(c.env.DB), {
      accountId: c.var.key.accountId,
      kind: 'inference',
      name: body.name,
      limitMicro: limitMicroOf(body.limit) ?? null,
      limitReset: body.limit_reset ?? null,
      expiresAt: expiresAtOf(body.expires_at, now),
      logContent: body.log_content ?? false,
    }, now)
    return c.json({ data: await renderKey(c.env, row), key }, 201)
  })
  .get('/keys/:hash', management, async (c) => {
    const row = await ownKey(c.env, c.var.key.accountId, c.req.param('hash'))
    return c.json({ data: await renderKey(c.env, row) })
  })
  .patch('/keys/:hash', management, async (c) => {
    const row = await ownKey(c.env, c.var.key.accountId, c.req.param('hash'))
    const body = await readBody(c, UpdateKeyBody)
    const patch: KeyPatch = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
      ...(body.limit !== undefined ? { limitMicro: limitMicroOf(body.limit) ?? null } : {}),
      ...(body.limit_reset !== undefined ? { limitReset: body.limit_reset } : {}),
      ...(body.log_content !== undefined ? { logContent: body.log_content } : {}),
    }
    const updated = await changeKey(c.env, createDb(c.env.DB), row, patch)
    return c.json({ data: await renderKey(c.env, updated) })
  })
  .delete('/keys/:hash', management, async (c) => {
    const row = await ownKey(c.env, c.var.key.accountId, c.req.param('hash'))
    await revokeKey(c.env, createDb(c.env.DB), row)
    return c.json({ deleted: true as const })
  })
