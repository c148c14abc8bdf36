// Settlement: the generation record (metadata only, I5) and the one call that
// charges it through the account gate, made in waitUntil after the response.
import type { KeyRecord } from '../auth/key-cache.ts'
import { settleLeased } from '../leases/edge.ts'
import { gateFor } from '../objects/clients.ts'
import { forward, takeConfirmed } from './forward.ts'
import type { SettleInput } from '../objects/gate-types.ts'
import type { FinishReason, Usage } from '../providers/types.ts'
import type { AttemptRecord } from '../routing/attempt.ts'
import type { PlannedAttempt } from '../routing/plan.ts'
import type { ApiType } from '../skins/skin.ts'
import type { GenerationRecord } from '../storage/record.ts'

/** Request facts recorded with every generation, from headers and body. */
export interface RequestFacts {
  model: string
  streamed: boolean
  startedAt: number
  httpReferer: string | null
  appTitle: string | null
  userAgent: string | null
  externalUser: string | null
  /** The generation's api_type (GET /generation): the skin that served; chat and legacy completions are both 'completions'. */
  apiType?: ApiType
}

export interface Outcome {
  served: PlannedAttempt | null
  status: number
  usage: Usage | null
  costMicro: number
  finish: FinishReason | null
  nativeFinish: string | null
  upstreamId: string | null
  cancelled: boolean
  attempts: AttemptRecord[]
  generationTimeMs: number | null
  /** Time to the first token (streams) or to the upstream's first byte, from the request's start; null when none came. */
  ttftMs?: number | null
  /** How the request was routed (routing/metadata.ts), kept with the details. */
  router?: unknown
  endedAt: number
}

export const generationRecord = (id: string, key: KeyRecord, facts: RequestFacts, o: Outcome): GenerationRecord => ({
  id,
  accountId: key.accountId,
  keyHash: key.hash,
  model: o.served?.model.id ?? facts.model,
  providerId: o.served?.provider.id ?? null,
  providerName: o.served?.provider.name ?? null,
  region: o.served?.endpoint.regions[0] ?? null,
  upstreamId: o.upstreamId,
  apiType: facts.apiType ?? 'completions',
  streamed: facts.streamed,
  cancelled: o.cancelled,
  status: o.status,
  finishReason: o.finish,
  nativeFinishReason: o.nativeFinish,
  tokensPrompt: o.usage?.prompt_tokens ?? 0,
  tokensCompletion: o.usage?.completion_tokens ?? 0,
  tokensReasoning: o.usage?.reasoning_tokens ?? 0,
  tokensCached: o.usage?.cached_tokens ?? 0,
  tokensCacheWrite: o.usage?.cache_write_tokens ?? 0,
  costMicro: o.costMicro,
  latencyMs: o.endedAt - facts.startedAt,
  generationTimeMs: o.generationTimeMs,
  ttftMs: o.ttftMs ?? null,
  attempts: o.attempts,
  ...(o.router !== undefined ? { router: o.router } : {}),
  httpReferer: facts.httpReferer,
  appTitle: facts.appTitle,
  userAgent: facts.userAgent,
  externalUser: facts.externalUser,
  createdAt: facts.startedAt,
})

/**
 * Settlements of one account wait this long to share a round trip. The request that
 * opens a batch sends it from its own waitUntil, so a batch is as durable as a lone
 * settlement was; the others return at once (a promise shared across requests could hang them).
 */
export const SETTLE_BATCH_MS = 5
const batches = new Map<string, SettleInput[]>()

/** Charge (or, at cost 0, just record) one generation; the gate drops its hold. Exactly once by id (I2). */
export const settle = async (env: Env, record: GenerationRecord, idempotent?: SettleInput['idempotent']): Promise<void> => {
  // A leased generation's charge goes into the isolate's lease journal instead (leases/edge.ts).
  const leased = settleLeased(env, record)
  if (leased && leased !== 'exact') return leased
  const input: SettleInput = { accountId: record.accountId, generationId: record.id, record, ...(idempotent ? { idempotent } : {}) }
  const open = batches.get(record.accountId)
  if (open) {
    open.push(input)
    return
  }
  const batch = [input]
  batches.set(record.accountId, batch)
  await new Promise((resolve) => setTimeout(resolve, SETTLE_BATCH_MS))
  batches.delete(record.accountId)
  const settled = await gateFor(env, record.accountId).settleForwarded(batch, takeConfirmed(record.accountId))
  // The charged records go on to the recorder from here (billing/forward.ts), gathered with other accounts'.
  if (settled.batch !== null) {
    const charged = batch.filter((_, i) => settled.results[i]?.charged).map((b) => b.record)
    await forward(env, settled.recorder, record.accountId, settled.batch, charged)
  }
}
