// The steps of the inference pipeline (inference.ts runs them in order for every
// skin): the upstream transport, plan errors, model checks, request facts, admission
// with Idempotency-Key replays, settlement records, usage estimates and health learning.
import type { Context } from 'hono'
import { endTime, startTime } from 'hono/timing'
import { admit, denial, type Admission, type DenialContext } from '../billing/admission.ts'
import { generationRecord, settle, type Outcome, type RequestFacts } from '../billing/settle.ts'
import { catalogIndex, providerConfigs, type CatalogIndex } from '../catalog/lookup.ts'
import type { Provider } from '../catalog/schema.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { contentLogFor } from './content-log.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { leaseAdmit, leasePump } from '../leases/edge.ts'
import type { Replay } from '../objects/gate-types.ts'
import { gateFor } from '../objects/clients.ts'
import { fakeUpstream } from '../providers/fake.ts'
import type { Usage } from '../providers/types.ts'
import type { ProviderPreferences } from '../schemas/chat-request.ts'
import type { AttemptRecord, Transport } from '../routing/attempt.ts'
import { isAutoRouter } from '../routing/auto.ts'
import { routerMetadata } from '../routing/metadata.ts'
import { healthView, probeAllowed, refreshStale, reportAttempts, reportsFromAttempts } from '../routing/health.ts'
import { endpointKey, plan, type Plan, type PlanError, type PlanInput } from '../routing/plan.ts'
import { parseRegions } from '../routing/regions.ts'
import { resolveModel } from '../routing/variants.ts'
import type { ApiType } from '../skins/skin.ts'

export const transportFor = (provider: Provider): Transport =>
  provider.protocol === 'fake' ? (url, init) => fakeUpstream(new Request(url, init)) : (url, init) => fetch(url, init)

/** How long a duplicate Idempotency-Key request waits for the first one to finish. */
export const IDEMPOTENT_WAIT_MS = 30_000

export const planError = (e: PlanError): GatewayError => {
  switch (e.kind) {
    case 'no_model':
      return new GatewayError('invalid_request', 'Invalid request: model: a model (or models) is required')
    case 'unknown_model':
      return new GatewayError('unknown_model', `${e.model} is not a valid model ID`)
    case 'no_endpoints': {
      const reasons = [...new Set(e.skipped.map((s) => s.reason))]
      const region = e.regions && reasons.includes('region') ? ` in required region ${e.regions.join(', ')}` : ''
      const breaker = reasons.length === 1 && reasons[0] === 'breaker_open'
      return new GatewayError(breaker ? 'unavailable' : 'no_endpoints',
        `No endpoints found for ${e.models.join(', ')}${region}${reasons.length ? ` (excluded by: ${reasons.join(', ')})` : ''}.`, {
          metadata: { skipped: e.skipped, ...(e.regions ? { required_regions: e.regions } : {}) },
        })
    }
  }
}

/** What a skin's models must produce: text (chat, completions, messages, responses) or embeddings. */
export type Modality = 'text' | 'embeddings'

/** `model` first, then the `models` fallbacks, without repeats; each must suit the skin. */
export const requestedModels = (req: { model?: string | null | undefined; models?: string[] | null | undefined }, route: Modality): string[] => {
  const models = [...new Set([req.model, ...(req.models ?? [])].filter((m): m is string => !!m))]
  requireModality(models, catalogIndex(), route)
  return models
}

/**
 * Embedding models serve /embeddings only, and text models everything else: a
 * mismatch is a 400 naming the right route (unknown ids are left to the planner).
 */
export const requireModality = (models: string[], index: CatalogIndex, route: Modality): void => {
  for (const id of models) {
    if (isAutoRouter(id)) {
      if (route === 'embeddings') throw new GatewayError('invalid_request', `${id} routes chat requests only: use /api/v1/chat/completions`)
      continue
    }
    const model = resolveModel(id, index)?.model
    if (!model) continue
    const embeds = model.output_modalities.includes('embeddings')
    if (route === 'embeddings' && !embeds) {
      throw new GatewayError('invalid_request', `${id} is not an embedding model (its output_modalities lack "embeddings"); use /api/v1/chat/completions for it`)
    }
    if (route !== 'embeddings' && embeds) throw new GatewayError('invalid_request', `${id} is an embedding model: use /api/v1/embeddings`)
  }
}

/** Soft and hard region wishes from headers and the provider object (docs/routing.md#regions); a bad code is a 400. */
export const regionsOf = (c: Context<AppEnv>, prefs: ProviderPreferences | null | undefined) => {
  const prefer = parseRegions([c.req.header('x-provider-region'), ...(prefs?.region ?? [])])
  const only = parseRegions([c.req.header('x-provider-region-only'), ...(prefs?.region_only ?? [])])
  const bad = [...prefer.invalid, ...only.invalid][0]
  if (bad !== undefined) throw new GatewayError('invalid_request', `Invalid region "${bad}": use two-letter continent (na, eu, as…) or country (us, de…) codes`)
  return { prefer: prefer.regions, only: only.regions }
}

/** The caller's edge location, for breaking ties toward nearby endpoints. */
export const callerOf = (c: Context<AppEnv>): PlanInput['caller'] => {
  const cf = c.req.raw.cf as { continent?: string; country?: string } | undefined
  return cf?.continent ? { continent: cf.continent.toLowerCase(), ...(cf.country ? { country: cf.country.toLowerCase() } : {}) } : undefined
}

/** Usage the upstream did not report, estimated (about four characters a token) so billing is never skipped. */
export const estimateUsage = (promptTokens: number, completionChars: number): Usage => ({
  prompt_tokens: promptTokens,
  completion_tokens: Math.ceil(completionChars / 4),
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
})

export interface FactsSource {
  model?: string | undefined
  models?: string[] | undefined
  stream?: boolean | null | undefined
  user?: string | null | undefined
}

export const requestFacts = (c: Context<AppEnv>, req: FactsSource, startedAt: number, apiType: ApiType): RequestFacts => ({
  model: req.model ?? req.models?.[0] ?? '',
  streamed: req.stream === true,
  startedAt,
  httpReferer: c.req.header('http-referer') ?? null,
  appTitle: c.req.header('x-openrouter-title') ?? c.req.header('x-title') ?? null,
  userAgent: c.req.header('user-agent') ?? null,
  externalUser: req.user ?? null,
  apiType,
})

export const replayResponse = (r: Replay['replay']) =>
  new Response(r.body, { status: r.status, headers: { 'content-type': r.contentType, 'idempotent-replayed': 'true' } })

/** Idempotency-Key: scoped to the API key; the same key with another body is refused. */
export const idempotencyOf = async (c: Context<AppEnv>, rawBody: string) => {
  const idemKey = c.req.header('idempotency-key')
  return idemKey ? { id: `${c.var.key.hash}:${idemKey}`, bodyHash: await sha256Hex(rawBody) } : undefined
}

/**
 * The account gate's hold: the one blocking round trip before the upstream (I4).
 * Returns a replayed response for a repeated Idempotency-Key; throws the denial otherwise.
 */
export const admitOrReplay = async (c: Context<AppEnv>, admission: Admission, ctx: Omit<DenialContext, 'now'>): Promise<Response | undefined> => {
  startTime(c, 'admission')
  // Under a credit lease (leases/edge.ts) admission is in memory: no round trip before the upstream.
  const leased = leaseAdmit(configOf(c.env), c.var.key, admission, (c.req.raw.cf as { colo?: string } | undefined)?.colo)
  if (leased === 'leased') {
    endTime(c, 'admission')
    c.executionCtx.waitUntil(leasePump(c.env, false))
    return undefined
  }
  const admitted = await admit(c.env, c.var.key, admission)
  endTime(c, 'admission')
  // The exact path's demand asks for a lease, from waitUntil (a key's first request, or a lease that ran out).
  if (leased === 'exact' && admitted.ok) c.executionCtx.waitUntil(leasePump(c.env, true))
  if (admitted.ok) return undefined
  if (admitted.reason === 'idempotency_replay') return replayResponse(admitted.replay)
  if (admitted.reason === 'idempotency_in_flight' && admission.idempotency) {
    const replay = await gateFor(c.env, c.var.key.accountId).awaitIdempotent(admission.idempotency.id, IDEMPOTENT_WAIT_MS)
    if (replay) return replayResponse(replay)
  }
  throw denial(admitted, { ...ctx, now: Date.now() })
}

/**
 * Settles one generation; a successful response is stored for Idempotency-Key replays.
 * With the plan, its router metadata goes into the generation's details (R2). With the raw
 * request body, its prompt and completion are stored too when content logging is on
 * (api/content-log.ts; `logsContent` tells a stream to assemble its text); a bad
 * X-Switchboard-Log-Content header throws its 400 here, before admission.
 */
export const recorder = (c: Context<AppEnv>, id: string, facts: RequestFacts, idempotency: Admission['idempotency'], planned?: Planned, raw?: string) => {
  const content = raw === undefined ? undefined : contentLogFor(c, id, raw)
  const record = (o: Outcome, response?: { status: number; contentType: string; body: string }, streamedText?: string) => {
    if (content) c.executionCtx.waitUntil(content.store(streamedText !== undefined ? { text: streamedText } : response ? { body: response.body } : null))
    return settle(
      c.env,
      generationRecord(id, c.var.key, facts, planned ? { ...o, router: routerMetadata(planned, o.attempts, o.served) } : o),
      idempotency && response ? { id: idempotency.id, ...response } : undefined,
    )
  }
  return Object.assign(record, { logsContent: content !== undefined })
}

export type Planned = Extract<Plan, { ok: true }>

/** plan() with what every route adds: regions, the caller's location and the isolate's health view. A failure throws. */
export const planFor = (
  c: Context<AppEnv>,
  input: Pick<PlanInput, 'models' | 'prefs' | 'promptTokens' | 'maxTokens' | 'needs' | 'route' | 'auto'>,
): Planned => {
  const now = Date.now()
  const index = catalogIndex()
  const caller = callerOf(c)
  startTime(c, 'plan')
  const planned = plan({
    ...input,
    now,
    health: healthView(now),
    probe: (k) => probeAllowed(k, now),
    regions: regionsOf(c, input.prefs),
    ...(caller ? { caller } : {}),
  }, index, providerConfigs(c.env, index), Math.random)
  endTime(c, 'plan')
  if (!planned.ok) throw planError(planned.error)
  return planned
}

/**
 * Health is learned after the response, never awaited before an upstream call (I4):
 * stale candidates are refreshed and the finished attempts reported.
 */
export const learnHealth = (
  c: Context<AppEnv>, planned: Planned, records: AttemptRecord[],
  served?: Parameters<typeof reportsFromAttempts>[2],
) => {
  const candidates = [
    ...planned.attempts.map(endpointKey),
    ...planned.skipped.filter((s) => s.reason === 'breaker_open').map((s) => `${s.model}@${s.provider}`),
  ]
  c.executionCtx.waitUntil(refreshStale(c.env, candidates, Date.now()))
  if (records.length) c.executionCtx.waitUntil(reportAttempts(c.env, reportsFromAttempts(records, Date.now(), served)))
}
