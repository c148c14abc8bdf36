// Phases of a gateway request, from its `Server-Timing` header (src/app.ts: hono's
// timing middleware; auth, plan, admission, upstream and total, in ms). Collected
// from the gateway's open-loop cells at no extra run time: each counted successful
// answer's header is kept, and summarized per offered rate.
//
// workerd's clock (Date.now, performance.now) steps in whole milliseconds, so each
// phase reads as a whole number of ms: p50/p99 are coarse, and a phase far shorter
// than 1 ms (plan; auth from the isolate's key cache) mostly reads 0. Phase starts
// fall at random against the clock's ticks, so the *mean* over many answers is the
// estimate of a sub-millisecond phase. (Locally the clock does advance during CPU
// work; deployed Workers freeze it between I/O, where pure-CPU phases always read 0.)
// plan()'s own cost is measured in Node, in bench/routing.ts.
import { percentile, type Headers } from './load.ts'

export const PHASES = ['auth', 'plan', 'admission', 'upstream', 'total'] as const
export type Phase = (typeof PHASES)[number]

/** `auth;dur=0.1, plan;dur=0, upstream;desc="upstream first byte";dur=21` → {auth: 0.1, plan: 0, upstream: 21}. */
export const parseServerTiming = (header: string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const entry of header.split(',')) {
    const [name, ...params] = entry.split(';').map((s) => s.trim())
    if (!name) continue
    for (const p of params) {
      const m = /^dur=([0-9.eE+-]+)$/.exec(p)
      if (m) out[name] = Number(m[1])
    }
  }
  return out
}

export interface PhaseFigures {
  p50: number
  p99: number
  mean: number
  /** Answers that carried this phase (plan and admission are absent on a replay or a denial). */
  n: number
}

export interface PhaseSummary {
  /** Answers sampled (each with a Server-Timing header). */
  n: number
  phases: Partial<Record<Phase, PhaseFigures>>
  /** total − (auth + plan + admission + upstream), per answer: body parsing, rendering, middleware, the clock's granularity. */
  rest: PhaseFigures | null
}

/** Keeps the raw header strings of a run (cheap in the load client's hot loop); summarize later. */
export const phaseCollector = () => {
  const headers: string[] = []
  return {
    headers,
    onHeaders: (h: Headers) => {
      const v = h['server-timing']
      if (v !== undefined) headers.push(Array.isArray(v) ? v.join(', ') : v)
    },
  }
}

const figures = (values: number[]): PhaseFigures | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, n: sorted.length }
}

export const summarizePhases = (headers: string[]): PhaseSummary => {
  const parsed = headers.map(parseServerTiming)
  const phases: PhaseSummary['phases'] = {}
  for (const phase of PHASES) {
    const f = figures(parsed.flatMap((p) => (p[phase] === undefined ? [] : [p[phase] as number])))
    if (f) phases[phase] = f
  }
  const rest = figures(parsed.flatMap((p) => {
    if (p.total === undefined) return []
    return [p.total - (p.auth ?? 0) - (p.plan ?? 0) - (p.admission ?? 0) - (p.upstream ?? 0)]
  }))
  return { n: parsed.length, phases, rest }
}
