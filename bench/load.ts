// The load client: open loop at a fixed offered rate (latency from the
// *scheduled* send time, so a stalled target cannot hide its queue: no coordinated
// omission), closed loop for max req/s, and sequential streams for TTFT.
// undici pools with keep-alive; microsecond timer from process.hrtime.bigint().
import { Pool } from 'undici'
import type { BodyKind, Target } from './targets.ts'

/** A target of any name: the bench's three, or the npm start arm's (bench/npm-start.ts). */
export type LoadTarget = Omit<Target, 'name'> & { name: string }

const T0 = process.hrtime.bigint()
/** Milliseconds since start, with sub-microsecond resolution. */
export const now = (): number => Number(process.hrtime.bigint() - T0) / 1e6

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const REQUEST_TIMEOUT_MS = 15_000

const pools = new Map<string, Pool>()
const poolFor = (origin: string): Pool => {
  let pool = pools.get(origin)
  if (!pool) {
    pool = new Pool(origin, {
      connections: 512, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000,
      headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
    })
    pools.set(origin, pool)
  }
  return pool
}

export const closePools = async () => {
  await Promise.allSettled([...pools.values()].map((p) => p.destroy()))
  pools.clear()
}

/** Response headers as undici gives them (lower-case names). */
export type Headers = Record<string, string | string[] | undefined>

/**
 * One request, whole body read; throws on a non-2xx answer (with the body, for the report).
 * `onHeaders` sees the response headers of a successful answer (the phases scenario keeps `Server-Timing`).
 */
export const send = async (target: LoadTarget, kind: BodyKind, onHeaders?: (headers: Headers) => void): Promise<string> => {
  const { statusCode, headers, body } = await poolFor(target.origin).request({
    path: target.path, method: 'POST', headers: target.headers, body: target.bodies[kind],
  })
  const text = await body.text()
  if (statusCode < 200 || statusCode >= 300) throw new Error(`HTTP ${statusCode}: ${text.slice(0, 300)}`)
  onHeaders?.(headers)
  return text
}

export interface Exchange {
  status: number
  headers: Headers
  text: string
  /** Send to the end of the body, ms. */
  ms: number
}

/** One POST with any body (the failover scenario), timed from send to the end of the body; never throws on a status. */
export const post = async (origin: string, path: string, headers: Record<string, string>, body: string): Promise<Exchange> => {
  const t = now()
  const res = await poolFor(origin).request({ path, method: 'POST', headers, body })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, text, ms: now() - t }
}

export const percentile = (sorted: number[], p: number): number => {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)] as number
}

/** The middle value; the mean of the two middle ones for an even count (two rounds → their mean). */
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length === 0 ? NaN : sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export interface OpenLoopResult {
  offered: number
  achieved: number
  sent: number
  ok: number
  errors: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Send time minus scheduled time (the client's own lateness, included in the latencies). */
  lateP99: number
  /** The target fell more than a second behind: the cell stopped early (not sustainable at this rate). */
  saturated: boolean
  /** CPU used by other processes on the machine during the cell, in cores (run.ts). */
  noise?: number
  firstError?: string
}

/**
 * Sends at a fixed rate for warmS + seconds on a precomputed timetable; only
 * requests scheduled after the warm-up count. Achieved rate = successes / the time
 * from the first counted scheduled send to the last counted completion. When more
 * than a second's worth of requests is in flight the target is saturated: the cell
 * stops sending (what was sent still counts) instead of queueing for minutes.
 * `onHeaders` sees the headers of each counted successful answer.
 */
export const openLoop = async (
  target: LoadTarget, rate: number, seconds: number, warmS: number, onHeaders?: (headers: Headers) => void,
): Promise<OpenLoopResult> => {
  const interval = 1000 / rate
  const total = Math.round((warmS + seconds) * rate)
  const firstCounted = Math.round(warmS * rate)
  const latencies: number[] = []
  let errors = 0
  let lastDone = 0
  let firstError: string | undefined
  const late: number[] = []
  const inflight = new Set<Promise<void>>()
  const backlogLimit = rate + 50
  let saturated = false
  const start = now() + 5
  let i = 0
  while (i < total && !saturated) {
    const t = now()
    while (i < total && start + i * interval <= t) {
      const scheduled = start + i * interval
      const counted = i >= firstCounted
      if (counted) late.push(t - scheduled)
      const p = send(target, 'json', counted ? onHeaders : undefined).then(
        () => {
          const done = now()
          if (counted) {
            latencies.push(done - scheduled)
            lastDone = Math.max(lastDone, done)
          }
        },
        (err: Error) => {
          if (counted) {
            errors++
            firstError ??= err.message
          }
        },
      )
      const tracked: Promise<void> = p.finally(() => inflight.delete(tracked))
      inflight.add(tracked)
      i++
    }
    if (inflight.size > backlogLimit) saturated = true
    const wait = start + i * interval - now()
    // No busy-wait: the client shares its core with the upstream. setTimeout is
    // ~1 ms coarse, so sends can be up to ~1 ms late (reported as lateP99).
    if (wait > 0.25) await sleep(wait)
    else await new Promise((resolve) => setImmediate(resolve))
  }
  await Promise.allSettled([...inflight])
  latencies.sort((a, b) => a - b)
  late.sort((a, b) => a - b)
  const windowMs = lastDone - (start + firstCounted * interval)
  return {
    offered: rate,
    achieved: windowMs > 0 ? (latencies.length / windowMs) * 1000 : 0,
    sent: Math.max(0, i - firstCounted),
    ok: latencies.length,
    errors,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    lateP99: percentile(late, 99),
    saturated,
    ...(firstError ? { firstError } : {}),
  }
}

export interface ClosedLoopResult {
  connections: number
  rps: number
  ok: number
  errors: number
  p50: number
  firstError?: string
  /** Filled in by run.ts: CPU ms per request of the system under test, and core utilizations (1 = one core busy). */
  cpuMsPerReq?: number
  sutUtilization?: number
  clientUtilization?: number
  noise?: number
}

/** `connections` workers, each sending its next request as soon as the last one ends. */
export const closedLoop = async (target: LoadTarget, connections: number, seconds: number, warmS: number): Promise<ClosedLoopResult> => {
  const measureFrom = now() + warmS * 1000
  const until = measureFrom + seconds * 1000
  const latencies: number[] = []
  let errors = 0
  let firstError: string | undefined
  const worker = async () => {
    while (now() < until) {
      const t = now()
      try {
        await send(target, 'max')
        if (t >= measureFrom && now() <= until) latencies.push(now() - t)
      } catch (err) {
        if (t >= measureFrom) {
          errors++
          firstError ??= (err as Error).message
        }
      }
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  latencies.sort((a, b) => a - b)
  return {
    connections, rps: latencies.length / seconds, ok: latencies.length, errors, p50: percentile(latencies, 50),
    ...(firstError ? { firstError } : {}),
  }
}

export interface StreamSample {
  ttft: number
  total: number
  /** First to last content read: equals the upstream's own spread when nothing buffers. */
  spread: number
  contentEvents: number
  reads: number
}

const CONTENT = /"content":"[^"]/g

/** One stream: time to the first read holding a non-empty content delta (the target's `sse.content`), and to the end. */
export const streamOnce = async (target: LoadTarget): Promise<StreamSample> => {
  const t = now()
  const { statusCode, body } = await poolFor(target.origin).request({
    path: target.path, method: 'POST', headers: target.headers, body: target.bodies.stream,
  })
  let text = ''
  let ttft = NaN
  let lastContent = NaN
  let seen = 0
  let reads = 0
  for await (const chunk of body) {
    const at = now()
    reads++
    text += (chunk as Buffer).toString('utf8')
    // Reads may split or merge events: count content deltas in the whole text so far.
    const count = text.match(target.sse?.content ?? CONTENT)?.length ?? 0
    if (count > seen) {
      if (seen === 0) ttft = at - t
      lastContent = at
      seen = count
    }
  }
  const total = now() - t
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}: ${text.slice(0, 300)}`)
  const end = target.sse?.end ?? '[DONE]'
  if (!text.includes(end)) throw new Error(`stream ended without ${end}: …${text.slice(-200)}`)
  return { ttft, total, spread: lastContent - (t + ttft), contentEvents: seen, reads }
}

export interface StreamResult {
  n: number
  errors: number
  ttftP50: number
  ttftP99: number
  totalP50: number
  spreadP50: number
  contentEvents: number
  readsP50: number
  firstError?: string
}

export const summarizeStreams = (samples: StreamSample[], errors: number, firstError?: string): StreamResult => {
  const sorted = (f: (s: StreamSample) => number) => samples.map(f).sort((a, b) => a - b)
  const ttft = sorted((s) => s.ttft)
  return {
    n: samples.length,
    errors,
    ttftP50: percentile(ttft, 50),
    ttftP99: percentile(ttft, 99),
    totalP50: median(samples.map((s) => s.total)),
    spreadP50: median(samples.map((s) => s.spread)),
    contentEvents: median(samples.map((s) => s.contentEvents)),
    readsP50: median(samples.map((s) => s.reads)),
    ...(firstError ? { firstError } : {}),
  }
}

export { median }
