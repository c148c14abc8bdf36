// The CPU arm (issue 13): what the Worker's own code costs, in its own instances.
//   1. max req/s and CPU per request, closed loop: bare vs the gateway with one account
//      (the main table's figure) vs the gateway with the load spread over SPREAD_ACCOUNTS
//      accounts (two keys each), rounds interleaved;
//   2. large non-streaming completions (0.25–2 MB): CPU per MB of workerd, bare vs gateway,
//      and the gateway isolate's peak JS heap with LARGE_INFLIGHT requests in flight.
// Each bundle runs as configured by default and with LEASES=on (BENCH_CPU_LEASES=0 skips that).
// `node bench/cpu-arm.ts` runs it alone (`BENCH_BUNDLE=<index.js>` measures another build);
// `npm run bench` runs it last (BENCH_CPU=0 skips it). See bench/README.md.
import { createHash, randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Miniflare, convertV4MiniflareOptions } from 'miniflare'
import { closePools, median, post } from './load.ts'
import { cpuMeter, noiseMeter, waitIdle, workerdPids } from './cpu.ts'
import { BIG, heapSampler, startLargeUpstream } from './large.ts'
import { buildGateway, compat, gatewayObjects, pinCpus, seedGateway, startBare, startGateway, startUpstream, type Instance } from './targets.ts'

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`)
  return v
}
export const cpuArmConfig = () => ({
  rounds: Math.max(1, num('BENCH_CPU_ROUNDS', 3)),
  /** Longer than the main table's cells: spread traffic has 30 s cycles (the key cache, the gates' alarms). */
  seconds: num('BENCH_CPU_SECONDS', 15),
  connections: num('BENCH_CONNECTIONS', 16),
  accounts: num('SPREAD_ACCOUNTS', 1000),
  rewarm: process.env.BENCH_CPU_REWARM === '1',
  sizesMb: (process.env.LARGE_SIZES_MB ?? '0.25,0.5,1,2').split(',').map(Number).filter((n) => n > 0),
  /** MB moved per size, target and round for the CPU per MB figure (CPU is read in 10 ms ticks). */
  largeMbPerCell: num('LARGE_MB_PER_CELL', 32),
  largeInflight: Math.max(1, num('LARGE_INFLIGHT', 4)),
})
export type CpuArmConfig = ReturnType<typeof cpuArmConfig>

type Log = (msg: string) => void
export const BODY_MAX = (model: string) => JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hello [[fake latency_ms=0]]' }] })
const BODY_BIG = (model: string, bytes: number) => JSON.stringify({ model, messages: [{ role: 'user', content: `big ${BIG(bytes)}` }] })

/** 1,000 accounts with $1,000 each and two inference keys each, written in batches. */
export const seedSpread = async (mf: Miniflare, accounts: number): Promise<string[]> => {
  const db = await mf.getD1Database('DB')
  const keys: string[] = []
  const now = Date.now()
  for (let from = 0; from < accounts; from += 200) {
    const stmts = []
    for (let a = from; a < Math.min(accounts, from + 200); a++) {
      const accountId = `acct_spread${a}_${randomBytes(4).toString('hex')}`
      stmts.push(db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)').bind(accountId, `spread ${a}`, now))
      stmts.push(db.prepare('INSERT INTO credit_events (id, account_id, amount_micro, kind, created_at) VALUES (?, ?, ?, ?, ?)')
        .bind(`seed-${accountId}`, accountId, 1_000_000_000, 'grant', now))
      for (let k = 0; k < 2; k++) {
        const key = `sk-sb-v1-${randomBytes(32).toString('hex')}`
        keys.push(key)
        stmts.push(db.prepare('INSERT INTO api_keys (hash, account_id, name, label, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .bind(createHash('sha256').update(key).digest('hex'), accountId, `k${k}`, `${key.slice(0, 12)}...${key.slice(-4)}`, 'inference', now))
      }
    }
    await db.batch(stmts)
  }
  return keys
}

export interface Load { origin: string; path: string; headers: Record<string, string>[]; body: string }

/** `connections` workers in a closed loop; request i carries headers[i % n] (keys round-robin). */
export const closedLoop = async (load: Load, connections: number, seconds: number) => {
  const until = performance.now() + seconds * 1000
  let ok = 0, errors = 0, i = 0
  let firstError: string | undefined
  const worker = async () => {
    while (performance.now() < until) {
      const headers = load.headers[i++ % load.headers.length]!
      const r = await post(load.origin, load.path, headers, load.body).catch((err: Error) => ({ status: 0, text: err.message }))
      if (r.status === 200) ok++
      else { errors++; firstError ??= `${r.status} ${r.text.slice(0, 160)}` }
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  return { ok, errors, firstError }
}

/** Runs `load` closed-loop for `seconds` and measures the SUT's CPU. */
const measureClosed = async (load: Load, sut: number[], ours: number[], connections: number, seconds: number) => {
  await closedLoop(load, connections, 0.5) // warm, unmeasured
  const cpu = cpuMeter(sut)
  const noise = noiseMeter(ours)
  const r = await closedLoop(load, connections, seconds)
  const c = cpu()
  return {
    rps: r.ok / seconds, cpuMsPerReq: c.cpuMs / Math.max(1, r.ok), sutUtilization: c.utilization, noise: noise(),
    errors: r.errors, firstError: r.firstError,
  }
}

/** `count` requests, `inflight` at a time; request i carries headers[i % n]. */
export const fanOut = async (load: Load, count: number, inflight: number) => {
  let next = 0, errors = 0
  let firstError: string | undefined
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (next < count) {
      const headers = load.headers[next++ % load.headers.length]!
      const r = await post(load.origin, load.path, headers, load.body)
      if (r.status !== 200) { errors++; firstError ??= `${r.status} ${r.text.slice(0, 160)}` }
    }
  }))
  return { errors, firstError }
}

export const startInspected = async (scriptPath: string, upstreamPort: number, inspectorPort: number, extra: Record<string, string> = {}): Promise<Instance> => {
  const before = new Set(workerdPids())
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: '127.0.0.1', port: 0, cf: false, enableDevRegistry: false, ...compat(), inspectorPort,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    modules: true, scriptPath,
    bindings: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`, ...extra },
    d1Databases: ['DB'], r2Buckets: ['DETAILS'],
    durableObjects: gatewayObjects(scriptPath),
  }))
  await mf.ready
  const url = await mf.unsafeGetDirectURL()
  return { mf, origin: url.origin, pids: workerdPids().filter((pid) => !before.has(pid)) }
}

export const freePort = async () => {
  const { createServer } = await import('node:net')
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** A gateway bundle to measure: the one just built, or others beside it (BENCH_BUNDLES, e.g. a commit before a change), with optional settings. */
export interface Build { name: string; script: string; bindings?: Record<string, string> }

/** The gateway as configured by default, and (BENCH_CPU_LEASES=0 skips it) the same bundle with credit leases on. */
export const gatewayBuilds = (script: string): Build[] => [
  { name: 'gateway', script },
  ...(process.env.BENCH_CPU_LEASES === '0' ? [] : [{ name: 'gateway+leases', script, bindings: { LEASES: 'on' } }]),
  ...variantsFromEnv(script),
]

/** BENCH_CPU_VARIANTS=name:K=V+K=V[,…]: the same bundle again under other settings (an ablation, a setting's cost). */
const variantsFromEnv = (script: string): Build[] =>
  (process.env.BENCH_CPU_VARIANTS ?? '').split(',').filter(Boolean).map((spec) => {
    const [name, settings = ''] = spec.split(':')
    return { name: name!, script, bindings: settingsOf(settings) }
  })

/** `K=V+K=V`: settings for a build. */
const settingsOf = (spec: string): Record<string, string> =>
  Object.fromEntries(spec.split('+').filter(Boolean).map((kv) => kv.split('=') as [string, string]))

/**
 * BENCH_BUNDLES=name:path[@K=V+K=V][,…]: other builds of the bundle (each an index.js under the
 * repo) measured beside this one, each with optional settings (`before:…/index.js@LEASES=on`).
 */
export const bundlesFromEnv = (): Build[] =>
  (process.env.BENCH_BUNDLES ?? '').split(',').filter(Boolean).map((spec) => {
    const [pair, settings = ''] = spec.split('@')
    return { name: pair!.split(':')[0]!, script: pair!.split(':').slice(1).join(':'), bindings: settingsOf(settings) }
  })

interface Closed { rps: number; cpuMsPerReq: number; sutUtilization: number; noise: number; errors: number; firstError: string | undefined }
const medianOf = (rows: Closed[], f: (r: Closed) => number) => median(rows.map(f))
/** Per round a / b, then the median: both were measured in the same round, so under the same noise. */
const pairOf = (a: Closed[], b: Closed[], f: (r: Closed) => number) => median(a.map((x, i) => f(x) / f(b[i]!)))

export const runCpuArm = async (builds: Build[], config: CpuArmConfig, log: Log) => {
  const disposers: (() => unknown)[] = []
  try {
    const up = await startUpstream({ LATENCY_MS: '20', TTFT_MS: '50', CHUNKS: '20', CHUNK_GAP_MS: '10' })
    disposers.push(() => up.child.kill('SIGTERM'))
    const large = await startLargeUpstream()
    disposers.push(() => large.server.close())
    const bare = await startBare(up.port)
    disposers.push(() => bare.mf.dispose())
    const bareL = await startBare(large.port)
    disposers.push(() => bareL.mf.dispose())
    const auth = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` })
    const gateways = []
    for (const build of builds) {
      const gw = await startGateway(build.script, up.port, build.bindings)
      disposers.push(() => gw.mf.dispose())
      const oneKey = await seedGateway(gw.mf)
      log(`cpu arm ${build.name}: seeding ${config.accounts} accounts, ${config.accounts * 2} keys`)
      const spreadKeys = await seedSpread(gw.mf, config.accounts)
      const inspectorPort = await freePort()
      const gwL = await startInspected(build.script, large.port, inspectorPort, build.bindings)
      disposers.push(() => gwL.mf.dispose())
      const largeKey = await seedGateway(gwL.mf)
      gateways.push({
        build, gw, gwL, inspectorPort,
        one: { origin: gw.origin, path: '/api/v1/chat/completions', headers: [auth(oneKey)], body: BODY_MAX('openai/gpt-4o-mini') },
        spread: { origin: gw.origin, path: '/api/v1/chat/completions', headers: spreadKeys.map(auth), body: BODY_MAX('openai/gpt-4o-mini') },
        big: (bytes: number): Load => ({ origin: gwL.origin, path: '/api/v1/chat/completions', headers: [auth(largeKey)], body: BODY_BIG('openai/gpt-4o-mini', bytes) }),
      })
    }
    const all = [...bare.pids, ...bareL.pids, ...gateways.flatMap((g) => [...g.gw.pids, ...g.gwL.pids])]
    const pinning = pinCpus(all, up.child.pid)
    log(`cpu arm: pinning: ${pinning}`)
    const quiet = () => waitIdle([...all, up.child.pid ?? 0])
    const ours = [process.pid, up.child.pid ?? 0, ...all]

    // The closed-loop cells: bare, then per build one account and (with SPREAD_ACCOUNTS) the spread.
    const cells: { name: string; load: Load; sut: number[]; rewarm?: boolean }[] = [
      { name: 'bare', load: { origin: bare.origin, path: '/v1/chat/completions', headers: [auth('sk-bench')], body: BODY_MAX('gpt-4o-mini') }, sut: bare.pids },
      ...gateways.flatMap((g) => [
        { name: `${g.build.name}:one`, load: g.one, sut: g.gw.pids },
        ...(config.accounts > 0 ? [{ name: `${g.build.name}:spread`, load: g.spread, sut: g.gw.pids }] : []),
        // Diagnostic: the spread again, each key sent once just before it is measured. Between its
        // cells the gates sit idle past workerd's 10 s eviction and the key cache's 30 s, so the
        // plain spread cell starts cold: rebuilt gates, keys read from D1.
        ...(config.accounts > 0 && config.rewarm ? [{ name: `${g.build.name}:spread-warm`, load: g.spread, sut: g.gw.pids, rewarm: true }] : []),
      ]),
    ]
    // Warm-up: every key once (into the isolate's cache; every account's gate object created and
    // its state read from D1, which a closed loop of a few seconds did not always reach), then the JIT.
    for (const cell of cells) {
      const keys = await fanOut(cell.load, cell.load.headers.length, config.connections)
      const w = await closedLoop(cell.load, config.connections, 1)
      if (keys.errors || w.errors) throw new Error(`cpu arm warm-up ${cell.name}: ${keys.firstError ?? w.firstError}`)
    }
    const closed: Record<string, Closed[]> = Object.fromEntries(cells.map((c) => [c.name, []]))
    for (let round = 0; round < config.rounds; round++) {
      for (let k = 0; k < cells.length; k++) {
        const cell = cells[(k + round) % cells.length]!
        if (cell.rewarm) await fanOut(cell.load, cell.load.headers.length, config.connections)
        await quiet()
        const r = await measureClosed(cell.load, cell.sut, ours, config.connections, config.seconds)
        closed[cell.name]!.push(r)
        log(`cpu arm r${round + 1} ${cell.name}: ${r.rps.toFixed(0)} req/s, CPU ${r.cpuMsPerReq.toFixed(3)} ms/req (SUT ${(r.sutUtilization * 100).toFixed(0)}%, others ${r.noise.toFixed(2)} cores), errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`)
      }
    }

    // Large completions: CPU per MB (inspectors not attached yet), then each build's heap.
    const bareBig = (bytes: number): Load => ({ origin: bareL.origin, path: '/v1/chat/completions', headers: [auth('sk-bench')], body: BODY_BIG('gpt-4o-mini', bytes) })
    const largeCpu: Record<string, Record<string, number[]>> = {}
    for (const mb of config.sizesMb) {
      const bytes = Math.round(mb * 1024 * 1024)
      const count = Math.max(config.largeInflight, Math.round(config.largeMbPerCell / mb))
      const targets = [{ name: 'bare', load: bareBig(bytes), pids: bareL.pids }, ...gateways.map((g) => ({ name: g.build.name, load: g.big(bytes), pids: g.gwL.pids }))]
      for (const t of targets) await fanOut(t.load, config.largeInflight, config.largeInflight)
      const cell: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]))
      largeCpu[String(mb)] = cell
      for (let round = 0; round < config.rounds; round++) {
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + round) % targets.length]!
          await quiet()
          const cpu = cpuMeter(t.pids)
          const r = await fanOut(t.load, count, config.largeInflight)
          if (r.errors) throw new Error(`large ${mb} MB ${t.name}: ${r.firstError}`)
          cell[t.name]!.push(cpu().cpuMs / (count * mb))
        }
      }
      log(`cpu arm large ${mb} MB: CPU ms/MB ${targets.map((t) => `${t.name} ${median(cell[t.name]!).toFixed(2)}`).join(', ')}`)
    }
    type Heap = { baseline_mb: number; peak_mb: number; added_mb: number; live_peak_mb: number; live_added_mb: number }
    const heap: Record<string, Record<string, Heap>> = {}
    for (const g of config.sizesMb.length ? gateways : []) {
      // The heap is a figure of its own: a sampler that fails is reported, not fatal to the arm.
      const sampler = await heapSampler(g.inspectorPort, () => fetch(`${g.gwL.origin}/healthz`).then((r) => r.arrayBuffer())).catch((err: Error) => void log(`cpu arm heap ${g.build.name}: ${err.message}`))
      if (!sampler) continue
      const byBuild: Record<string, Heap> = (heap[g.build.name] = {})
      for (const mb of config.sizesMb) {
        const bytes = Math.round(mb * 1024 * 1024)
        // The peak as the isolate runs (garbage included), then the peak of what is live (a GC before each sample).
        const peaks = { used: [] as number[], live: [] as number[] }
        let baseline = 0
        for (let round = 0; round < config.rounds; round++) {
          for (const live of [false, true]) {
            await quiet()
            const m = await sampler.measure(() => fanOut(g.big(bytes), config.largeInflight, config.largeInflight), { live })
              .catch((err: Error) => void log(`cpu arm heap ${g.build.name} ${mb} MB: ${err.message}`))
            if (!m) continue
            peaks[live ? 'live' : 'used'].push(m.peak)
            baseline = m.baseline
          }
        }
        const peak = median(peaks.used), livePeak = median(peaks.live)
        const MB = 2 ** 20
        byBuild[String(mb)] = { baseline_mb: baseline / MB, peak_mb: peak / MB, added_mb: (peak - baseline) / MB, live_peak_mb: livePeak / MB, live_added_mb: (livePeak - baseline) / MB }
        log(`cpu arm heap ${g.build.name} ${mb} MB ×${config.largeInflight}: peak ${(peak / MB).toFixed(1)} MB used (+${((peak - baseline) / MB).toFixed(1)} over the idle heap), live +${((livePeak - baseline) / MB).toFixed(1)}`)
      }
      sampler.close()
    }

    const rows = (name: string) => closed[name] ?? []
    // One cell's medians, and one cell against another measured in the same rounds.
    const cellOf = (rs: Closed[]) => ({ rps: medianOf(rs, (r) => r.rps), cpu_ms_per_req: medianOf(rs, (r) => r.cpuMsPerReq) })
    const over = (rs: Closed[], base: Closed[]) => ({ rps: pairOf(rs, base, (r) => r.rps), cpu: pairOf(rs, base, (r) => r.cpuMsPerReq) })
    return {
      config, pinning, nproc: availableParallelism(), builds: builds.map((b) => b.name),
      closed: {
        bare: cellOf(rows('bare')),
        builds: Object.fromEntries(builds.map((b) => {
          const one = rows(`${b.name}:one`), spread = rows(`${b.name}:spread`), warm = rows(`${b.name}:spread-warm`)
          return [b.name, {
            one: cellOf(one),
            one_over_bare: over(one, rows('bare')),
            ...(spread.length ? { spread: cellOf(spread), spread_over_one: over(spread, one) } : {}),
            ...(warm.length ? { spread_warm: cellOf(warm), spread_warm_over_one: over(warm, one) } : {}),
          }]
        })),
        rounds: closed,
      },
      large: config.sizesMb.map((mb) => ({
        mb,
        cpu_ms_per_mb: Object.fromEntries(Object.entries(largeCpu[String(mb)]!).map(([name, v]) => [name, median(v)])),
        heap: Object.fromEntries(Object.entries(heap).map(([name, h]) => [name, h[String(mb)]])),
      })),
    }
  } finally {
    await closePools()
    for (const d of disposers.reverse()) await Promise.resolve(d()).catch(() => {})
  }
}
export type CpuArmResult = Awaited<ReturnType<typeof runCpuArm>>

export const printCpuArm = (r: CpuArmResult) => {
  const f = (n: number | undefined, d = 0) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d))
  const c = r.closed
  console.log('\nCPU arm: closed loop, medians over rounds (ratios: per round, then the median)')
  console.log('| target | req/s | CPU ms/req | ÷ bare req/s | ÷ bare CPU |\n|---|---|---|---|---|')
  console.log(`| bare | ${f(c.bare.rps)} | ${f(c.bare.cpu_ms_per_req, 3)} | | |`)
  for (const [name, b] of Object.entries(c.builds)) {
    console.log(`| ${name}, one account | ${f(b.one.rps)} | ${f(b.one.cpu_ms_per_req, 3)} | ${f(b.one_over_bare.rps, 2)}× | ${f(b.one_over_bare.cpu, 2)}× |`)
    if (b.spread) console.log(`| ${name}, ${r.config.accounts} accounts (${r.config.accounts * 2} keys) | ${f(b.spread.rps)} | ${f(b.spread.cpu_ms_per_req, 3)} | spread ÷ one: ${f(b.spread_over_one?.rps, 2)}× req/s | ${f(b.spread_over_one?.cpu, 2)}× CPU |`)
    if (b.spread_warm) console.log(`| ${name}, the same, each key sent just before | ${f(b.spread_warm.rps)} | ${f(b.spread_warm.cpu_ms_per_req, 3)} | spread ÷ one: ${f(b.spread_warm_over_one?.rps, 2)}× req/s | ${f(b.spread_warm_over_one?.cpu, 2)}× CPU |`)
  }
  console.log('targets: one account ≥ 0.5× bare req/s; spread ≥ 0.8× one account')
  if (!r.large.length) return
  console.log(`\nLarge non-streaming completions: CPU ms per MB (workerd); gateway heap with ${r.config.largeInflight} in flight, MB over the idle heap: peak used (garbage included) / peak live (after a GC)`)
  const names = Object.keys(r.large[0]!.cpu_ms_per_mb)
  console.log(`| size MB | ${names.map((n) => `${n} CPU ms/MB`).join(' | ')} | ${r.builds.map((n) => `${n} heap`).join(' | ')} |\n|${'---|'.repeat(1 + names.length + r.builds.length)}`)
  for (const l of r.large) {
    console.log(`| ${l.mb} | ${names.map((n) => f(l.cpu_ms_per_mb[n], 2)).join(' | ')} | ${r.builds.map((n) => `+${f(l.heap[n]?.added_mb, 1)} / +${f(l.heap[n]?.live_added_mb, 1)}`).join(' | ')} |`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tmp = process.env.BENCH_TMPDIR ?? '/dev/shm'
  process.env.TMPDIR = tmp
  const log: Log = (msg) => console.error(`[cpu ${new Date().toISOString().slice(11, 19)}] ${msg}`)
  const extra = bundlesFromEnv()
  const builds: Build[] = extra.length && process.env.BENCH_CPU_BUILD !== '1'
    ? extra
    : [...extra, ...gatewayBuilds((log('building the gateway bundle'), buildGateway()))]
  const result = await runCpuArm(builds, cpuArmConfig(), log)
  printCpuArm(result)
  if (process.env.BENCH_CPU_OUT) (await import('node:fs')).writeFileSync(process.env.BENCH_CPU_OUT, JSON.stringify({ bundles: builds, ...result }, null, 2))
  process.exit(0)
}
