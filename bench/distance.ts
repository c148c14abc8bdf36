// The distance bench (`BENCH_DISTANCE=only npm run bench`): the account gate as if it were far
// away (GATE_RTT_MS delays every gate RPC by that round trip, src/objects/clients.ts), with credit
// leases off and on, side by side with the bare pass-through Worker under the same harness.
// Reports (1) the TTFT each gateway adds over bare for an ample-balance account, streams
// interleaved one by one; (2) a near-zero account: every admission exact (its Server-Timing
// admission phase carries the round trip) and no overspend (the bench's own check: the balance
// never below 0, the sum of charges = credits − balance); (3) one account's admits per second,
// closed loop, with the gate next door: leases off (each admit is a gate RPC) against on.
import { createHash, randomBytes } from 'node:crypto'
import type { Miniflare } from 'miniflare'
import { Pool } from 'undici'
import { closedLoop, now, percentile, post, type LoadTarget } from './load.ts'
import { cpuMeter, noiseMeter } from './cpu.ts'
import { parseServerTiming } from './phases.ts'
import { bareTarget, gatewayTarget, seedGateway, startBare, startGateway, type Instance } from './targets.ts'

export interface DistanceConfig {
  rtts: number[]
  streams: number
  nearZeroMicro: number
  nearZeroRequests: number
  connections: number
  maxSeconds: number
}

export const distanceConfigFromEnv = (num: (name: string, fallback: number) => number): DistanceConfig => ({
  rtts: (process.env.BENCH_DISTANCE_RTTS ?? '80,200').split(',').map(Number).filter((n) => n > 0),
  streams: num('BENCH_DISTANCE_STREAMS', 60),
  nearZeroMicro: num('BENCH_DISTANCE_NEAR_ZERO_MICRO', 1_500),
  nearZeroRequests: num('BENCH_DISTANCE_NEAR_ZERO_N', 200),
  connections: num('BENCH_CONNECTIONS', 16),
  maxSeconds: num('BENCH_MAX_SECONDS', 5),
})

interface Arm { name: string; rtt: number; leases: boolean; inst: Instance; target: LoadTarget; mf: Miniflare }

/** One more account on a gateway, with a small balance and its own key. */
const seedNearZero = async (mf: Miniflare, micro: number): Promise<string> => {
  const db = await mf.getD1Database('DB')
  const key = `sk-sb-v1-${randomBytes(32).toString('hex')}`
  const hash = createHash('sha256').update(key).digest('hex')
  const accountId = `acct_near${randomBytes(8).toString('hex')}`
  const now = Date.now()
  await db.batch([
    db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)').bind(accountId, 'near zero', now),
    db.prepare('INSERT INTO api_keys (hash, account_id, name, label, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(hash, accountId, 'near zero key', `${key.slice(0, 12)}...${key.slice(-4)}`, 'inference', now),
    db.prepare('INSERT INTO credit_events (id, account_id, amount_micro, kind, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(`seed-${accountId}`, accountId, micro, 'grant', now),
  ])
  return key
}

const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q)

const pools = new Map<string, Pool>()
const poolOf = (origin: string) => {
  let pool = pools.get(origin)
  if (!pool) pools.set(origin, (pool = new Pool(origin, { connections: 4, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 })))
  return pool
}
const CONTENT = /"content":"[^"]/

/** One stream: the time to its first content delta, and the gateway's admission phase (Server-Timing), which tells leased from exact. */
const timedStream = async (t: LoadTarget): Promise<{ ttft: number; admissionMs: number | null }> => {
  const started = now()
  const { statusCode, headers, body } = await poolOf(t.origin).request({ path: t.path, method: 'POST', headers: t.headers, body: t.bodies.stream })
  let text = ''
  let ttft = NaN
  for await (const chunk of body) {
    text += (chunk as Buffer).toString('utf8')
    if (Number.isNaN(ttft) && CONTENT.test(text)) ttft = now() - started
  }
  if (statusCode !== 200 || Number.isNaN(ttft)) throw new Error(`${t.name}: HTTP ${statusCode}: ${text.slice(0, 200)}`)
  const admission = parseServerTiming(String(headers['server-timing'] ?? '')).admission
  return { ttft, admissionMs: admission ?? null }
}

/** Concurrent requests on the near-zero account; then the bench's own ledger check. */
const nearZero = async (arm: Arm, key: string, cfg: DistanceConfig) => {
  const headers = { ...arm.target.headers, authorization: `Bearer ${key}` }
  const body = arm.target.bodies.max
  const answers = await Promise.all(Array.from({ length: cfg.nearZeroRequests }, () => post(arm.target.origin, arm.target.path, headers, body)))
  const ok = answers.filter((a) => a.status === 200)
  const denied = answers.filter((a) => a.status === 402).length
  const charged = ok.reduce((sum, a) => sum + Math.round((JSON.parse(a.text) as { usage: { cost: number } }).usage.cost * 1e6), 0)
  // Every admission of this account must be exact: its admission phase carries the round trip.
  const admissions = ok.map((a) => parseServerTiming(String(a.headers['server-timing'] ?? '')).admission ?? NaN)
  const exact = admissions.filter((ms) => ms >= arm.rtt * 0.9).length
  // Settlement is in waitUntil: poll the balance until every charge is in (or 20 s).
  let credits = 0
  let usage = 0
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const res = await fetch(`${arm.target.origin}/api/v1/credits`, { headers: { authorization: `Bearer ${key}` } })
    const d = ((await res.json()) as { data: { total_credits: number; total_usage: number } }).data
    credits = Math.round(d.total_credits * 1e6)
    usage = Math.round(d.total_usage * 1e6)
    if (usage >= charged) break
    await new Promise((r) => setTimeout(r, 200))
  }
  const balance = credits - usage
  return {
    requests: cfg.nearZeroRequests, served: ok.length, denied, other: answers.length - ok.length - denied, exact_admissions: exact,
    charged_micro: charged, credits_micro: credits, balance_micro: balance,
    no_overspend: balance >= 0 && charged === credits - balance && ok.length + denied === answers.length,
  }
}

export const runDistance = async (script: string, upstreamPort: number, cfg: DistanceConfig, o: {
  instances: Miniflare[]; log: (m: string) => void; pin: (pids: number[]) => string; quiet: (pids: number[]) => Promise<void>; upstreamPid: number
}) => {
  const bare = await startBare(upstreamPort)
  o.instances.push(bare.mf)
  const arms: Arm[] = []
  for (const rtt of [0, ...cfg.rtts]) {
    for (const leases of [false, true]) {
      const inst = await startGateway(script, upstreamPort, { GATE_RTT_MS: String(rtt), LEASES: leases ? 'on' : 'off' })
      o.instances.push(inst.mf)
      const key = await seedGateway(inst.mf)
      arms.push({ name: `gate ${rtt} ms, leases ${leases ? 'on' : 'off'}`, rtt, leases, inst, mf: inst.mf, target: { ...gatewayTarget(inst.origin, key), name: `rtt${rtt}-${leases ? 'on' : 'off'}` } })
    }
  }
  const allPids = [...bare.pids, ...arms.flatMap((a) => a.inst.pids)]
  /** Our processes: the rest of the machine's CPU use is noise, recorded with each figure. */
  const ours = [process.pid, o.upstreamPid, ...allPids]
  o.log(`distance: bare + ${arms.length} gateways; pinning: ${o.pin(allPids)}`)
  const bareT = { ...bareTarget(bare.origin) }
  const far = arms.filter((a) => a.rtt > 0)

  // Warm-up, round-robin as measured (no arm idles long enough to return its lease): JIT, key caches,
  // gate objects; a leased arm's first request takes the exact path and asks for its first lease.
  for (let i = 0; i < 10; i++) for (const t of [bareT, ...far.map((a) => a.target)]) await timedStream(t)

  // (1) TTFT, streams interleaved one by one across bare and every distant arm. "Added" is each
  // stream's TTFT less the bare stream's of the same round (paired: machine noise hits both).
  const ttft: Record<string, number[]> = { bare: [] }
  const added_: Record<string, number[]> = {}
  const exact: Record<string, number> = {}
  const noise = noiseMeter(ours)
  for (let i = 0; i < cfg.streams; i++) {
    const order = i % 2 === 0 ? [bareT, ...far.map((a) => a.target)] : [...far.map((a) => a.target)].reverse().concat(bareT)
    const round: Record<string, number> = {}
    for (const t of order) {
      const r = await timedStream(t)
      round[t.name] = r.ttft
      if (t.name !== 'bare' && (r.admissionMs ?? 0) >= 0.9 * (far.find((a) => a.target.name === t.name)?.rtt ?? Infinity)) exact[t.name] = (exact[t.name] ?? 0) + 1
    }
    for (const [name, ms] of Object.entries(round)) {
      ;(ttft[name] ??= []).push(ms)
      if (name !== 'bare') (added_[name] ??= []).push(ms - (round.bare ?? 0))
    }
  }
  const ttftNoise = noise()
  const bareP50 = p(ttft.bare ?? [], 50)
  const bareP99 = p(ttft.bare ?? [], 99)
  const added = far.map((a) => {
    const xs = ttft[a.target.name] ?? []
    const d = added_[a.target.name] ?? []
    return {
      arm: a.name, rtt_ms: a.rtt, leases: a.leases, ttft_p50_ms: p(xs, 50), ttft_p99_ms: p(xs, 99), added_p50_ms: p(d, 50), added_p99_ms: p(d, 99),
      exact_admissions: exact[a.target.name] ?? 0, n: xs.length,
    }
  })
  o.log(`distance: ttft done (bare p50 ${bareP50.toFixed(1)} ms; others used ${ttftNoise.toFixed(2)} cores)`)

  // (2) Near zero, on each distant arm with leases on: exact, and never overspent.
  const near = []
  for (const a of far.filter((x) => x.leases)) {
    const key = await seedNearZero(a.mf, cfg.nearZeroMicro)
    near.push({ arm: a.name, ...(await nearZero(a, key, cfg)) })
  }
  o.log('distance: near-zero done')

  // (3) One account's admits per second, the gate next door and at the first distance: every admit a gate RPC, or leased.
  // Two rounds, order reversed in the second; medians.
  const admitArms = arms.filter((x) => x.rtt === 0 || x.rtt === cfg.rtts[0])
  const runs: Record<string, { rps: number; cpu: number; p50: number; errors: number; noise: number }[]> = {}
  for (let round = 0; round < 2; round++) {
    for (const a of round === 0 ? admitArms : [...admitArms].reverse()) {
      await o.quiet(allPids)
      await closedLoop(a.target, cfg.connections, 0.5, 0)
      const cpu = cpuMeter(a.inst.pids)
      const n = noiseMeter(ours)
      const r = await closedLoop(a.target, cfg.connections, cfg.maxSeconds, 0)
      const c = cpu()
      ;(runs[a.name] ??= []).push({ rps: r.rps, cpu: c.cpuMs / Math.max(r.ok, 1), p50: r.p50, errors: r.errors, noise: n() })
    }
  }
  const med = (xs: number[]) => p(xs, 50)
  const admits = admitArms.map((a) => {
    const rs = runs[a.name] ?? []
    return {
      arm: a.name, rtt_ms: a.rtt, leases: a.leases, admits_per_s: med(rs.map((r) => r.rps)), cpu_ms_per_req: med(rs.map((r) => r.cpu)),
      p50_ms: med(rs.map((r) => r.p50)), errors: rs.reduce((x, r) => x + r.errors, 0), noise_cores: Math.max(...rs.map((r) => r.noise)),
    }
  })
  o.log('distance: admits done')
  await Promise.allSettled([...pools.values()].map((x) => x.destroy()))
  return { bare: { ttft_p50_ms: bareP50, ttft_p99_ms: bareP99, n: ttft.bare?.length ?? 0, noise_cores: ttftNoise }, added, near_zero: near, admits }
}

export type DistanceResult = Awaited<ReturnType<typeof runDistance>>

export const printDistance = (r: DistanceResult) => {
  const f = (n: number) => n.toFixed(2).padStart(8)
  const lines = [
    '', `Distance: added TTFT over the bare Worker, paired by round (bare p50 ${r.bare.ttft_p50_ms.toFixed(2)} ms, p99 ${r.bare.ttft_p99_ms.toFixed(2)} ms; ${r.bare.n} streams each; others used ${r.bare.noise_cores.toFixed(2)} cores)`,
    '| arm | TTFT p50 | TTFT p99 | added p50 | added p99 | exact admissions |', '|---|---:|---:|---:|---:|---:|',
    ...r.added.map((a) => `| ${a.arm} | ${f(a.ttft_p50_ms)} | ${f(a.ttft_p99_ms)} | ${f(a.added_p50_ms)} | ${f(a.added_p99_ms)} | ${a.exact_admissions}/${a.n} |`),
    '', 'Near-zero balance (leases on): admission exact, no overspend',
    '| arm | requests | served | denied | exact admissions | charged µ$ | balance µ$ | check |', '|---|---:|---:|---:|---:|---:|---:|---|',
    ...r.near_zero.map((n) => `| ${n.arm} | ${n.requests} | ${n.served} | ${n.denied} | ${n.exact_admissions}/${n.served} | ${n.charged_micro} | ${n.balance_micro} | ${n.no_overspend ? 'ok' : 'FAILED'} |`),
    '', "One account's admits per second, closed loop, the gate next door and at a distance (medians of 2 rounds)",
    '| arm | admits/s | CPU ms/req | p50 ms | errors | noise (cores) |', '|---|---:|---:|---:|---:|---:|',
    ...r.admits.map((a) => `| ${a.arm} | ${a.admits_per_s.toFixed(0)} | ${a.cpu_ms_per_req.toFixed(3)} | ${a.p50_ms.toFixed(2)} | ${a.errors} | ${a.noise_cores.toFixed(2)} |`),
  ]
  console.log(lines.join('\n'))
}
