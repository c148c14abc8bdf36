// The skins arm: what the Anthropic Messages and OpenAI Responses skins cost next to chat.
// The same request (one user message, 50 output tokens, openai/gpt-4o-mini) goes through
// /chat/completions, /messages and /responses of the one gateway instance to the one fake
// upstream, so the canonical request, the upstream's work and its answer are the same and
// only the skin's decoding and encoding differ. Skins are interleaved (the order rotates each
// round, each stream), and each figure is compared with chat's of the same round.
import { cpuMeter, noiseMeter } from './cpu.ts'
import { closedLoop, median, openLoop, send, streamOnce, summarizeStreams, type ClosedLoopResult, type OpenLoopResult, type StreamResult, type StreamSample } from './load.ts'
import { parseServerTiming, phaseCollector } from './phases.ts'
import { SKINS, type Skin, type SkinTarget } from './targets.ts'

export interface SkinsConfig {
  rates: number[]
  seconds: number
  cellWarmSeconds: number
  warmupSeconds: number
  rounds: number
  connections: number
  maxSeconds: number
  streams: number
  streamWarmup: number
  chunks: number
  latencyMs: number
  ttftMs: number
  chunkGapMs: number
}

export interface SkinsDeps {
  /** Waits until the gateway (and everything of ours) is idle. */
  quiet: () => Promise<unknown>
  /** The gateway's workerd processes, for CPU per request. */
  sutPids: number[]
  /** Every process of ours, for the noise figure. */
  ours: number[]
  log: (msg: string) => void
}

/** One open-loop cell, with the gateway's own time from Server-Timing (total − upstream, mean over answers). */
type OpenCell = OpenLoopResult & { ownMs: number }

interface SkinRounds {
  open: Record<string, Record<Skin, OpenCell[]>>
  closed: Record<Skin, ClosedLoopResult[]>
  streams: Record<Skin, StreamResult>
}

/** The answer's text, per skin: a sanity check that each skin really answered. */
const textOf = (skin: Skin, body: string): string | undefined => {
  const json = JSON.parse(body) as Record<string, unknown> & {
    choices?: { message?: { content?: string } }[]
    content?: { type: string; text?: string }[]
    output_text?: string
  }
  if (skin === 'chat') return json.choices?.[0]?.message?.content
  if (skin === 'messages') return json.content?.find((b) => b.type === 'text')?.text
  return json.output_text
}

/** `skins` in an order that rotates with `i`, so no skin always runs first (or right after another). */
const rotation = (i: number): Skin[] => SKINS.map((_, k) => SKINS[(i + k) % SKINS.length] as Skin)

const bySkin = <T>(make: (skin: Skin) => T): Record<Skin, T> => ({ chat: make('chat'), messages: make('messages'), responses: make('responses') })
const perSkin = <T>(make: () => T): Record<Skin, T> => bySkin(() => make())

const ownMean = (headers: string[]): number => {
  const own = headers.map(parseServerTiming).flatMap((p) => (p.total === undefined ? [] : [p.total - (p.upstream ?? 0)]))
  return own.length ? own.reduce((s, x) => s + x, 0) / own.length : NaN
}

/** Every skin answers one JSON request with text and one stream with every chunk, or the arm stops with the body. */
const sanityCheck = async (targets: Record<Skin, SkinTarget>, chunks: number, log: SkinsDeps['log']) => {
  for (const skin of SKINS) {
    const t = targets[skin]
    try {
      const text = textOf(skin, await send(t, 'json'))
      if (!text) throw new Error('no text in the answer')
      const s = await streamOnce(t)
      if (s.contentEvents !== chunks) throw new Error(`stream had ${s.contentEvents} content deltas, expected ${chunks}`)
      log(`sanity ${skin}: 200 "${text}", stream ${s.contentEvents} deltas, TTFT ${s.ttft.toFixed(1)} ms`)
    } catch (err) {
      throw new Error(`skins arm: sanity check failed for ${skin} (${t.path}): ${(err as Error).message}`)
    }
  }
}

export const runSkins = async (targets: Record<Skin, SkinTarget>, cfg: SkinsConfig, deps: SkinsDeps) => {
  const { quiet, log } = deps
  await sanityCheck(targets, cfg.chunks, log)
  for (const skin of SKINS) {
    const t = targets[skin]
    await openLoop(t, 200, cfg.warmupSeconds, 0)
    await closedLoop(t, cfg.connections, 0.5, 0)
    for (let i = 0; i < cfg.streamWarmup; i++) await streamOnce(t)
  }
  log('skins arm: warmed up')

  const rounds: SkinRounds = { open: {}, closed: perSkin(() => []), streams: perSkin(() => ({}) as StreamResult) }
  for (let round = 0; round < cfg.rounds; round++) {
    for (const rate of cfg.rates) {
      const cell = (rounds.open[String(rate)] ??= perSkin(() => []))
      for (const skin of rotation(round)) {
        await quiet()
        const noise = noiseMeter(deps.ours)
        const phases = phaseCollector()
        const r = await openLoop(targets[skin], rate, cfg.seconds, cfg.cellWarmSeconds, phases.onHeaders)
        r.noise = noise()
        cell[skin].push({ ...r, ownMs: ownMean(phases.headers) })
        log(`skins open r${round + 1} ${rate}/s ${skin}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, own ${ownMean(phases.headers).toFixed(2)} ms, errors ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}, noise ${r.noise.toFixed(2)}`)
      }
    }
  }
  for (let round = 0; round < cfg.rounds; round++) {
    for (const skin of rotation(round)) {
      await quiet()
      await closedLoop(targets[skin], cfg.connections, 0.5, 0) // warm, unmeasured
      const sut = cpuMeter(deps.sutPids)
      const noise = noiseMeter(deps.ours)
      const r = await closedLoop(targets[skin], cfg.connections, cfg.maxSeconds, 0)
      r.noise = noise()
      const s = sut()
      r.cpuMsPerReq = s.cpuMs / Math.max(r.ok, 1)
      r.sutUtilization = s.utilization
      rounds.closed[skin].push(r)
      log(`skins max r${round + 1} ${skin}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, CPU ${r.cpuMsPerReq.toFixed(3)} ms/req, errors ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}, noise ${r.noise.toFixed(2)}`)
    }
  }
  await quiet()
  const samples = perSkin((): StreamSample[] => [])
  const errors = perSkin((): { n: number; first?: string } => ({ n: 0 }))
  for (let i = 0; i < cfg.streams; i++) {
    for (const skin of rotation(i)) {
      try {
        samples[skin].push(await streamOnce(targets[skin]))
      } catch (err) {
        errors[skin].n++
        errors[skin].first ??= (err as Error).message
      }
    }
  }
  for (const skin of SKINS) rounds.streams[skin] = summarizeStreams(samples[skin], errors[skin].n, errors[skin].first)
  log('skins arm: streams done')
  return { rounds, summary: summarizeSkins(rounds) }
}

const med = <T>(rows: T[], f: (r: T) => number): number => (rows.length ? median(rows.map(f)) : NaN)
/** The median over rounds of one skin's figure divided by chat's of the same round. */
const vsChat = <T>(rows: Record<Skin, T[]>, skin: Skin, f: (r: T) => number): number =>
  median(rows[skin].map((x, i) => f(x) / f(rows.chat[i] as T)))

export const summarizeSkins = (r: SkinRounds) => {
  const open = Object.fromEntries(Object.entries(r.open).map(([rate, cell]) => [rate, bySkin((skin) => ({
    p50: med(cell[skin], (x) => x.p50),
    p99: med(cell[skin], (x) => x.p99),
    own_ms: med(cell[skin], (x) => x.ownMs),
    ratio_p50: vsChat(cell, skin, (x) => x.p50),
    ratio_p99: vsChat(cell, skin, (x) => x.p99),
    ratio_own: vsChat(cell, skin, (x) => x.ownMs),
    errors: cell[skin].reduce((s, x) => s + x.errors, 0),
    max_noise_cores: Math.max(...cell[skin].map((x) => x.noise ?? 0)),
  }))]))
  const closed = bySkin((skin) => ({
    rps: med(r.closed[skin], (x) => x.rps),
    p50: med(r.closed[skin], (x) => x.p50),
    cpu_ms_per_req: med(r.closed[skin], (x) => x.cpuMsPerReq ?? NaN),
    ratio_rps: vsChat(r.closed, skin, (x) => x.rps),
    ratio_cpu: vsChat(r.closed, skin, (x) => x.cpuMsPerReq ?? NaN),
    errors: r.closed[skin].reduce((s, x) => s + x.errors, 0),
    max_noise_cores: Math.max(...r.closed[skin].map((x) => x.noise ?? 0)),
  }))
  const streams = bySkin((skin) => {
    const s = r.streams[skin]
    return { ...s, ratio_ttft_p50: s.ttftP50 / r.streams.chat.ttftP50, delta_ttft_p50_ms: s.ttftP50 - r.streams.chat.ttftP50 }
  })
  return { open, closed, streams }
}
export type SkinsSummary = ReturnType<typeof summarizeSkins>

const f = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits))
const pad = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n')
}
/** Within 10% of chat: the issue's bar for a skin's overhead. */
const BAR = 1.1

export const printSkins = (s: SkinsSummary, cfg: SkinsConfig) => {
  const lines: string[] = []
  lines.push(`\nSkins: the same request through chat, Messages and Responses (one gateway, one fake upstream); median of ${cfg.rounds} round(s), each skin ÷ chat of its round`)
  for (const [rate, cell] of Object.entries(s.open)) {
    lines.push(`Open loop ${rate}/s, non-stream (upstream latency ${cfg.latencyMs} ms); ms. own = Server-Timing total − upstream (mean): the gateway's own time`)
    const rows = [['skin', 'p50', 'p99', 'p50 ÷ chat', 'p99 ÷ chat', 'own', 'own ÷ chat', 'errors', 'noise']]
    for (const skin of SKINS) {
      const x = cell[skin]
      rows.push([skin, f(x.p50), f(x.p99), f(x.ratio_p50, 3), f(x.ratio_p99, 3), f(x.own_ms), f(x.ratio_own, 3), String(x.errors), f(x.max_noise_cores)])
    }
    lines.push(pad(rows))
  }
  lines.push(`Closed loop (${cfg.connections} connections, upstream latency 0): CPU per request of the gateway's workerd`)
  const closed = [['skin', 'req/s', 'p50 ms', 'CPU ms/req', 'req/s ÷ chat', 'CPU ÷ chat', 'errors', 'noise']]
  for (const skin of SKINS) {
    const x = s.closed[skin]
    closed.push([skin, f(x.rps, 0), f(x.p50), f(x.cpu_ms_per_req, 3), f(x.ratio_rps, 3), f(x.ratio_cpu, 3), String(x.errors), f(x.max_noise_cores)])
  }
  lines.push(pad(closed))
  lines.push(`Streams, sequential, skins interleaved (upstream TTFT ${cfg.ttftMs} ms, ${cfg.chunks} chunks ${cfg.chunkGapMs} ms apart); ms`)
  const st = [['skin', 'n', 'TTFT p50', 'TTFT p99', 'total p50', 'spread p50', 'deltas', 'TTFT ÷ chat', 'errors']]
  for (const skin of SKINS) {
    const x = s.streams[skin]
    st.push([skin, String(x.n), f(x.ttftP50), f(x.ttftP99), f(x.totalP50), f(x.spreadP50), f(x.contentEvents, 0), f(x.ratio_ttft_p50, 3), String(x.errors)])
  }
  lines.push(pad(st))
  for (const skin of ['messages', 'responses'] as const) {
    const cpu = s.closed[skin].ratio_cpu
    const own = Object.values(s.open).map((c) => c[skin].ratio_own)
    lines.push(`  ${skin}: CPU per request ${f(cpu, 3)}× chat's, own time ${own.map((x) => `${f(x, 3)}×`).join(', ')}: ${cpu <= BAR ? 'within' : 'NOT within'} 10% of chat (CPU)`)
  }
  console.log(lines.join('\n'))
}
