// Provider health: one Durable Object per provider endpoint. It keeps exponentially
// weighted success rate, latency and time to first token from fire-and-forget
// reports sent after responses. (Routing reads it through an isolate snapshot.)
import { DurableObject } from 'cloudflare:workers'

export interface HealthReport {
  ok: boolean
  latencyMs: number
  /** Upstream time to first byte, when the attempt got that far. */
  ttfbMs?: number
  at: number
}

export interface HealthSnapshot {
  samples: number
  successRate: number
  latencyMs: number | null
  ttfbMs: number | null
  lastFailureAt: number | null
}

/** Weight of a new sample in the moving averages. */
const ALPHA = 0.1

export class ProviderHealth extends DurableObject<Env> {
  private health: HealthSnapshot = { samples: 0, successRate: 1, latencyMs: null, ttfbMs: null, lastFailureAt: null }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    void ctx.blockConcurrencyWhile(async () => {
      this.health = (await ctx.storage.get<HealthSnapshot>('health')) ?? this.health
    })
  }

  async report(r: HealthReport): Promise<void> {
    const h = this.health
    const ewma = (prev: number | null, value: number) => (prev === null ? value : prev + ALPHA * (value - prev))
    this.health = {
      samples: h.samples + 1,
      successRate: h.samples === 0 ? Number(r.ok) : h.successRate + ALPHA * (Number(r.ok) - h.successRate),
      latencyMs: r.ok ? ewma(h.latencyMs, r.latencyMs) : h.latencyMs,
      ttfbMs: r.ok && r.ttfbMs !== undefined ? ewma(h.ttfbMs, r.ttfbMs) : h.ttfbMs,
      lastFailureAt: r.ok ? h.lastFailureAt : r.at,
    }
    await this.ctx.storage.put('health', this.health)
  }

  async snapshot(): Promise<HealthSnapshot> {
    return this.health
  }
}
