// Minting, changing and revoking keys. D1 is the record; a disabled or deleted key is
// also pushed to the account gate, which refuses it at once, and dropped from this
// isolate's cache; other isolates stop trusting it within KEY_CACHE_TTL_SECONDS.
import type { LimitReset } from '../billing/periods.ts'
import type { Db } from '../db/client.ts'
import { deleteKey, insertKey, updateKey, type KeyPatch } from '../db/queries/keys.ts'
import type { ApiKeyRow } from '../db/schema.ts'
import { gateFor } from '../objects/clients.ts'
import { keyCache } from './key-cache.ts'
import { generateKey, hashKey, keyLabel } from './keys.ts'

export interface KeySpec {
  accountId: string
  kind: ApiKeyRow['kind']
  name: string
  limitMicro: number | null
  limitReset: LimitReset | null
  expiresAt: number | null
  /** Store this key's prompts and completions (docs/storage.md#content-logging). */
  logContent?: boolean
}

/** A new key: the plaintext is returned here once and never stored. */
export const mintKey = async (db: Db, spec: KeySpec, now = Date.now()): Promise<{ key: string; row: ApiKeyRow }> => {
  const key = generateKey()
  const row: ApiKeyRow = {
    logContent: false,
    ...spec,
    hash: await hashKey(key),
    label: keyLabel(key),
    disabled: false,
    requestsPerMinute: null,
    tokensPerMinute: null,
    concurrentRequests: null,
    createdAt: now,
    updatedAt: now,
  }
  await insertKey(db, row)
  return { key, row }
}

export const changeKey = async (env: Env, db: Db, row: ApiKeyRow, patch: KeyPatch): Promise<ApiKeyRow> => {
  const updated = (await updateKey(db, row.hash, { ...patch, updatedAt: Date.now() })) ?? row
  // Pushed whenever it is given, so a gate that missed an earlier push is put right.
  if (patch.disabled !== undefined) await gateFor(env, row.accountId).setKeyDisabled(row.accountId, row.hash, patch.disabled)
  // Leases were sized for the old limit: stop them, so the next one is sized for the new (docs/limits.md).
  else if (patch.limitMicro !== undefined || patch.limitReset !== undefined) await gateFor(env, row.accountId).revokeLeases(row.accountId, row.hash)
  keyCache.delete(row.hash)
  return updated
}

export const revokeKey = async (env: Env, db: Db, row: ApiKeyRow): Promise<void> => {
  await deleteKey(db, row.hash)
  await gateFor(env, row.accountId).setKeyDisabled(row.accountId, row.hash, true)
  keyCache.delete(row.hash)
}
