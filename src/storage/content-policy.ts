// PURE: whether a request's prompt and completion are stored (docs/storage.md#content-logging).
// Off unless asked: the account's setting ('always' stores all, 'never' none), else the key's
// `log_content`, else the request's X-Switchboard-Log-Content header. The header can only turn
// storing on, never off, and an account set to 'never' ignores it.
import { z } from 'zod'
import { GatewayError } from '../errors.ts'

export const LOG_CONTENT_HEADER = 'x-switchboard-log-content'

export const ContentLogging = z.enum(['opt_in', 'always', 'never'])
export type ContentLogging = z.infer<typeof ContentLogging>

/** Days stored content is kept: the account's `content_retention_days`, 30 unless set. */
export const CONTENT_RETENTION_DAYS = { min: 1, max: 365, default: 30 } as const
export const ContentRetentionDays = z.number().int().min(CONTENT_RETENTION_DAYS.min).max(CONTENT_RETENTION_DAYS.max)

const YES = new Set(['1', 'true', 'on', 'yes'])
const NO = new Set(['0', 'false', 'off', 'no'])

/** The header's ask: absent or a "no" asks nothing; anything else unknown is a 400, not a silent off. */
export const headerAsks = (value: string | undefined): boolean => {
  if (value === undefined) return false
  const v = value.trim().toLowerCase()
  if (YES.has(v)) return true
  if (NO.has(v)) return false
  throw new GatewayError('invalid_request', `Invalid X-Switchboard-Log-Content header: expected 1 or 0 (true/false), got "${value.slice(0, 40)}"`)
}

export interface ContentSettings {
  contentLogging: ContentLogging
  logContent: boolean
}

export const logsContent = (s: ContentSettings, header: boolean): boolean =>
  s.contentLogging === 'always' || (s.contentLogging === 'opt_in' && (s.logContent || header))

const DAY_MS = 86_400_000

/** When content stored at `at` expires: retention days later, the days bounded even if a row holds another value. */
export const expiresAt = (at: number, retentionDays: number): number =>
  at + Math.min(CONTENT_RETENTION_DAYS.max, Math.max(CONTENT_RETENTION_DAYS.min, Math.floor(retentionDays))) * DAY_MS
