// A V8 CPU profile of the gateway's isolate (the Worker and its Durable Objects; D1 runs
// in a service of its own) under the CPU arm's closed loop, summed by function and by
// source module. Where the next millisecond is: `npm run bench:profile`.
//   PROFILE_MODE=one|spread (default one): one account's key, or 2 keys each of SPREAD_ACCOUNTS;
//   PROFILE_SECONDS (default 8); PROFILE_SETTINGS=K=V+K=V (e.g. LEASES=on); BENCH_BUNDLE=<index.js>
//   profiles another build; PROFILE_TOP (default 30) rows per table.
// The profiler's sampling adds its own cost: compare shares within one profile, and time
// changes with `node bench/cpu-arm.ts`.
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { BODY_MAX, closedLoop, fanOut, freePort, seedSpread, startInspected, type Load } from './cpu-arm.ts'
import { connectInspector } from './inspector.ts'
import { buildGateway, pinCpus, seedGateway, startUpstream } from './targets.ts'

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const mode = process.env.PROFILE_MODE ?? 'one'
const seconds = Number(process.env.PROFILE_SECONDS ?? 8)
const top = Number(process.env.PROFILE_TOP ?? 30)
const settings = Object.fromEntries((process.env.PROFILE_SETTINGS ?? '').split('+').filter(Boolean).map((kv) => kv.split('=') as [string, string]))
const accounts = Number(process.env.SPREAD_ACCOUNTS ?? 1000)

/** The bundle's `// src/…` markers (esbuild writes one before each module), to name a line's module. */
const modulesOf = (script: string) => {
  const marks: { line: number; module: string }[] = []
  readFileSync(script, 'utf8').split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:src|node_modules)\/\S+)/.exec(text)
    if (m) marks.push({ line: i, module: m[1]!.replace(/^node_modules\/(\.pnpm\/)?/, 'npm:').replace(/^(npm:(@[^/]+\/)?[^/]+).*/, '$1') })
  })
  return (line: number): string => {
    let lo = 0, hi = marks.length - 1, found = '?'
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (marks[mid]!.line <= line) { found = marks[mid]!.module; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }
}

/** Self and inclusive sample counts, by function (name, module, line) and by module. */
export const summarize = (profile: Profile, moduleAt: (line: number) => string) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: Node) => {
    const { functionName, url, lineNumber } = n.callFrame
    if (!url) return functionName || '(anon)'
    const where = url.endsWith('index.js') ? `${moduleAt(lineNumber)}:${lineNumber + 1}` : url
    return `${functionName || '(anon)'} ${where}`
  }
  const moduleOf = (n: Node) => (n.callFrame.url.endsWith('index.js') ? moduleAt(n.callFrame.lineNumber) : n.callFrame.functionName || '(native)')
  const self = new Map<string, number>(), incl = new Map<string, number>(), mods = new Map<string, number>()
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)
  for (const id of profile.samples) {
    const leaf = byId.get(id)!
    bump(self, label(leaf))
    bump(mods, moduleOf(leaf))
    const seen = new Set<string>()
    for (let n: Node | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      const l = label(n)
      if (!seen.has(l)) { seen.add(l); bump(incl, l) }
    }
  }
  const total = profile.samples.length
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
  return { total, self: rows(self), inclusive: rows(incl), modules: rows(mods) }
}

const main = async () => {
  // Storage in memory, as the bench's (bench/run.ts): on disk every commit waits for fsync.
  process.env.TMPDIR = process.env.BENCH_TMPDIR ?? (existsSync('/dev/shm') ? '/dev/shm' : process.env.TMPDIR)
  const script = process.env.BENCH_BUNDLE ?? buildGateway()
  const up = await startUpstream({ LATENCY_MS: '20', TTFT_MS: '50', CHUNKS: '20', CHUNK_GAP_MS: '10' })
  const inspectorPort = await freePort()
  const gw = await startInspected(script, up.port, inspectorPort, settings)
  try {
    const auth = (key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${key}` })
    // seedGateway applies the migrations too.
    const oneKey = await seedGateway(gw.mf)
    const keys = mode === 'spread' ? await seedSpread(gw.mf, accounts) : [oneKey]
    const load: Load = { origin: gw.origin, path: '/api/v1/chat/completions', headers: keys.map(auth), body: BODY_MAX('openai/gpt-4o-mini') }
    if (availableParallelism() >= 2) console.log(`pinning: ${pinCpus(gw.pids, up.child.pid)}`)
    // Warm-up: every key once (its cache entry, its account's gate), then the JIT.
    await fanOut(load, keys.length, 16)
    await closedLoop(load, 16, 2)
    const inspector = await connectInspector(inspectorPort, () => fetch(`${gw.origin}/healthz`).then((r) => r.arrayBuffer()))
    await inspector.call('Profiler.enable')
    await inspector.call('Profiler.setSamplingInterval', { interval: 100 })
    await inspector.call('Profiler.start')
    const r = await closedLoop(load, 16, seconds)
    const { profile } = await inspector.call<{ profile: Profile }>('Profiler.stop', {}, 60_000)
    inspector.close()
    const s = summarize(profile, modulesOf(script))
    console.log(`mode ${mode}${Object.keys(settings).length ? ` ${JSON.stringify(settings)}` : ''}: ${(r.ok / seconds).toFixed(0)} req/s, ${r.errors} errors, ${s.total} samples`)
    console.log('--- self, by module\n' + s.modules.join('\n'))
    console.log('--- self, by function\n' + s.self.join('\n'))
    console.log('--- inclusive\n' + s.inclusive.join('\n'))
  } finally {
    await gw.mf.dispose()
    up.child.kill('SIGTERM')
  }
}

await main()
