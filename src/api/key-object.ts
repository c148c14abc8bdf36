// The Key object of the provisioning API (docs/compatibility.md#keys), with usage from the
// account gate: one round trip for a whole page of keys.
import type { ApiKeyRow } from '../db/schema.ts'
import { GatewayError } from '../errors.ts'
import { fromDollars, toDollars } from '../lib/money.ts'
import type { KeyUsage } from '../objects/gate-types.ts'
import { gateFor } from '../objects/clients.ts'

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** The limit and usage fields shared by the Key object and GET /key, in USD. */
export const usageFields = (limitMicro: number | null, limitReset: string | null, usage: KeyUsage) => ({
  limit: limitMicro === null ? null : toDollars(limitMicro),
  limit_remaining: usage.limitRemainingMicro === null ? null : toDollars(usage.limitRemainingMicro),
  limit_reset: limitReset,
  // There is no BYOK in Switchboard, so nothing is ever included.
  include_byok_in_limit: false,
  usage: toDollars(usage.usageMicro),
  usage_daily: toDollars(usage.dailyMicro),
  usage_weekly: toDollars(usage.weeklyMicro),
  usage_monthly: toDollars(usage.monthlyMicro),
  byok_usage: 0,
  byok_usage_daily: 0,
  byok_usage_weekly: 0,
  byok_usage_monthly: 0,
})

const keyObject = (row: ApiKeyRow, usage: KeyUsage) => ({
  hash: row.hash,
  name: row.name,
  label: row.label,
  disabled: row.disabled,
  log_content: row.logContent,
  ...usageFields(row.limitMicro, row.limitReset, usage),
  created_at: new Date(row.createdAt).toISOString(),
  updated_at: iso(row.updatedAt),
  expires_at: iso(row.expiresAt),
  creator_user_id: null,
  external_user: null,
  // One workspace per account.
  workspace_id: row.accountId,
})

export type KeyObject = ReturnType<typeof keyObject>

/** Renders keys of one account. */
export const renderKeys = async (env: Env, accountId: string, rows: ApiKeyRow[]): Promise<KeyObject[]> => {
  if (rows.length === 0) return []
  const usage = await gateFor(env, accountId).keysUsage(accountId, rows.map((r) => ({ hash: r.hash, limitMicro: r.limitMicro, limitReset: r.limitReset })))
  return rows.map((row, i) => keyObject(row, usage[i] as KeyUsage))
}

export const renderKey = async (env: Env, row: ApiKeyRow): Promise<KeyObject> => (await renderKeys(env, row.accountId, [row]))[0] as KeyObject

/** API dollars → stored microdollars; undefined stays undefined (PATCH leaves it alone). */
export const limitMicroOf = (limit: number | null | undefined) => (limit === undefined ? undefined : limit === null ? null : fromDollars(limit))

/** An ISO expiry → epoch ms; one in the past is refused rather than minting a dead key. */
export const expiresAtOf = (value: string | null | undefined, now: number): number | null => {
  if (value === undefined || value === null) return null
  const ms = Date.parse(value)
  if (!(ms > now)) throw new GatewayError('invalid_request', 'Invalid request: expires_at: must be in the future')
  return ms
}
