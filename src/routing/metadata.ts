// PURE: `openrouter_metadata` (docs/compatibility.md#router-metadata), sent when the request opts in with
// `X-OpenRouter-Metadata: enabled`: what was asked, how it was routed, every
// endpoint considered, and why each skipped one was skipped.
import type { AttemptRecord } from './attempt.ts'
import type { Plan, PlannedAttempt } from './plan.ts'

type Planned = Extract<Plan, { ok: true }>

export const routerMetadata = (plan: Planned, records: AttemptRecord[], served: PlannedAttempt | null) => {
  const reasons = [...new Set(plan.skipped.map((s) => s.reason))]
  const where = served ? `${served.provider.name} (${served.endpoint.regions.join(', ')})` : 'no endpoint'
  return {
    requested: plan.requested,
    strategy: plan.strategy,
    region: served?.endpoint.regions[0] ?? null,
    summary:
      `${plan.attempts.length} of ${plan.candidates} endpoints eligible` +
      (reasons.length ? `, ${plan.skipped.length} skipped (${reasons.join(', ')})` : '') +
      `; served by ${where} on attempt ${records.length}`,
    attempt: records.length,
    is_byok: false,
    endpoints: {
      total: plan.candidates,
      available: plan.attempts.map((a) => ({
        provider: a.provider.name, tag: a.endpoint.tag ?? a.provider.id, model: a.model.id, regions: a.endpoint.regions, selected: a === served,
      })),
    },
    attempts: records.map((r) => ({ model: r.model, provider: r.provider_name, status: r.status, latency_ms: r.latency_ms, ...(r.error ? { error: r.error } : {}) })),
    skipped: plan.skipped,
  }
}

export const wantsMetadata = (header: string | undefined | null): boolean => header?.toLowerCase() === 'enabled'
