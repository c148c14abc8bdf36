// PURE: the provider-health breaker as a state machine, and the small statistics
// (EWMA, nearest-rank percentiles) the health object keeps. No storage, no clock:
// every time comes from the caller, so tests need no sleeps.

export type Breaker = 'closed' | 'open' | 'half_open'

/** What routing reads about one endpoint (cached per isolate for a few seconds). */
export interface EndpointHealth {
  breaker: Breaker
  /** When an open breaker half-opens (its alarm time); null unless open. */
  openUntil: number | null
  /** Share of attempts that succeeded over the last 5 minutes, 429s excluded; 1 with none. */
  successRate: number
  /** EWMAs over successful attempts: whole-attempt latency, time to first token, tokens/s. */
  latencyMs: number | null
  ttftMs: number | null
  throughput: number | null
  lastFailureAt: number | null
  /** Attempts behind successRate (last 5 minutes, 429s excluded). */
  samples: number
  updatedAt: number
}

export interface Percentiles { p50: number; p75: number; p90: number; p99: number }

/** The breaker's own persistent state. */
export interface BreakerState {
  breaker: Breaker
  openUntil: number | null
  /** Trips in a row (a close less than TRIP_MEMORY_MS ago does not forget them): sets the cooldown. */
  trips: number
  consecutiveFailures: number
  closedAt: number | null
  lastFailureAt: number | null
  latencyMs: number | null
  ttftMs: number | null
  throughput: number | null
  updatedAt: number
}

export const BREAKER = {
  /** Consecutive failures that open a closed breaker (covers low traffic). */
  consecutiveFailures: 5,
  /** Or: at least `minAttempts` in the last `windowMs` and this share failing (covers flapping under load). */
  failureRate: 0.5,
  minAttempts: 10,
  windowMs: 30_000,
  /** First cooldown; doubles per repeated trip up to the cap. */
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
  /** A breaker closed for this long starts again from the first cooldown. */
  tripMemoryMs: 600_000,
  /** 429s are neutral: excluded from uptime and from the breaker (capacity, not an outage; the attempt loop already moves on). */
  countRateLimited: false,
} as const

export const EWMA_ALPHA = 0.2

export const initialBreaker = (now: number): BreakerState => ({
  breaker: 'closed', openUntil: null, trips: 0, consecutiveFailures: 0, closedAt: null,
  lastFailureAt: null, latencyMs: null, ttftMs: null, throughput: null, updatedAt: now,
})

export const ewma = (prev: number | null, value: number | undefined, alpha = EWMA_ALPHA): number | null =>
  value === undefined || !Number.isFinite(value) ? prev : prev === null ? value : prev + alpha * (value - prev)

export const cooldownMs = (trips: number): number =>
  Math.min(BREAKER.cooldownMs * 2 ** Math.max(trips - 1, 0), BREAKER.maxCooldownMs)

/** An open breaker past its openUntil is half-open, whether or not its alarm has run yet. */
export const effectiveBreaker = (breaker: Breaker, openUntil: number | null, now: number): Breaker =>
  breaker === 'open' && openUntil !== null && openUntil <= now ? 'half_open' : breaker

export type Outcome = 'ok' | 'fail' | 'neutral'

export interface AttemptFacts {
  outcome: Outcome
  at: number
  latencyMs: number
  ttftMs?: number
  /** tokens/s of the generation, when known. */
  throughput?: number
}

/** Attempts and failures (429s excluded) in the breaker's short window, this attempt included. */
export interface RecentWindow { attempts: number; failures: number }

const open = (s: BreakerState, at: number, trips: number): BreakerState => ({
  ...s, breaker: 'open', trips, openUntil: at + cooldownMs(trips), consecutiveFailures: 0,
})

/** One attempt's effect on the breaker and the moving averages. */
export const applyAttempt = (prev: BreakerState, a: AttemptFacts, recent: RecentWindow): BreakerState => {
  const current = effectiveBreaker(prev.breaker, prev.openUntil, a.at)
  const s: BreakerState = { ...prev, breaker: current, updatedAt: Math.max(prev.updatedAt, a.at) }
  if (a.outcome === 'neutral') return s
  if (a.outcome === 'ok') {
    const next: BreakerState = {
      ...s,
      consecutiveFailures: 0,
      latencyMs: ewma(s.latencyMs, a.latencyMs),
      ttftMs: ewma(s.ttftMs, a.ttftMs),
      throughput: ewma(s.throughput, a.throughput),
    }
    // A probe's success closes; a success while still open (a request from an isolate that had not heard yet) changes nothing.
    return current === 'half_open' ? { ...next, breaker: 'closed', openUntil: null, closedAt: a.at } : next
  }
  const failed: BreakerState = { ...s, consecutiveFailures: s.consecutiveFailures + 1, lastFailureAt: a.at }
  if (current === 'half_open') return open(failed, a.at, s.trips + 1)
  if (current === 'open') return failed
  const tooMany = failed.consecutiveFailures >= BREAKER.consecutiveFailures
  const tooOften = recent.attempts >= BREAKER.minAttempts && recent.failures / recent.attempts >= BREAKER.failureRate
  if (!tooMany && !tooOften) return failed
  const remembered = s.closedAt !== null && a.at - s.closedAt < BREAKER.tripMemoryMs ? s.trips : 0
  return open(failed, a.at, remembered + 1)
}

/** The alarm at openUntil: open → half_open (one probe decides). */
export const onAlarm = (s: BreakerState): BreakerState => (s.breaker === 'open' ? { ...s, breaker: 'half_open' } : s)

/** Nearest-rank percentiles; null for no values. */
export const percentiles = (values: number[], round = (x: number) => x): Percentiles | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const at = (p: number) => round(sorted[Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0)] as number)
  return { p50: at(50), p75: at(75), p90: at(90), p99: at(99) }
}

/** Tokens per second of a generation, when both parts are known and positive. */
export const throughputOf = (completionTokens: number | undefined, generationMs: number | undefined): number | undefined =>
  completionTokens !== undefined && generationMs !== undefined && completionTokens > 0 && generationMs > 0
    ? completionTokens / (generationMs / 1000)
    : undefined

export const roundTo = (digits: number) => (x: number) => Math.round(x * 10 ** digits) / 10 ** digits
