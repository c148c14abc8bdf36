// The isolate's view of provider health: snapshots cached in memory for a few
// seconds, read synchronously by the planner. Nothing here is awaited before an
// upstream call (I4, docs/invariants.md): reports and refreshes run in waitUntil after the
// response, and each report's reply refreshes the cache for free.
import { healthFor } from '../objects/clients.ts'
import { effectiveBreaker, type EndpointHealth } from '../objects/health-stats.ts'
import type { HealthReport } from '../objects/provider-health.ts'
import type { AttemptRecord } from './attempt.ts'
import { isRetryable } from './retryable.ts'

export type { EndpointHealth } from '../objects/health-stats.ts'

/** A cached snapshot is trusted this long. */
export const HEALTH_TTL_MS = 10_000
/** One probe per half-open endpoint per isolate this often. */
export const PROBE_INTERVAL_MS = 5_000
/** Snapshots fetched per refreshStale call, so one request's waitUntil stays small. */
export const REFRESH_LIMIT = 8
/** Endpoints remembered per isolate; the oldest entry goes first. */
const CACHE_LIMIT = 5_000

export interface CacheEntry {
  health: EndpointHealth
  /** When this isolate got it (the caller's clock). */
  fetchedAt: number
}

export interface EndpointReport {
  endpointKey: string
  report: HealthReport
}

const cache = new Map<string, CacheEntry>()
const probes = new Map<string, number>()
const refreshing = new Set<string>()

/** Fresh: younger than the TTL. A clock behind fetchedAt (tests, skew) counts as fresh. */
export const isFresh = (entry: CacheEntry | undefined, now: number, ttl = HEALTH_TTL_MS): entry is CacheEntry =>
  entry !== undefined && now - entry.fetchedAt <= ttl

/**
 * PURE: what a cache entry says at `now`. Stale entries read as unknown, except an open
 * breaker before its openUntil: only the alarm at openUntil can change it, so it is still true.
 * An open breaker past openUntil reads as half_open.
 */
export const readEntry = (entry: CacheEntry | undefined, now: number, ttl = HEALTH_TTL_MS): EndpointHealth | undefined => {
  if (!entry) return undefined
  const h = entry.health
  const stillOpen = h.breaker === 'open' && h.openUntil !== null && h.openUntil > now
  if (!isFresh(entry, now, ttl) && !stillOpen) return undefined
  const breaker = effectiveBreaker(h.breaker, h.openUntil, now)
  return breaker === h.breaker ? h : { ...h, breaker, openUntil: null }
}

/** PURE: the keys worth refreshing: missing or stale, not in flight, deduplicated, at most `limit`. */
export const keysToRefresh = (
  keys: string[], entryOf: (key: string) => CacheEntry | undefined, now: number,
  limit = REFRESH_LIMIT, busy: ReadonlySet<string> = new Set(),
): string[] => {
  const out: string[] = []
  for (const key of new Set(keys)) {
    if (out.length >= limit) break
    if (!busy.has(key) && !isFresh(entryOf(key), now)) out.push(key)
  }
  return out
}

/** PURE: may a probe go now, given when this isolate last sent one? */
export const probeDue = (lastProbeAt: number | undefined, now: number, interval = PROBE_INTERVAL_MS): boolean =>
  lastProbeAt === undefined || now - lastProbeAt >= interval || now < lastProbeAt

/** attempt.ts records a client disconnect with this error; it says nothing about the endpoint. */
const CLIENT_CLOSED = 'client closed the request'

/**
 * PURE: health reports for a request's attempts. 429s are flagged rate-limited; a 4xx the
 * request caused (not retryable) is not the endpoint's fault and counts as ok; a client
 * disconnect is not reported. `served` adds time to first token and throughput to the
 * successful attempt.
 */
export const reportsFromAttempts = (
  records: AttemptRecord[], at: number,
  served?: { ttftMs?: number | null; completionTokens?: number | null; generationMs?: number | null },
): EndpointReport[] =>
  records.filter((r) => r.error !== CLIENT_CLOSED).map((r) => {
    const failed = r.status === null || isRetryable('status', r.status)
    const extras = !failed && r.status !== null && r.status < 400 && served
      ? {
          ...(served.ttftMs != null ? { ttftMs: served.ttftMs } : {}),
          ...(served.completionTokens != null ? { completionTokens: served.completionTokens } : {}),
          ...(served.generationMs != null ? { generationMs: served.generationMs } : {}),
        }
      : {}
    return {
      endpointKey: `${r.model}@${r.endpoint}`,
      report: { ok: !failed, status: r.status, latencyMs: r.latency_ms, rateLimited: r.status === 429, at, ...extras },
    }
  })

/** Stores a snapshot in this isolate's cache. */
export const remember = (endpointKey: string, health: EndpointHealth, fetchedAt: number): void => {
  cache.delete(endpointKey)
  cache.set(endpointKey, { health, fetchedAt })
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
}

/** Synchronous reads of the cached snapshots, for the planner. */
export const healthView = (now: number) => (endpointKey: string): EndpointHealth | undefined => readEntry(cache.get(endpointKey), now)

/**
 * True at most once per PROBE_INTERVAL_MS per isolate and endpoint: the planner calls it
 * for an endpoint that reads half_open, and lets one request through as the probe.
 */
export const probeAllowed = (endpointKey: string, now: number): boolean => {
  if (!probeDue(probes.get(endpointKey), now)) return false
  probes.set(endpointKey, now)
  if (probes.size > CACHE_LIMIT) probes.delete(probes.keys().next().value as string)
  return true
}

/** Successes wait up to this long to share one round trip per endpoint; failures go at once. */
export const REPORT_BATCH_MS = 1_000
const pending = new Map<string, HealthReport[]>()
/** When the pending flush was scheduled; a flush whose request died is replaced after a while. */
let flushScheduledAt: number | null = null
/** More pending reports than this for one endpoint go at once. */
const MAX_PENDING = 100

/** PURE: must this endpoint's reports go now? A failure, or a breaker not known to be closed, cannot wait. */
export const isUrgent = (reports: HealthReport[], cached: EndpointHealth | undefined): boolean =>
  (cached !== undefined && cached.breaker !== 'closed') ||
  reports.some((r) => !r.ok && !(r.rateLimited ?? r.status === 429))

const send = async (env: Env, key: string) => {
  const reports = pending.get(key)
  pending.delete(key)
  if (reports?.length) remember(key, await healthFor(env, key).reportMany(reports), reports[reports.length - 1]?.at ?? Date.now())
}

/**
 * Fire-and-forget (waitUntil). Urgent reports go at once; successes are batched per
 * endpoint for REPORT_BATCH_MS, so a busy endpoint costs one round trip a second, not
 * one per request. The call that finds no flush scheduled waits and sends everything
 * pending; the others return at once (a promise shared across requests could hang them).
 */
export const reportAttempts = async (env: Env, reports: EndpointReport[]): Promise<void> => {
  const now: string[] = []
  for (const { endpointKey, report } of reports) {
    const list = pending.get(endpointKey) ?? []
    list.push(report)
    pending.set(endpointKey, list)
    if (list.length >= MAX_PENDING || isUrgent(list, cache.get(endpointKey)?.health)) now.push(endpointKey)
  }
  await Promise.allSettled([...new Set(now)].map((k) => send(env, k)))
  const at = Date.now()
  if (pending.size === 0 || (flushScheduledAt !== null && at - flushScheduledAt < 5 * REPORT_BATCH_MS)) return
  flushScheduledAt = at
  await new Promise((resolve) => setTimeout(resolve, REPORT_BATCH_MS))
  flushScheduledAt = null
  await Promise.allSettled([...pending.keys()].map((k) => send(env, k)))
}

/**
 * For the waitUntil after a request: fetch snapshots of candidates this isolate has not
 * heard about within the TTL (at most REFRESH_LIMIT), so breakers opened by other
 * isolates are known here within seconds.
 */
export const refreshStale = async (env: Env, endpointKeys: string[], now: number): Promise<void> => {
  const keys = keysToRefresh(endpointKeys, (k) => cache.get(k), now, REFRESH_LIMIT, refreshing)
  for (const k of keys) refreshing.add(k)
  await Promise.allSettled(
    keys.map(async (k) => {
      try {
        remember(k, await healthFor(env, k).snapshot(now), now)
      } finally {
        refreshing.delete(k)
      }
    }),
  )
}

/** Tests: forget everything this isolate knows. */
/** Endpoints this isolate holds a snapshot of. */
export const cachedKeys = (): string[] => [...cache.keys()]

export const resetHealthCache = (): void => {
  cache.clear()
  pending.clear()
  flushScheduledAt = null
  probes.clear()
  refreshing.clear()
}
