// The lease settings an operator chooses (src/config.ts), over the protocol's defaults.
import type { Config } from '../config.ts'
import { DEFAULT_LEASE_SETTINGS, type LeaseSettings } from './sizing.ts'

const cache = new WeakMap<Config, LeaseSettings>()

export const leaseSettings = (c: Config): LeaseSettings => {
  let s = cache.get(c)
  if (!s) {
    s = {
      ...DEFAULT_LEASE_SETTINGS,
      admitMs: c.LEASE_ADMIT_MS,
      floorMicro: c.LEASE_FLOOR_MICRO,
      minGrantMicro: Math.min(c.LEASE_MIN_GRANT_MICRO, c.LEASE_MAX_GRANT_MICRO),
      maxGrantMicro: c.LEASE_MAX_GRANT_MICRO,
      settleEveryMs: c.LEASE_SETTLE_EVERY_MS,
      minRequestsPerSec: c.LEASE_MIN_REQUESTS_PER_SECOND,
    }
    cache.set(c, s)
  }
  return s
}

/**
 * Rate windows, token counts and concurrency are counted by the gate per request: keys with any
 * of them stay exact. (Whether to lease at all, LEASES, is the isolate's choice.)
 */
export const leaseable = (key: { requestsPerMinute: number | null; tokensPerMinute: number | null; concurrentRequests: number | null }, c: Config): boolean =>
  (key.requestsPerMinute ?? c.DEFAULT_REQUESTS_PER_MINUTE) === 0 && (key.tokensPerMinute ?? c.DEFAULT_TOKENS_PER_MINUTE) === 0
  && (key.concurrentRequests ?? c.DEFAULT_CONCURRENT_REQUESTS) === 0
