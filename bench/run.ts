// `npm run bench`: one machine, one run. Builds the gateway, starts the fake
// upstream (Node), a bare pass-through Worker and the gateway (each in its own
// Miniflare, same workerd), then measures open-loop latency, closed-loop max
// req/s and streaming TTFT, interleaving bare and gateway round by round so the
// gateway/bare ratios compare like with like; then the gateway's phases (from
// Server-Timing), the cost of a failover (a second gateway instance) and of routing
// against catalog size (Node). First of all, the npm start arm: the gateway as
// `npm start` runs it, at 100 req/s (bench/npm-start.ts). After the streams, the skins
// arm: Messages and Responses next to chat on the same gateway (bench/skins.ts). Last, the CPU arm:
// CPU per request against bare, 1,000 accounts against one, large answers (bench/cpu-arm.ts). See bench/README.md.
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { Miniflare } from 'miniflare'
import { closePools, closedLoop, openLoop, send, streamOnce, summarizeStreams, type StreamSample } from './load.ts'
import { cpuMeter, noiseMeter, waitIdle } from './cpu.ts'
import { machineInfo, printFailover, printPhases, printRouting, printTable, summarize, writeResults, type Rounds } from './report.ts'
import {
  bareTarget, buildGateway, compat, directTarget, failoverBindings, gatewayTarget, pinCpus, seedGateway, startBare, startGateway, startUpstream,
  type Target, type TargetName,
} from './targets.ts'
import { runFailover } from './failover.ts'
import { phaseCollector, summarizePhases, type PhaseSummary } from './phases.ts'
import { runRoutingBench } from './routing.ts'
import { printCatalog, runCatalogBench } from './catalog.ts'
import { npmStartConfigFromEnv, printNpmStart, runNpmStart } from './npm-start.ts'
import { upstreamConfigFromEnv } from './upstream.ts'
import { printSkins, runSkins, type SkinsConfig } from './skins.ts'
import { SKINS, skinTarget, type Skin, type SkinTarget } from './targets.ts'
import { bundlesFromEnv, cpuArmConfig, gatewayBuilds, printCpuArm, runCpuArm, type CpuArmResult } from './cpu-arm.ts'
import { distanceConfigFromEnv, printDistance, runDistance } from './distance.ts'

// Miniflare keeps "in-memory" D1 and DO storage as SQLite files under os.tmpdir();
// on this VM's disk every commit waits for fsync, which capped the gateway at
// ~165 req/s. tmpfs keeps the storage in memory (BENCH_TMPDIR=/tmp for disk).
const tmpdir = process.env.BENCH_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : undefined)
if (tmpdir) process.env.TMPDIR = tmpdir

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`)
  return v
}
const config = {
  rates: (process.env.BENCH_RATES ?? '100,200,500').split(',').map(Number).filter((n) => n > 0),
  seconds: num('BENCH_SECONDS', 5),
  cellWarmSeconds: num('BENCH_CELL_WARMUP', 0.5),
  warmupSeconds: num('BENCH_WARMUP', 2),
  rounds: Math.max(1, num('BENCH_ROUNDS', 2)),
  connections: num('BENCH_CONNECTIONS', 16),
  maxSeconds: num('BENCH_MAX_SECONDS', 5),
  streams: num('BENCH_STREAMS', 100),
  streamWarmup: num('BENCH_STREAM_WARMUP', 10),
  failover: {
    n: num('BENCH_FAILOVER_N', 200),
    hangN: num('BENCH_HANG_N', 60),
    breakerN: num('BENCH_BREAKER_N', 100),
    timeoutMs: Math.max(100, num('BENCH_FAILOVER_TIMEOUT_MS', 250)),
    totalMs: Math.max(100, num('BENCH_FAILOVER_TOTAL_MS', 5000)),
    latencyMs: num('FAILOVER_LATENCY_MS', 0),
  },
  ...upstreamConfigFromEnv(),
  ...compat(),
  entrySocket: process.env.BENCH_ENTRY === '1',
  tmpdir: tmpdir ?? 'os default',
  nproc: availableParallelism(),
}

/** BENCH_NPM_START: 1 runs the npm start arm first, 0 skips it, `only` runs nothing else (and writes no results file). */
const npmStartMode = process.env.BENCH_NPM_START ?? '1'
const npmStartConfig = npmStartConfigFromEnv(config)

/** BENCH_SKINS: 1 runs the skins arm after the streams, 0 skips it, `only` runs nothing else (one gateway; no results file). */
const skinsMode = process.env.BENCH_SKINS ?? '1'
const skinsConfig: SkinsConfig = {
  ...config,
  rates: (process.env.BENCH_SKINS_RATES ?? '200').split(',').map(Number).filter((n) => n > 0),
  rounds: Math.max(1, num('BENCH_SKINS_ROUNDS', config.rounds)),
  streams: num('BENCH_SKINS_STREAMS', config.streams),
}

const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`)

const instances: Miniflare[] = []
let upstream: ChildProcess | undefined
let cleaned = false
const cleanup = async () => {
  if (cleaned) return
  cleaned = true
  await closePools()
  await Promise.allSettled(instances.map((mf) => mf.dispose()))
  upstream?.kill('SIGTERM')
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)))
}

/** One JSON completion and one full stream from each target, or exit with the error body. */
const sanityCheck = async (targets: Target[]) => {
  for (const t of targets) {
    try {
      const json = JSON.parse(await send(t, 'json')) as { choices?: { message?: { content?: string } }[] }
      const content = json.choices?.[0]?.message?.content
      if (!content) throw new Error(`no completion in ${JSON.stringify(json).slice(0, 300)}`)
      const s = await streamOnce(t)
      if (s.contentEvents !== config.chunks) throw new Error(`stream had ${s.contentEvents} content events, expected ${config.chunks}`)
      log(`sanity ${t.name}: 200 "${content}", stream ${s.contentEvents} chunks, TTFT ${s.ttft.toFixed(1)} ms`)
    } catch (err) {
      throw new Error(`sanity check failed for ${t.name} (${t.origin}${t.path}): ${(err as Error).message}`)
    }
  }
}

/** BENCH_SKINS=only: the upstream and one gateway, the skins arm, its tables. */
const skinsOnly = async () => {
  log('skins arm only: building the gateway bundle (wrangler deploy --dry-run)')
  const script = buildGateway()
  const up = await startUpstream({
    LATENCY_MS: String(config.latencyMs), TTFT_MS: String(config.ttftMs), CHUNKS: String(config.chunks), CHUNK_GAP_MS: String(config.chunkGapMs),
  })
  upstream = up.child
  const gw = await startGateway(script, up.port)
  instances.push(gw.mf)
  const key = await seedGateway(gw.mf)
  const pinning = pinCpus(gw.pids, up.child.pid)
  const ours = [process.pid, up.child.pid ?? 0, ...gw.pids]
  log(`upstream :${up.port}, gateway ${gw.origin}; pinning: ${pinning}`)
  const targets = Object.fromEntries(SKINS.map((s) => [s, skinTarget(gw.origin, key, s)])) as Record<Skin, SkinTarget>
  const { summary } = await runSkins(targets, skinsConfig, { quiet: () => waitIdle(ours), sutPids: gw.pids, ours, log })
  printSkins(summary, skinsConfig)
}

/** BENCH_DISTANCE=only: the distance bench (bench/distance.ts): the gate 80 and 200 ms away, leases off and on, beside bare. */
const distanceOnly = async () => {
  const started = Date.now()
  const cfg = distanceConfigFromEnv(num)
  log('distance bench: building the gateway bundle (wrangler deploy --dry-run)')
  const script = buildGateway()
  const up = await startUpstream({
    LATENCY_MS: String(config.latencyMs), TTFT_MS: String(config.ttftMs), CHUNKS: String(config.chunks), CHUNK_GAP_MS: String(config.chunkGapMs),
  })
  upstream = up.child
  const summary = await runDistance(script, up.port, cfg, {
    instances, log, pin: (pids) => pinCpus(pids, up.child.pid), quiet: (pids) => waitIdle([...pids, up.child.pid ?? 0]).then(() => undefined),
    upstreamPid: up.child.pid ?? 0,
  })
  printDistance(summary)
  const file = writeResults({ machine: machineInfo(), mode: 'distance', config: { ...config, distance: cfg }, durationSeconds: Math.round((Date.now() - started) / 1000), distance: summary })
  log(`wrote ${file.replace(`${process.cwd()}/`, '')}`)
}

/** BENCH_CPU: 1 runs the CPU arm last (bench/cpu-arm.ts, its own instances), 0 skips it, `only` runs nothing else (no results file). */
const cpuMode = process.env.BENCH_CPU ?? '1'
const cpuArm = (script: string): Promise<CpuArmResult> => runCpuArm([...bundlesFromEnv(), ...gatewayBuilds(script)], cpuArmConfig(), log)

const main = async () => {
  if (skinsMode === 'only') return skinsOnly()
  if (cpuMode === 'only') return printCpuArm(await cpuArm(buildGateway()))
  if (process.env.BENCH_DISTANCE === 'only') return distanceOnly()
  const started = Date.now()
  // Before any other instance exists or anything is pinned to a CPU: as on a user's machine.
  const npmStart = npmStartMode === '0' ? undefined : await runNpmStart(npmStartConfig, log)
  if (npmStart && npmStartMode === 'only') return printNpmStart(npmStart)
  log('building the gateway bundle (wrangler deploy --dry-run)')
  const script = buildGateway()

  const up = await startUpstream({
    LATENCY_MS: String(config.latencyMs), TTFT_MS: String(config.ttftMs), CHUNKS: String(config.chunks), CHUNK_GAP_MS: String(config.chunkGapMs),
  })
  upstream = up.child
  const bare = await startBare(up.port)
  instances.push(bare.mf)
  const gw = await startGateway(script, up.port)
  instances.push(gw.mf)
  const key = await seedGateway(gw.mf)
  // The failover scenario's own gateway: the same bundle plus Groq and Together and short
  // upstream timeouts, so the main gateway's config (and its figures) stay as they were.
  const fo = await startGateway(script, up.port, failoverBindings(up.port, config.failover.timeoutMs, config.failover.totalMs))
  instances.push(fo.mf)
  const foKey = await seedGateway(fo.mf)
  const pinning = pinCpus([...bare.pids, ...gw.pids, ...fo.pids], up.child.pid)
  const upstreamPid = up.child.pid ?? 0
  const sutPids: Record<TargetName, number[]> = { direct: [upstreamPid], bare: bare.pids, gateway: gw.pids }
  const clientPids: Record<TargetName, number[]> = { direct: [process.pid], bare: [process.pid, upstreamPid], gateway: [process.pid, upstreamPid] }
  // Before each measurement: let the last target's deferred work finish (same core).
  const quiet = () => waitIdle([...bare.pids, ...gw.pids, ...fo.pids, upstreamPid])
  // CPU of everything else on this shared machine, recorded with each measurement.
  const ours = [process.pid, upstreamPid, ...bare.pids, ...gw.pids, ...fo.pids]
  const idleNoise = noiseMeter(ours)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const noiseAtStart = idleNoise()
  if (noiseAtStart > 0.2) log(`WARNING: other processes use ${noiseAtStart.toFixed(2)} cores on this ${config.nproc}-core machine; figures will be noisy`)
  const noisy = (n: number) => (n > 0.2 ? ` [noise: others used ${n.toFixed(2)} cores]` : '')
  log(`upstream :${up.port}, bare ${bare.origin}, gateway ${gw.origin}, failover gateway ${fo.origin}; pinning: ${pinning}`)

  const targets: Record<TargetName, Target> = {
    direct: directTarget(up.port), bare: bareTarget(bare.origin), gateway: gatewayTarget(gw.origin, key),
  }
  const all = [targets.direct, targets.bare, targets.gateway]
  await sanityCheck(all)

  // Warm-up: JIT, connection pools, isolate caches (key cache, catalog, DO instances).
  for (const t of all) {
    await openLoop(t, 200, t.name === 'direct' ? Math.min(1, config.warmupSeconds) : config.warmupSeconds, 0)
    await closedLoop(t, config.connections, 0.5, 0)
    for (let i = 0; i < config.streamWarmup; i++) await streamOnce(t)
  }
  log(`warmed up (${((Date.now() - started) / 1000).toFixed(0)} s so far)`)

  const rounds: Rounds = { open: {}, closed: {}, streams: {} }
  const pairFor = (round: number) => (round % 2 === 0 ? [targets.bare, targets.gateway] : [targets.gateway, targets.bare])
  const push = <T>(map: Partial<Record<TargetName, T[]>>, name: TargetName, value: T) => (map[name] ??= []).push(value)

  // (a) Open loop at fixed offered rates. Direct once (the floor), then bare and gateway per round, order alternating.
  // The gateway's Server-Timing headers are kept for the phases table.
  const phaseHeaders = Object.fromEntries(config.rates.map((rate) => [String(rate), phaseCollector()]))
  for (let round = 0; round < config.rounds; round++) {
    for (const rate of config.rates) {
      const cell = (rounds.open[String(rate)] ??= {})
      const order = round === 0 ? [targets.direct, ...pairFor(round)] : pairFor(round)
      for (const t of order) {
        await quiet()
        const noise = noiseMeter(ours)
        const r = await openLoop(t, rate, config.seconds, config.cellWarmSeconds, t.name === 'gateway' ? phaseHeaders[String(rate)]?.onHeaders : undefined)
        r.noise = noise()
        push(cell, t.name, r)
        log(`open r${round + 1} ${rate}/s ${t.name}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, achieved ${r.achieved.toFixed(0)}/s${r.saturated ? ' SATURATED (stopped early)' : ''}, errors ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}${noisy(r.noise)}`)
      }
    }
  }

  // (b) Max req/s, closed loop.
  for (let round = 0; round < config.rounds; round++) {
    const order = round === 0 ? [targets.direct, ...pairFor(round)] : pairFor(round)
    for (const t of order) {
      await quiet()
      await closedLoop(t, config.connections, 0.5, 0) // warm, unmeasured
      const sut = cpuMeter(sutPids[t.name])
      const client = cpuMeter(clientPids[t.name])
      const noise = noiseMeter(ours)
      const r = await closedLoop(t, config.connections, config.maxSeconds, 0)
      r.noise = noise()
      const s = sut()
      r.cpuMsPerReq = s.cpuMs / Math.max(r.ok, 1)
      r.sutUtilization = s.utilization
      r.clientUtilization = client().utilization
      push(rounds.closed, t.name, r)
      log(`max r${round + 1} ${t.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, CPU ${r.cpuMsPerReq.toFixed(3)} ms/req (SUT ${(r.sutUtilization * 100).toFixed(0)}%, client side ${(r.clientUtilization * 100).toFixed(0)}%), errors ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}${noisy(r.noise)}`)
    }
  }

  // (c) Streams, sequential, interleaved one by one (direct on every 5th turn, as the floor).
  await quiet()
  const streamNoise = noiseMeter(ours)
  const samples: Record<TargetName, StreamSample[]> = { direct: [], bare: [], gateway: [] }
  const errors: Record<TargetName, { n: number; first?: string }> = { direct: { n: 0 }, bare: { n: 0 }, gateway: { n: 0 } }
  for (let i = 0; i < config.streams; i++) {
    const order = [...pairFor(i), ...(i % 5 === 0 ? [targets.direct] : [])]
    for (const t of order) {
      try {
        samples[t.name].push(await streamOnce(t))
      } catch (err) {
        errors[t.name].n++
        errors[t.name].first ??= (err as Error).message
      }
    }
  }
  for (const name of ['direct', 'bare', 'gateway'] as const) {
    rounds.streams[name] = summarizeStreams(samples[name], errors[name].n, errors[name].first)
  }
  const streamsNoise = streamNoise()
  log(`streams done${noisy(streamsNoise)}`)

  // (c2) The skins arm: chat, Messages and Responses on the gateway (bench/skins.ts).
  const skinTargets = Object.fromEntries(SKINS.map((s) => [s, skinTarget(gw.origin, key, s)])) as Record<Skin, SkinTarget>
  const skins = skinsMode === '0' ? undefined : await runSkins(skinTargets, skinsConfig, { quiet, sutPids: gw.pids, ours, log })

  // (d) Failover cost, on the failover instance (bench/failover.ts).
  await quiet()
  const failoverNoise = noiseMeter(ours)
  const failover = await runFailover(fo.origin, foKey, config.failover, log)
  const failoverNoiseCores = failoverNoise()
  log(`failover done: +${failover.failover_extra_p50_ms.toFixed(2)} ms per failover, hang detected in +${failover.hang_detect_p50_ms.toFixed(1)} ms${noisy(failoverNoiseCores)}`)

  // (e) Routing cost against catalog size: plan() in this process (Node), workerd idle.
  await quiet()
  const routingNoise = noiseMeter(ours)
  const routing = runRoutingBench()
  const routingNoiseCores = routingNoise()
  log(`routing done${noisy(routingNoiseCores)}`)

  // (f) The catalog: bundle size against Cloudflare's limits, cold-start work, /models (bench/catalog.ts).
  const catalog = await runCatalogBench()
  log('catalog done')

  const phases: Record<string, PhaseSummary> = Object.fromEntries(Object.entries(phaseHeaders).map(([rate, c]) => [rate, summarizePhases(c.headers)]))
  // (g) The CPU arm: CPU per request against bare, 1,000 accounts against one, large answers (bench/cpu-arm.ts).
  const cpu = cpuMode === '0' ? undefined : await cpuArm(script).catch((err: Error) => void log(`cpu arm failed: ${err.stack ?? err.message}`))
  const summary = { ...summarize(rounds), phases, failover, routing, catalog, ...(skins ? { skins: skins.summary } : {}), ...(cpu ? { cpu } : {}) }
  printTable(summary, config)
  printPhases(phases)
  printFailover(failover)
  printRouting(routing)
  printCatalog(catalog)
  if (skins) printSkins(skins.summary, skinsConfig)
  if (npmStart) printNpmStart(npmStart)
  if (cpu) printCpuArm(cpu)
  const file = writeResults({
    machine: machineInfo(), pinning,
    noise: { atStart: noiseAtStart, streams: streamsNoise, failover: failoverNoiseCores, routing: routingNoiseCores },
    config, durationSeconds: Math.round((Date.now() - started) / 1000), summary, rounds,
    ...(skins ? { skins: { config: skinsConfig, rounds: skins.rounds } } : {}),
    npm_start: npmStart && { config: npmStartConfig, ...npmStart },
  })
  log(`wrote ${file.replace(`${process.cwd()}/`, '')} (${((Date.now() - started) / 1000).toFixed(0)} s)`)
}

let code = 0
try {
  await main()
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`)
  code = 1
} finally {
  await cleanup()
}
process.exit(code)
