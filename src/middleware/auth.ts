// Bearer key (or Anthropic's `x-api-key`) → SHA-256 → isolate cache → D1 (on a miss only, I4) → c.var.key.
import { createMiddleware } from 'hono/factory'
import { endTime, startTime } from 'hono/timing'
import { hashKey, isWellFormedKey } from '../auth/keys.ts'
import { keyCache, type KeyRecord } from '../auth/key-cache.ts'
import { createDb } from '../db/client.ts'
import { findKeyByHash } from '../db/queries/keys.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'

const lookup = async (env: Env, hash: string, now: number): Promise<KeyRecord | null> => {
  const cached = keyCache.get(hash, now)
  if (cached !== undefined) return cached
  const row = await findKeyByHash(createDb(env.DB), hash)
  const record: KeyRecord | null = row
    ? {
        hash: row.key.hash, accountId: row.key.accountId, name: row.key.name, label: row.key.label, kind: row.key.kind,
        limitMicro: row.key.limitMicro, limitReset: row.key.limitReset, disabled: row.key.disabled, expiresAt: row.key.expiresAt,
        requestsPerMinute: row.key.requestsPerMinute, tokensPerMinute: row.key.tokensPerMinute,
        concurrentRequests: row.key.concurrentRequests, createdAt: row.key.createdAt, accountStatus: row.accountStatus,
        logContent: row.key.logContent, contentLogging: row.contentLogging, contentRetentionDays: row.contentRetentionDays,
      }
    : null
  keyCache.set(hash, record, now, configOf(env).KEY_CACHE_TTL_SECONDS * 1000)
  return record
}

/**
 * The key a request carries: `Authorization: Bearer <key>`, or `x-api-key: <key>` as the
 * Anthropic SDKs send it (OpenRouter takes both). Bearer wins when both are present.
 */
export const tokenOf = (authorization: string | undefined, apiKey: string | undefined): string | undefined =>
  authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() || apiKey?.trim() || undefined

/**
 * SHA-256 of the keys this isolate has seen: the digest (an async WebCrypto call) was one of
 * the larger costs of a request, and a client sends the same key again and again. The map
 * holds what the request already held, in this isolate only; bounded like the key cache.
 */
const HASHES_MAX = 10_000
const hashes = new Map<string, string>()
const hashOf = async (token: string): Promise<string> => {
  const known = hashes.get(token)
  if (known !== undefined) return known
  const hash = await hashKey(token)
  if (hashes.size >= HASHES_MAX) hashes.delete(hashes.keys().next().value!)
  hashes.set(token, hash)
  return hash
}

/** Requires a usable key of the given kind (`any`: inference or management). */
export const requireKey = (kind: KeyRecord['kind'] | 'any') =>
  createMiddleware<AppEnv>(async (c, next) => {
    startTime(c, 'auth')
    const token = tokenOf(c.req.header('authorization'), c.req.header('x-api-key'))
    if (!token) throw new GatewayError('unauthorized', 'No auth credentials found')
    const now = Date.now()
    const record = isWellFormedKey(token) ? await lookup(c.env, await hashOf(token), now) : null
    if (!record || record.disabled) throw new GatewayError('unauthorized', 'User not found.')
    if (record.expiresAt !== null && record.expiresAt <= now) throw new GatewayError('unauthorized', 'This API key has expired')
    if (kind !== 'any' && record.kind !== kind) {
      throw new GatewayError(
        kind === 'inference' ? 'forbidden' : 'unauthorized',
        kind === 'inference' ? 'Management keys cannot be used for inference' : 'This endpoint requires a management key',
      )
    }
    c.set('key', record)
    endTime(c, 'auth')
    await next()
  })
