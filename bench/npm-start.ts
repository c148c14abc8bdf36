// The npm start arm: what a user's first load test meets. The gateway is started exactly
// as `npm start` starts it (node scripts/start.ts, its own process, its state directory on
// the disk like the default .wrangler/state, no CPU pinning), then fake/echo (the built-in
// fake, latency 0) at a fixed rate in an open loop. BENCH_NPM_START_WATCH=1 starts it as
// `npm run dev` (wrangler dev) instead, for comparison.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from '../scripts/local-gateway.ts'
import { freePort, spawnStart } from '../scripts/spawn-start.ts'
import { descendantPids, noiseMeter } from './cpu.ts'
import { median, openLoop, send, type LoadTarget, type OpenLoopResult } from './load.ts'

// The user's TMPDIR, read before bench/run.ts points it at /dev/shm for its own instances.
const USER_TMPDIR = process.env.TMPDIR

/** This process's environment as a user's shell had it. */
const userEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  if (USER_TMPDIR === undefined) delete env.TMPDIR
  else env.TMPDIR = USER_TMPDIR
  return env
}

export interface NpmStartConfig {
  rate: number
  seconds: number
  /** Unmeasured lead-in of each round (s). */
  cellWarmSeconds: number
  /** Unmeasured warm-up at the rate before the first round (s). */
  warmupSeconds: number
  rounds: number
  /** Start it as `npm run dev` (wrangler dev, --watch). */
  watch: boolean
  /** The directory the state directory is made in (default: .wrangler, on the disk). */
  stateParent: string
}

export const npmStartConfigFromEnv = (base: { seconds: number; cellWarmSeconds: number; warmupSeconds: number; rounds: number }): NpmStartConfig => ({
  rate: Number(process.env.BENCH_NPM_START_RATE ?? 100),
  seconds: base.seconds,
  cellWarmSeconds: base.cellWarmSeconds,
  warmupSeconds: base.warmupSeconds,
  rounds: base.rounds,
  watch: process.env.BENCH_NPM_START_WATCH === '1',
  stateParent: process.env.BENCH_NPM_START_STATE ?? join(ROOT, '.wrangler'),
})

/** The issue's bar for a user's first load test at 100 req/s: the gateway, not the dev tooling. */
export const NPM_START_TARGET = { p50: 30, p99: 100 }

export interface NpmStartResult {
  command: string
  rate: number
  /** From spawning npm start to its banner (s): build, workerd, migrations, seed. */
  startup_s: number
  p50: number
  p90: number
  p99: number
  achieved: number
  errors: number
  max_noise_cores: number
  meets_target: boolean
  rounds: OpenLoopResult[]
}

const target = (origin: string, key: string): LoadTarget => {
  const body = { model: 'fake/echo', max_tokens: 50, messages: [{ role: 'user', content: 'hello [[fake latency_ms=0]]' }] }
  return {
    name: 'npm start', origin, path: '/api/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    bodies: { json: JSON.stringify(body), max: JSON.stringify(body), stream: JSON.stringify({ ...body, stream: true }) },
  }
}

export const runNpmStart = async (config: NpmStartConfig, log: (msg: string) => void): Promise<NpmStartResult> => {
  mkdirSync(config.stateParent, { recursive: true })
  const state = mkdtempSync(join(config.stateParent, 'bench-npm-start-'))
  const port = await freePort()
  const args = [...(config.watch ? ['--watch'] : []), '--port', String(port), '--persist-to', state]
  const command = `node scripts/start.ts ${args.join(' ').replace(state, relative(ROOT, state) || state)}`
  const started = performance.now()
  const gateway = spawnStart(args, { env: userEnv() })
  try {
    const banner = await gateway.ready
    const startupS = (performance.now() - started) / 1000
    log(`${command}: ready in ${startupS.toFixed(1)} s`)
    const t = target(new URL(banner.baseURL).origin, banner.apiKey)
    const answer = JSON.parse(await send(t, 'json')) as { choices?: { message?: { content?: string } }[] }
    if (!answer.choices?.[0]?.message?.content) throw new Error(`npm start: no completion in ${JSON.stringify(answer).slice(0, 300)}`)
    await openLoop(t, config.rate, config.warmupSeconds, 0)
    const rounds: OpenLoopResult[] = []
    for (let round = 0; round < config.rounds; round++) {
      const noise = noiseMeter([process.pid, gateway.child.pid ?? 0, ...descendantPids(gateway.child.pid ?? 0)])
      const r = await openLoop(t, config.rate, config.seconds, config.cellWarmSeconds)
      r.noise = noise()
      rounds.push(r)
      log(`npm start r${round + 1} ${config.rate}/s: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, achieved ${r.achieved.toFixed(0)}/s, errors ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}${(r.noise ?? 0) > 0.2 ? ` [noise: others used ${(r.noise ?? 0).toFixed(2)} cores]` : ''}`)
    }
    const med = (f: (r: OpenLoopResult) => number) => median(rounds.map(f))
    const p50 = med((r) => r.p50)
    const p99 = med((r) => r.p99)
    const errors = rounds.reduce((sum, r) => sum + r.errors, 0)
    return {
      command, rate: config.rate, startup_s: startupS, p50, p90: med((r) => r.p90), p99, achieved: med((r) => r.achieved), errors,
      max_noise_cores: Math.max(...rounds.map((r) => r.noise ?? 0)),
      meets_target: config.rate === 100 && errors === 0 && p50 <= NPM_START_TARGET.p50 && p99 <= NPM_START_TARGET.p99,
      rounds,
    }
  } finally {
    await gateway.stop()
    rmSync(state, { recursive: true, force: true })
  }
}

export const printNpmStart = (r: NpmStartResult) => {
  const f = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(2))
  const verdict = r.rate !== 100 ? '' : `   target at 100/s p50 ≤ ${NPM_START_TARGET.p50}, p99 ≤ ${NPM_START_TARGET.p99}: ${r.meets_target ? 'met' : 'NOT met'}`
  console.log(
    [
      `\nnpm start, as a user starts it (${r.command}; ready in ${r.startup_s.toFixed(1)} s), fake/echo with latency 0, open loop; ms, median of ${r.rounds.length} round(s)`,
      `  ${r.rate}/s: p50 ${f(r.p50)}  p90 ${f(r.p90)}  p99 ${f(r.p99)}  achieved ${r.achieved.toFixed(0)}/s  errors ${r.errors}  noise ${r.max_noise_cores.toFixed(2)} cores${verdict}`,
      `  rounds: p50 ${r.rounds.map((x) => f(x.p50)).join(', ')}; p99 ${r.rounds.map((x) => f(x.p99)).join(', ')}`,
    ].join('\n'),
  )
}
