// Summaries across rounds (medians; the machine is shared and noisy), the
// printed table, and the JSON record under bench/results/.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { median, type ClosedLoopResult, type OpenLoopResult, type StreamResult } from './load.ts'
import { ROOT, type TargetName } from './targets.ts'
import { FAILOVER_CLASSES, FAILOVER_MODEL, type FailoverClass, type FailoverResult } from './failover.ts'
import { PHASES, type PhaseFigures, type PhaseSummary } from './phases.ts'
import type { RoutingResult } from './routing.ts'

export interface Rounds {
  /** open[rate][target] = one result per round (direct: first round only). */
  open: Record<string, Partial<Record<TargetName, OpenLoopResult[]>>>
  closed: Partial<Record<TargetName, ClosedLoopResult[]>>
  streams: Partial<Record<TargetName, StreamResult>>
}

const med = <T>(rows: T[] | undefined, f: (r: T) => number): number => (rows?.length ? median(rows.map(f)) : NaN)
const pairwise = <T>(gw: T[] | undefined, bare: T[] | undefined, f: (g: T, b: T) => number): number =>
  gw && bare ? median(gw.slice(0, bare.length).map((g, i) => f(g, bare[i] as T))) : NaN

/** Per scenario, the median over rounds of each figure and of each round's gateway−bare difference. */
export const summarize = (r: Rounds) => {
  const open = Object.fromEntries(Object.entries(r.open).map(([rate, t]) => {
    const fig = (name: TargetName) => t[name] && {
      p50: med(t[name], (x) => x.p50), p90: med(t[name], (x) => x.p90), p99: med(t[name], (x) => x.p99),
      achieved: med(t[name], (x) => x.achieved), errors: t[name]!.reduce((s, x) => s + x.errors, 0),
      saturated_rounds: t[name]!.filter((x) => x.saturated).length,
      late_p99_ms: med(t[name], (x) => x.lateP99),
    }
    const noise = Math.max(...Object.values(t).flat().map((x) => x?.noise ?? 0))
    return [rate, {
      direct: fig('direct'), bare: fig('bare'), gateway: fig('gateway'),
      ratio_p50: pairwise(t.gateway, t.bare, (g, b) => g.p50 / b.p50),
      ratio_p99: pairwise(t.gateway, t.bare, (g, b) => g.p99 / b.p99),
      delta_p50_ms: pairwise(t.gateway, t.bare, (g, b) => g.p50 - b.p50),
      delta_p99_ms: pairwise(t.gateway, t.bare, (g, b) => g.p99 - b.p99),
      bare_minus_direct_p50_ms: t.direct && t.bare ? med(t.bare, (x) => x.p50) - med(t.direct, (x) => x.p50) : NaN,
      max_noise_cores: noise,
    }]
  }))
  const rps = (name: TargetName) => med(r.closed[name], (x) => x.rps)
  const cpu = (name: TargetName) => med(r.closed[name], (x) => x.cpuMsPerReq ?? NaN)
  const util = (name: TargetName, f: (x: ClosedLoopResult) => number | undefined) => med(r.closed[name], (x) => f(x) ?? NaN)
  const closed = {
    direct: rps('direct'), bare: rps('bare'), gateway: rps('gateway'),
    ratio: pairwise(r.closed.gateway, r.closed.bare, (g, b) => g.rps / b.rps),
    cpu_ms_per_req: { direct: cpu('direct'), bare: cpu('bare'), gateway: cpu('gateway') },
    cpu_ratio: pairwise(r.closed.gateway, r.closed.bare, (g, b) => (g.cpuMsPerReq ?? NaN) / (b.cpuMsPerReq ?? NaN)),
    sut_utilization: { direct: util('direct', (x) => x.sutUtilization), bare: util('bare', (x) => x.sutUtilization), gateway: util('gateway', (x) => x.sutUtilization) },
    client_utilization: { direct: util('direct', (x) => x.clientUtilization), bare: util('bare', (x) => x.clientUtilization), gateway: util('gateway', (x) => x.clientUtilization) },
    errors: Object.values(r.closed).flat().reduce((s, x) => s + (x?.errors ?? 0), 0),
  }
  const s = r.streams
  const streams = {
    ...s,
    delta_ttft_p50_ms: (s.gateway?.ttftP50 ?? NaN) - (s.bare?.ttftP50 ?? NaN),
    delta_ttft_p99_ms: (s.gateway?.ttftP99 ?? NaN) - (s.bare?.ttftP99 ?? NaN),
    delta_total_p50_ms: (s.gateway?.totalP50 ?? NaN) - (s.bare?.totalP50 ?? NaN),
    ratio_ttft_p50: (s.gateway?.ttftP50 ?? NaN) / (s.bare?.ttftP50 ?? NaN),
  }
  return { open, closed, streams }
}
export type Summary = ReturnType<typeof summarize>

const f = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits))
const sign = (n: number, digits = 2) => (Number.isNaN(n) ? '–' : `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`)
const pad = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n')
}

export const printTable = (s: Summary, cfg: { rounds: number; latencyMs: number; ttftMs: number; chunks: number; chunkGapMs: number; connections: number }) => {
  const lines: string[] = []
  lines.push(`\nOpen loop, non-stream (upstream latency ${cfg.latencyMs} ms); ms, median of ${cfg.rounds} round(s); direct measured once`)
  const open = [['rate/s', 'direct p50/p99', 'bare p50/p99', 'gateway p50/p99', 'gw/bare p50', 'Δp50', 'Δp99', 'achieved b/g', 'errors b/g', 'noise']]
  type Fig = Summary['open'][string]['bare']
  const cell = (x: Fig) => (x ? `${f(x.p50)} / ${f(x.p99)}${x.saturated_rounds ? ' SAT' : ''}` : '–')
  for (const [rate, o] of Object.entries(s.open)) {
    open.push([
      rate, cell(o.direct), cell(o.bare), cell(o.gateway),
      `${f(o.ratio_p50, 3)}×`, sign(o.delta_p50_ms), sign(o.delta_p99_ms), `${f(o.bare?.achieved, 0)}/${f(o.gateway?.achieved, 0)}`,
      `${o.bare?.errors ?? '–'}/${o.gateway?.errors ?? '–'}`, f(o.max_noise_cores),
    ])
  }
  lines.push(pad(open))
  lines.push('SAT: saturated in some round (over a second behind; the cell stopped early). noise: most CPU other processes used in a cell, in cores.')
  lines.push(`\nMax req/s, closed loop (${cfg.connections} connections, upstream latency 0); median of rounds`)
  const c = s.closed
  const pct = (n: number) => (Number.isNaN(n) ? '–' : `${(n * 100).toFixed(0)}%`)
  lines.push(pad([
    ['', 'direct', 'bare', 'gateway', 'gw/bare'],
    ['req/s', f(c.direct, 0), f(c.bare, 0), f(c.gateway, 0), `${f(c.ratio, 3)}×`],
    ['SUT CPU ms/req', f(c.cpu_ms_per_req.direct, 3), f(c.cpu_ms_per_req.bare, 3), f(c.cpu_ms_per_req.gateway, 3), `${f(c.cpu_ratio, 2)}×`],
    ['SUT core busy', pct(c.sut_utilization.direct), pct(c.sut_utilization.bare), pct(c.sut_utilization.gateway), ''],
    ['client+upstream busy', pct(c.client_utilization.direct), pct(c.client_utilization.bare), pct(c.client_utilization.gateway), ''],
  ]))
  lines.push(`errors: ${c.errors}. SUT = workerd for bare/gateway (incl. local D1 and DOs), the upstream for direct; a SUT core under ~90% means the client side capped req/s.`)
  lines.push(`\nStreams, sequential (upstream TTFT ${cfg.ttftMs} ms, ${cfg.chunks} chunks ${cfg.chunkGapMs} ms apart); ms`)
  const st = [['target', 'n', 'TTFT p50', 'TTFT p99', 'total p50', 'spread p50', 'content ev', 'reads', 'errors']]
  for (const name of ['direct', 'bare', 'gateway'] as const) {
    const x = s.streams[name]
    if (x) st.push([name, String(x.n), f(x.ttftP50), f(x.ttftP99), f(x.totalP50), f(x.spreadP50), f(x.contentEvents, 0), f(x.readsP50, 0), String(x.errors)])
  }
  lines.push(pad(st))
  lines.push(`gateway − bare: ΔTTFT p50 ${sign(s.streams.delta_ttft_p50_ms)} ms, p99 ${sign(s.streams.delta_ttft_p99_ms)} ms, Δtotal p50 ${sign(s.streams.delta_total_p50_ms)} ms (TTFT ratio ${f(s.streams.ratio_ttft_p50, 3)}×)`)
  lines.push('\nTargets (full path under Miniflare, local D1 + DO):')
  const at200 = s.open['200']
  lines.push(`  req/s ≥ 0.5× bare: ${f(s.closed.ratio, 3)}× ${s.closed.ratio >= 0.5 ? 'met' : 'NOT met'}`)
  lines.push(`  ΔTTFT p50 ≤ 1 ms: ${sign(s.streams.delta_ttft_p50_ms)} ms ${s.streams.delta_ttft_p50_ms <= 1 ? 'met' : 'NOT met'}`)
  if (at200) {
    lines.push(`  (code-only target, informative here) Δp50 ≤ 0.5 ms and Δp99 ≤ 2 ms at 200/s: ${sign(at200.delta_p50_ms)} / ${sign(at200.delta_p99_ms)} ms`)
  }
  console.log(lines.join('\n'))
}

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export const machineInfo = () => {
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown'
  const pkg = (p: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version
  return {
    commit: sh('git', ['rev-parse', '--short', 'HEAD']),
    dirty: sh('git', ['status', '--porcelain', '--', 'src', 'migrations', 'wrangler.toml']) !== '',
    workerd: pkg('workerd'),
    miniflare: pkg('miniflare'),
    wrangler: pkg('wrangler'),
    node: process.version,
    nproc: Number(sh('nproc', ['--all'])), // --all: this process is pinned to one CPU by now
    cpu: cpuModel,
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
  }
}

/** bench/results/<ISO date>-<short commit>.json */
export const writeResults = (record: { machine: ReturnType<typeof machineInfo> } & Record<string, unknown>): string => {
  const dir = join(ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')
  const file = join(dir, `${stamp}-${record.machine.commit}.json`)
  writeFileSync(file, `${JSON.stringify(record, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2)}\n`)
  return file
}

/** Phases from Server-Timing, per offered rate (bench/phases.ts). */
export const printPhases = (phases: Record<string, PhaseSummary>) => {
  const lines: string[] = []
  lines.push('\nGateway phases from Server-Timing, open-loop cells (all rounds); ms: mean (p50/p99)')
  const cols = [...PHASES.filter((p) => p !== 'total'), 'rest', 'total'] as const
  const rows = [['rate/s', 'n', ...cols]]
  for (const [rate, s] of Object.entries(phases)) {
    const cell = (x: PhaseFigures | null | undefined) => (x ? `${f(x.mean)} (${f(x.p50, 0)}/${f(x.p99, 0)})` : '–')
    rows.push([rate, String(s.n), ...cols.map((c) => cell(c === 'rest' ? s.rest : s.phases[c]))])
  }
  lines.push(pad(rows))
  lines.push('admission = the account gate round trip (one DO call, the only storage wait before the upstream). upstream = the attempt loop')
  lines.push('to the end of the upstream body. rest = total − the named phases (body parse, render, middleware). workerd\'s clock steps')
  lines.push('in whole ms, so p50/p99 are whole ms and the mean over many answers is the estimate of a sub-ms phase. plan()\'s own')
  lines.push('cost is in the routing table.')
  console.log(lines.join('\n'))
}

/** Failover cost (bench/failover.ts). */
export const printFailover = (r: FailoverResult) => {
  const c = r.config
  const lines: string[] = []
  lines.push(`\nFailover (M6): sequential, ${FAILOVER_MODEL}, provider.order [groq, together], fake upstream delay ${c.latencyMs} ms, first-byte timeout ${c.timeoutMs} ms, total ${c.totalMs} ms; ms`)
  const names: Record<FailoverClass, string> = {
    baseline: '(a) no fault: Groq serves',
    status500: '(b) Groq 500 → Together',
    hang: '(c) Groq hangs → Together',
    hangStream: "(c') the same, client streams",
    stall: '(e) Groq headers, then nothing',
    breakerOpen: '(d) Groq breaker open → Together',
  }
  const rows = [['case', 'n', 'p50', 'p90', 'p99', 'Δp50 vs (a)', 'ST upstream', 'ST total', 'failed attempt', 'unexpected', 'errors']]
  for (const cls of FAILOVER_CLASSES) {
    const x = r.classes[cls]
    rows.push([
      names[cls], String(x.n), f(x.p50), f(x.p90), f(x.p99), cls === 'baseline' ? '' : sign(x.p50 - r.classes.baseline.p50),
      f(x.upstreamMean), f(x.totalMean), f(x.failedAttemptMean), String(x.unexpected), String(x.errors),
    ])
  }
  lines.push(pad(rows))
  lines.push(`one failover adds ${sign(r.failover_extra_p50_ms)} ms p50 (${sign(r.failover_extra_p99_ms)} ms p99); a hung provider is detected and`)
  lines.push(`failed over in ${sign(r.hang_detect_p50_ms)} ms p50 (${sign(r.hang_detect_p99_ms)} p99), i.e. timeout ${sign(r.hang_overhead_p50_ms)} ms, client not streaming;`)
  lines.push(`${sign(r.hang_stream_detect_p50_ms)} ms p50 (${sign(r.hang_stream_detect_p99_ms)} p99) streaming; headers then silence: ${sign(r.stall_detect_p50_ms)} ms p50 (${sign(r.stall_detect_p99_ms)} p99). With Groq's breaker open`)
  lines.push(`(opened after ${r.requests_to_open_breaker ?? '–'} failures in a row) a request costs ${sign(r.breaker_open_extra_p50_ms)} ms p50 against (a): the failover avoided.`)
  const bad = FAILOVER_CLASSES.filter((k) => r.classes[k].unexpected || r.classes[k].errors)
  for (const k of bad) lines.push(`WARNING ${k}: ${r.classes[k].unexpected} answers not routed as expected, ${r.classes[k].errors} errors; first: ${r.classes[k].firstUnexpected ?? '–'}`)
  lines.push('p50..p99: client-side, send to end of body. ST upstream / total and failed attempt: means of the gateway\'s own Server-Timing')
  lines.push('and of the Groq attempt\'s recorded latency (workerd\'s clock steps in whole ms). (a) and (b) alternate 2:1 (then (a) and (c), (c\'), (e)),')
  lines.push('so Groq never fails twice in a row and its breaker stays closed; each answer\'s openrouter_metadata is checked against its case.')
  console.log(lines.join('\n'))
}

/** plan() cost against catalog size (bench/routing.ts). */
export const printRouting = (r: RoutingResult) => {
  const lines: string[] = []
  lines.push('\nRouting: plan() in Node on synthetic catalogs (4 endpoints per model); µs per call, median (fastest) batch')
  const us = (x: { median: number; min: number }) => `${f(x.median / 1000)} (${f(x.min / 1000)})`
  const rows = [['models', 'endpoints', 'direct', 'models: [3]', 'auto, glob of 10', 'CatalogSchema.parse ms', 'buildIndex ms']]
  for (const row of r.rows) {
    rows.push([String(row.models), String(row.endpoints), us(row.plan_ns.direct), us(row.plan_ns.models3), us(row.plan_ns.auto10), f(row.parse_ms), f(row.build_index_ms, 3)])
  }
  lines.push(pad(rows))
  lines.push(`direct at 1,000 models / at 10: ${f(r.direct_growth_1000_vs_10)}× (flat = ~1; issue 4 asks that routing not grow with the catalog).`)
  lines.push(`auto router at 1,000 / 10: ${f(r.auto_growth_1000_vs_10)}×: the allow-list's models are memoized per catalog, so it scans only those (flat = ~1).`)
  lines.push('parse and buildIndex run once per isolate.')
  console.log(lines.join('\n'))
}
