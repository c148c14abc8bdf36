// Failover cost (issue 4): what one failover adds, and how long a hung
// provider takes to detect. Runs against its own gateway instance (targets.ts
// failoverBindings): Groq and Together both point at the one fake upstream, Groq as
// `localhost`, Together as `127.0.0.1`, so `[[fake … on=localhost]]` breaks Groq only.
// Every request names meta-llama/llama-3.3-70b-instruct with provider.order
// [groq, together] (Fireworks and DeepInfra have no key: skipped) and asks the fake
// for no upstream delay, so the figures are the gateway's own cost.
//
//   (a) baseline   no fault                      → Groq serves, 1 attempt
//   (b) 500        [[fake status=500 on=localhost]] → Groq 500, Together serves
//   (c) hang       [[fake hang on=localhost]]       → Groq times out, Together serves
//   (c') the same hang, the client streaming         → the same, through the streaming path
//   (e) stall      [[fake stall on=localhost]]      → Groq sends headers, then nothing; Together serves
//   (d) breaker    the 500 again, once Groq's breaker is open → Together at once, Groq skipped
//
// (c), (c') and (e) run with a first-byte limit far below the total one (targets.ts
// failoverBindings): each should cost the first-byte limit, streaming or not.
//
// The breaker (src/objects/health-stats.ts BREAKER) opens after 5 failures in a row, or
// ≥ 50 % failures with ≥ 10 attempts in 30 s. Baseline and fault requests are therefore
// interleaved 2:1 (a, a, b, a, a, b, …): Groq never fails twice in a row and fails a
// third of the time, so it stays closed and every (b)/(c) sample is a real failover.
// (1:1 would be exactly 50 % and trip the rate rule.) Each answer's
// openrouter_metadata is checked: a sample that was not routed as its class expects is
// counted as `unexpected` and left out of the figures. (d) is last: it sends the 500
// back to back until the breaker opens, then measures requests that skip Groq.
import { now, percentile, post, type Exchange } from './load.ts'
import { parseServerTiming } from './phases.ts'

export const FAILOVER_MODEL = 'meta-llama/llama-3.3-70b-instruct'
export type FailoverClass = 'baseline' | 'status500' | 'hang' | 'hangStream' | 'stall' | 'breakerOpen'
export const FAILOVER_CLASSES: readonly FailoverClass[] = ['baseline', 'status500', 'hang', 'hangStream', 'stall', 'breakerOpen']
/** The classes whose Groq attempt hangs: each costs the first-byte limit. */
const HUNG = ['hang', 'hangStream', 'stall'] as const

export interface FailoverConfig {
  /** (b) samples; (a) gets two per (b) and per (c). */
  n: number
  /** (c), (c') and (e) samples each: each costs the first-byte timeout. */
  hangN: number
  /** (d) samples. */
  breakerN: number
  /** The failover instance's UPSTREAM_TTFB_TIMEOUT_MS. */
  timeoutMs: number
  /** Its UPSTREAM_TIMEOUT_MS: far above timeoutMs, so a hang that waited for it would show. */
  totalMs: number
  /** The fake's delay before answering (or failing), every class alike. */
  latencyMs: number
}

interface Meta {
  attempts?: { provider?: string; status?: number | null; latency_ms?: number }[]
  skipped?: { provider?: string; reason?: string }[]
}
interface Answer { provider?: string; openrouter_metadata?: Meta; error?: { message?: string } }

export interface ClassResult {
  n: number
  unexpected: number
  errors: number
  p50: number
  p90: number
  p99: number
  /**
   * Means of the gateway's own Server-Timing upstream phase (all attempts) and total, and of
   * the failed Groq attempt's latency as the gateway recorded it (b, c). workerd's clock has
   * 1 ms steps, so the mean of many samples is the estimate (a median would be a whole ms).
   */
  upstreamMean: number
  totalMean: number
  failedAttemptMean?: number
  firstUnexpected?: string
}

export interface FailoverResult {
  config: FailoverConfig
  classes: Record<FailoverClass, ClassResult>
  /** Median of (b) − median of (a): the extra latency of one failover. */
  failover_extra_p50_ms: number
  failover_extra_p99_ms: number
  /** (c) − (a): time to detect a hung provider (≈ the first-byte timeout) and fail over, client not streaming. */
  hang_detect_p50_ms: number
  hang_detect_p99_ms: number
  /** (c) − (a) − timeout: what the gateway adds on top of the timeout itself. */
  hang_overhead_p50_ms: number
  /** (c') − (a): the same, the client streaming. */
  hang_stream_detect_p50_ms: number
  hang_stream_detect_p99_ms: number
  /** (e) − (a): a provider that sends headers and then nothing, client not streaming. */
  stall_detect_p50_ms: number
  stall_detect_p99_ms: number
  /** (d) − (a): a request whose first choice's breaker is open, against the baseline. */
  breaker_open_extra_p50_ms: number
  /** Fault requests sent back to back before the isolate read Groq's breaker as open. */
  requests_to_open_breaker: number | null
}

const body = (fault: string, latencyMs: number, stream = false) => JSON.stringify({
  model: FAILOVER_MODEL,
  max_tokens: 50,
  messages: [{ role: 'user', content: `hello [[fake latency_ms=${latencyMs}${fault ? ` ${fault}` : ''}]]` }],
  provider: { order: ['groq', 'together'] },
  ...(stream ? { stream: true } : {}),
})

/** A JSON answer, or a stream's: its provider from the first event, the metadata from the last (the usage chunk). */
const answerOf = (text: string): Answer => {
  if (!text.startsWith(':') && !text.startsWith('data:')) return JSON.parse(text) as Answer
  const events = text.split('\n\n').filter((b) => b.startsWith('data: ') && b !== 'data: [DONE]').map((b) => JSON.parse(b.slice(6)) as Answer)
  const meta = [...events].reverse().find((e) => e.openrouter_metadata)?.openrouter_metadata
  return { ...(events[0]?.provider ? { provider: events[0].provider } : {}), ...(meta ? { openrouter_metadata: meta } : {}) }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)

interface Sample { ms: number; upstream: number; total: number; failedAttempt?: number }

/** Does this answer show the routing its class expects? Returns a reason when not. */
const check = (cls: FailoverClass, x: Exchange, answer: Answer): string | undefined => {
  if (x.status !== 200) return `HTTP ${x.status}: ${x.text.slice(0, 200)}`
  const attempts = answer.openrouter_metadata?.attempts ?? []
  const groqSkipped = (answer.openrouter_metadata?.skipped ?? []).some((s) => s.provider === 'groq' && s.reason === 'breaker_open')
  const route = `provider ${answer.provider}, attempts ${JSON.stringify(attempts.map((a) => [a.provider, a.status]))}, groq breaker_open skipped: ${groqSkipped}`
  switch (cls) {
    case 'baseline':
      return answer.provider === 'Groq' && attempts.length === 1 ? undefined : route
    case 'status500':
      return answer.provider === 'Together' && attempts.length === 2 && attempts[0]?.provider === 'Groq' && attempts[0]?.status === 500 ? undefined : route
    case 'hang':
    case 'hangStream':
    case 'stall':
      return answer.provider === 'Together' && attempts.length === 2 && attempts[0]?.provider === 'Groq' && attempts[0]?.status === null ? undefined : route
    case 'breakerOpen':
      return answer.provider === 'Together' && attempts.length === 1 && groqSkipped ? undefined : route
  }
}

export const runFailover = async (
  origin: string, key: string, cfg: FailoverConfig, log: (msg: string) => void,
): Promise<FailoverResult> => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-openrouter-metadata': 'enabled' }
  const bodies: Record<FailoverClass, string> = {
    baseline: body('', cfg.latencyMs),
    status500: body('status=500 on=localhost', cfg.latencyMs),
    hang: body('hang on=localhost', cfg.latencyMs),
    hangStream: body('hang on=localhost', cfg.latencyMs, true),
    stall: body('stall on=localhost', cfg.latencyMs),
    breakerOpen: body('status=500 on=localhost', cfg.latencyMs),
  }
  const perClass = <T>(make: () => T) => Object.fromEntries(FAILOVER_CLASSES.map((k) => [k, make()])) as Record<FailoverClass, T>
  const samples = perClass<Sample[]>(() => [])
  const unexpected = perClass<{ n: number; first?: string }>(() => ({ n: 0 }))
  const errors = perClass(() => 0)

  const one = async (cls: FailoverClass, record: boolean): Promise<string | undefined> => {
    let x: Exchange
    try {
      x = await post(origin, '/api/v1/chat/completions', headers, bodies[cls])
    } catch (err) {
      if (record) errors[cls]++
      return (err as Error).message
    }
    let answer: Answer = {}
    try {
      answer = answerOf(x.text)
    } catch { /* check() reports the status or the shape */ }
    const wrong = check(cls, x, answer)
    if (!record) return wrong
    if (wrong) {
      unexpected[cls].n++
      unexpected[cls].first ??= wrong
      return wrong
    }
    const st = x.headers['server-timing']
    const timing = parseServerTiming(Array.isArray(st) ? st.join(', ') : (st ?? ''))
    const failed = answer.openrouter_metadata?.attempts?.[0]
    samples[cls].push({
      ms: x.ms, upstream: timing.upstream ?? NaN, total: timing.total ?? NaN,
      ...(cls === 'status500' || (HUNG as readonly string[]).includes(cls) ? { failedAttempt: failed?.latency_ms ?? NaN } : {}),
    })
    return undefined
  }

  // Warm-up (unrecorded): the bundle's paths for both providers, the connection pools, the health cache.
  for (let i = 0; i < 10; i++) {
    await one('baseline', false)
    await one('baseline', false)
    await one(i % 5 === 4 ? HUNG[i % HUNG.length]! : 'status500', false)
  }
  // Sanity, like run.ts's for the other targets: one of each must route as expected, or the bench stops.
  for (const cls of ['baseline', 'baseline', 'status500'] as const) {
    const wrong = await one(cls, false)
    if (wrong) throw new Error(`failover sanity check (${cls}) failed on ${origin}: ${wrong}`)
  }
  // (a) with (b), then (a) with (c): always two baselines per fault.
  const started = now()
  for (let i = 0; i < cfg.n; i++) {
    await one('baseline', true)
    await one('baseline', true)
    await one('status500', true)
  }
  for (const hung of HUNG) {
    for (let i = 0; i < cfg.hangN; i++) {
      await one('baseline', true)
      await one('baseline', true)
      await one(hung, true)
    }
  }
  log(`failover: ${cfg.n} × (a, a, b) and ${cfg.hangN} × (a, a, c / c' / e) in ${((now() - started) / 1000).toFixed(1)} s`)

  // (d) Open Groq's breaker with back-to-back failures, then measure requests that skip it.
  let toOpen: number | null = null
  for (let i = 1; i <= 50; i++) {
    if ((await one('breakerOpen', false)) === undefined) {
      toOpen = i
      break
    }
    // The failure report travels in waitUntil after the answer; give it a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  if (toOpen === null) log('failover: WARNING Groq\'s breaker did not open after 50 failures in a row; (d) not measured')
  else for (let i = 0; i < cfg.breakerN; i++) await one('breakerOpen', true)

  const summarize = (cls: FailoverClass): ClassResult => {
    const s = samples[cls]
    const ms = s.map((x) => x.ms).sort((a, b) => a - b)
    const failed = s.flatMap((x) => (x.failedAttempt === undefined ? [] : [x.failedAttempt]))
    return {
      n: s.length,
      unexpected: unexpected[cls].n,
      errors: errors[cls],
      p50: percentile(ms, 50),
      p90: percentile(ms, 90),
      p99: percentile(ms, 99),
      upstreamMean: mean(s.map((x) => x.upstream)),
      totalMean: mean(s.map((x) => x.total)),
      ...(failed.length ? { failedAttemptMean: mean(failed) } : {}),
      ...(unexpected[cls].first ? { firstUnexpected: unexpected[cls].first } : {}),
    }
  }
  const classes = Object.fromEntries(FAILOVER_CLASSES.map((cls) => [cls, summarize(cls)])) as Record<FailoverClass, ClassResult>
  const a = classes.baseline
  return {
    config: cfg,
    classes,
    failover_extra_p50_ms: classes.status500.p50 - a.p50,
    failover_extra_p99_ms: classes.status500.p99 - a.p99,
    hang_detect_p50_ms: classes.hang.p50 - a.p50,
    hang_detect_p99_ms: classes.hang.p99 - a.p99,
    hang_overhead_p50_ms: classes.hang.p50 - a.p50 - cfg.timeoutMs,
    hang_stream_detect_p50_ms: classes.hangStream.p50 - a.p50,
    hang_stream_detect_p99_ms: classes.hangStream.p99 - a.p99,
    stall_detect_p50_ms: classes.stall.p50 - a.p50,
    stall_detect_p99_ms: classes.stall.p99 - a.p99,
    breaker_open_extra_p50_ms: classes.breakerOpen.p50 - a.p50,
    requests_to_open_breaker: toOpen,
  }
}
