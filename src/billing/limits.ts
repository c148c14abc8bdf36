// PURE: the account gate's admission decisions, from counts it reads out of its
// own storage. Each denial names the limit, its current value, its maximum and when
// it resets, so 402s and 429s explain themselves (issue: explainable denials).
import { dayStart } from './periods.ts'

export const MINUTE_MS = 60_000

export interface RateLimits {
  /** 0 = unlimited for each. */
  requestsPerMinute: number
  tokensPerMinute: number
  concurrentRequests: number
}

export interface FreeQuota {
  perMinute: number
  perDay: number
}

/** What the gate counted for this key (and, for free models, this account) just now. */
export interface WindowCounts {
  /** Admissions of this key in the last minute, and the oldest of them (ms). */
  requestsLastMinute: number
  oldestRequestAt: number | null
  /** Tokens of this key's admissions in the last minute, and the oldest of them. */
  tokensLastMinute: number
  oldestTokensAt: number | null
  /** Open holds of this key. */
  inFlight: number
  /** The account's free-model admissions in the last minute / since 00:00 UTC. */
  freeLastMinute: number
  oldestFreeAt: number | null
  freeToday: number
}

export type RateLimitName =
  | 'requests_per_minute'
  | 'tokens_per_minute'
  | 'concurrent_requests'
  | 'free_models_per_minute'
  | 'free_models_per_day'

export interface RateDenial {
  limit: RateLimitName
  /** The limit's maximum. */
  max: number
  /** Its value now (before this request). */
  value: number
  /** Epoch ms when room opens again. */
  resetAt: number
}

export interface RateRequest {
  promptTokens: number
  free: boolean
  now: number
}

/**
 * The first rate limit this request would break, if any. Windows slide: a minute
 * limit frees up when its oldest counted request leaves the window.
 */
export const checkRateLimits = (req: RateRequest, limits: RateLimits, free: FreeQuota, c: WindowCounts): RateDenial | null => {
  const slide = (oldest: number | null) => (oldest ?? req.now) + MINUTE_MS
  if (limits.concurrentRequests > 0 && c.inFlight >= limits.concurrentRequests) {
    // No clock frees a concurrency slot; suggest a short retry.
    return { limit: 'concurrent_requests', max: limits.concurrentRequests, value: c.inFlight, resetAt: req.now + 1000 }
  }
  if (limits.requestsPerMinute > 0 && c.requestsLastMinute >= limits.requestsPerMinute) {
    return { limit: 'requests_per_minute', max: limits.requestsPerMinute, value: c.requestsLastMinute, resetAt: slide(c.oldestRequestAt) }
  }
  if (limits.tokensPerMinute > 0 && c.tokensLastMinute + req.promptTokens > limits.tokensPerMinute) {
    return { limit: 'tokens_per_minute', max: limits.tokensPerMinute, value: c.tokensLastMinute, resetAt: slide(c.oldestTokensAt) }
  }
  if (req.free) {
    if (free.perMinute > 0 && c.freeLastMinute >= free.perMinute) {
      return { limit: 'free_models_per_minute', max: free.perMinute, value: c.freeLastMinute, resetAt: slide(c.oldestFreeAt) }
    }
    if (free.perDay > 0 && c.freeToday >= free.perDay) {
      return { limit: 'free_models_per_day', max: free.perDay, value: c.freeToday, resetAt: dayStart(req.now) + 86_400_000 }
    }
  }
  return null
}

/** Seconds for Retry-After: at least 1, rounded up. */
export const retryAfterSeconds = (resetAt: number, now: number): number => Math.max(1, Math.ceil((resetAt - now) / 1000))
