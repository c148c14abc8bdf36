// Provider health: one Durable Object per provider endpoint (`<model>@<tag>`). It
// takes fire-and-forget reports of attempts (never awaited before an upstream call,
// I4 in docs/invariants.md), keeps per-minute uptime buckets for 24 h and a bounded window of
// recent samples for percentiles, and runs the circuit breaker (health-stats.ts),
// whose open → half_open step is an alarm at openUntil.
import { DurableObject } from 'cloudflare:workers'
import {
  applyAttempt, BREAKER, effectiveBreaker, initialBreaker, onAlarm, percentiles, roundTo, throughputOf,
  type BreakerState, type EndpointHealth, type Outcome, type Percentiles,
} from './health-stats.ts'

export type { Breaker, EndpointHealth, Percentiles } from './health-stats.ts'

export interface HealthReport {
  /** The endpoint did its job (a 2xx, or a 4xx caused by the request). */
  ok: boolean
  status: number | null
  /** The whole attempt, start to response headers (stream) or body (non-stream). */
  latencyMs: number
  /** Time to first token (streams), preferred over latencyMs for latency percentiles. */
  ttftMs?: number
  completionTokens?: number
  /** ms spent generating those tokens, for throughput. */
  generationMs?: number
  /** A 429: neutral for uptime and the breaker. Defaults to status === 429. */
  rateLimited?: boolean
  /** Injected clock: every timestamp the object keeps comes from here. */
  at: number
}

export interface EndpointStats {
  health: EndpointHealth
  /** Percent of attempts that succeeded, 429s excluded; null with no attempts in the window. */
  uptime: { last5m: number | null; last30m: number | null; last1d: number | null }
  /** Seconds (time to first token where known, else the attempt's latency), last 30 m. */
  latency: Percentiles | null
  /** Tokens per second, last 30 m. */
  throughput: Percentiles | null
  counts: { last5m: number; last30m: number; last1d: number; rateLimited1d: number; latency: number; throughput: number }
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
/** Recent samples kept for percentiles and the breaker's failure-rate window. */
const MAX_SAMPLES = 200

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS buckets (minute INTEGER PRIMARY KEY, ok INTEGER NOT NULL, fail INTEGER NOT NULL, limited INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS samples (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, ok INTEGER NOT NULL, latency REAL, throughput REAL);
  CREATE INDEX IF NOT EXISTS samples_at ON samples (at);
`

const outcomeOf = (r: HealthReport): Outcome => {
  const limited = r.rateLimited ?? r.status === 429
  if (limited) return BREAKER.countRateLimited ? 'fail' : 'neutral'
  return r.ok ? 'ok' : 'fail'
}

export class ProviderHealth extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private state: BreakerState = initialBreaker(0)
  /** The samples table's last MAX_SAMPLES rows (at, ok), in id order: the breaker's window is counted here, not in SQL. */
  private recent: { at: number; ok: boolean }[] = []
  /** The minute up to which old buckets were last deleted. */
  private prunedTo = -Infinity

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA)
      const row = this.sql.exec<{ v: string }>(`SELECT v FROM meta WHERE k = 'breaker'`).toArray()[0]
      if (row) this.state = JSON.parse(row.v) as BreakerState
      this.recent = this.sql.exec<{ at: number; ok: number }>('SELECT at, ok FROM samples ORDER BY id').toArray().map((r) => ({ at: r.at, ok: r.ok === 1 }))
    })
  }

  /** Records one attempt and returns the new snapshot (the caller caches it). */
  async report(r: HealthReport): Promise<EndpointHealth> {
    return this.reportMany([r])
  }

  /**
   * Several attempts in one round trip (isolates batch their successes), applied in order.
   * A batch costs a handful of statements whatever its size (it was seven per report): bucket
   * counts summed per minute, the samples inserted 25 to a statement and trimmed once, the
   * breaker's window counted in memory, its state saved once, and the alarm the last opening
   * asked for (what one call per report would have left set).
   */
  async reportMany(reports: HealthReport[]): Promise<EndpointHealth> {
    const last = reports[reports.length - 1]
    if (!last) return this.health(Date.now())
    const buckets = new Map<number, [ok: number, fail: number, limited: number]>()
    const samples: [at: number, ok: number, latency: number | null, throughput: number | null][] = []
    let state = this.state
    let alarm: number | undefined
    for (const r of reports) {
      const outcome = outcomeOf(r)
      const minute = Math.floor(r.at / MINUTE)
      const b = buckets.get(minute) ?? [0, 0, 0]
      b[outcome === 'ok' ? 0 : outcome === 'fail' ? 1 : 2]++
      buckets.set(minute, b)
      const throughput = throughputOf(r.completionTokens, r.generationMs)
      if (outcome !== 'neutral') {
        samples.push([r.at, Number(outcome === 'ok'), outcome === 'ok' ? (r.ttftMs ?? r.latencyMs) : null, outcome === 'ok' ? (throughput ?? null) : null])
        this.recent.push({ at: r.at, ok: outcome === 'ok' })
        if (this.recent.length > MAX_SAMPLES) this.recent.shift()
      }
      const before = state
      const facts = { outcome, at: r.at, latencyMs: r.latencyMs, ...(r.ttftMs !== undefined ? { ttftMs: r.ttftMs } : {}), ...(throughput !== undefined ? { throughput } : {}) }
      state = applyAttempt(before, facts, this.window30s(r.at))
      if (state.breaker === 'open' && state.openUntil !== before.openUntil && state.openUntil !== null) alarm = state.openUntil
    }
    for (const [minute, [ok, fail, limited]] of buckets) {
      this.sql.exec(
        `INSERT INTO buckets (minute, ok, fail, limited) VALUES (?, ?, ?, ?)
         ON CONFLICT (minute) DO UPDATE SET ok = ok + excluded.ok, fail = fail + excluded.fail, limited = limited + excluded.limited`,
        minute, ok, fail, limited,
      )
    }
    const expired = Math.floor((Math.max(...reports.map((r) => r.at)) - DAY) / MINUTE)
    if (expired > this.prunedTo) {
      this.sql.exec('DELETE FROM buckets WHERE minute <= ?', expired)
      this.prunedTo = expired
    }
    // At most 25 rows (100 bound values) a statement, within SQLite's limits on any platform.
    for (let i = 0; i < samples.length; i += 25) {
      const rows = samples.slice(i, i + 25)
      this.sql.exec(`INSERT INTO samples (at, ok, latency, throughput) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`, ...rows.flat())
    }
    if (samples.length) this.sql.exec('DELETE FROM samples WHERE id <= (SELECT MAX(id) FROM samples) - ?', MAX_SAMPLES)
    this.save(state)
    if (alarm !== undefined) await this.ctx.storage.setAlarm(alarm)
    return this.health(last.at)
  }

  /** Attempts and failures among the last MAX_SAMPLES samples in the breaker's window ending at `at`. */
  private window30s(at: number) {
    let attempts = 0
    let failures = 0
    for (const s of this.recent) {
      if (s.at > at - BREAKER.windowMs && s.at <= at) {
        attempts++
        if (!s.ok) failures++
      }
    }
    return { attempts, failures }
  }

  async snapshot(now: number = Date.now()): Promise<EndpointHealth> {
    return this.health(now)
  }

  /** Forget everything: an operator's fresh start for an endpoint after its provider is fixed (and tests' clean slate). */
  async reset(): Promise<void> {
    this.sql.exec('DELETE FROM meta; DELETE FROM buckets; DELETE FROM samples;')
    await this.ctx.storage.deleteAlarm()
    this.state = initialBreaker(0)
    this.recent = []
    this.prunedTo = -Infinity
  }

  /** Uptime, latency and throughput for the endpoints list (not on the hot path). */
  async stats(now: number = Date.now()): Promise<EndpointStats> {
    const window = (ms: number) => this.window(now, ms)
    const [m5, m30, d1] = [window(5 * MINUTE), window(30 * MINUTE), window(DAY)]
    const uptime = (w: { ok: number; fail: number }) => (w.ok + w.fail === 0 ? null : roundTo(2)((100 * w.ok) / (w.ok + w.fail)))
    const recent = this.sql.exec<{ latency: number | null; throughput: number | null }>(
      'SELECT latency, throughput FROM samples WHERE ok = 1 AND at > ? AND at <= ?', now - 30 * MINUTE, now,
    ).toArray()
    const latencies = recent.flatMap((s) => (s.latency === null ? [] : [s.latency / 1000]))
    const throughputs = recent.flatMap((s) => (s.throughput === null ? [] : [s.throughput]))
    return {
      health: this.health(now),
      uptime: { last5m: uptime(m5), last30m: uptime(m30), last1d: uptime(d1) },
      latency: percentiles(latencies, roundTo(3)),
      throughput: percentiles(throughputs, roundTo(2)),
      counts: {
        last5m: m5.ok + m5.fail, last30m: m30.ok + m30.fail, last1d: d1.ok + d1.fail, rateLimited1d: d1.limited,
        latency: latencies.length, throughput: throughputs.length,
      },
    }
  }

  /** At openUntil: open → half_open. Alarms fire at their time, so no clock check here. */
  override async alarm(): Promise<void> {
    this.save(onAlarm(this.state))
  }

  private save(state: BreakerState) {
    this.state = state
    this.sql.exec(`INSERT OR REPLACE INTO meta (k, v) VALUES ('breaker', ?)`, JSON.stringify(state))
  }

  /** Sums of the minute buckets covering the last `ms` up to `now`. */
  private window(now: number, ms: number) {
    const last = Math.floor(now / MINUTE)
    return this.sql.exec<{ ok: number; fail: number; limited: number }>(
      'SELECT COALESCE(SUM(ok), 0) AS ok, COALESCE(SUM(fail), 0) AS fail, COALESCE(SUM(limited), 0) AS limited FROM buckets WHERE minute > ? AND minute <= ?',
      last - ms / MINUTE, last,
    ).one()
  }

  private health(now: number): EndpointHealth {
    const s = this.state
    const w = this.window(now, 5 * MINUTE)
    const breaker = effectiveBreaker(s.breaker, s.openUntil, now)
    return {
      breaker,
      openUntil: breaker === 'open' ? s.openUntil : null,
      successRate: w.ok + w.fail === 0 ? 1 : w.ok / (w.ok + w.fail),
      latencyMs: s.latencyMs,
      ttftMs: s.ttftMs,
      throughput: s.throughput,
      lastFailureAt: s.lastFailureAt,
      samples: w.ok + w.fail,
      updatedAt: s.updatedAt,
    }
  }
}
