// The account endpoints, in the shapes @openrouter/sdk parses (docs/compatibility.md#catalog-and-account-endpoints):
// GET /generation, /key (and legacy /auth/key), /credits, /activity.
import { Hono } from 'hono'
import type { KeyRecord } from '../auth/key-cache.ts'
import { dayStart } from '../billing/periods.ts'
import { catalogIndex } from '../catalog/lookup.ts'
import { createDb, createReplicaDb } from '../db/client.ts'
import { dailyActivity } from '../db/queries/usage.ts'
import type { AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { toDollars } from '../lib/money.ts'
import { requireKey } from '../middleware/auth.ts'
import { costDetails } from './generation-cost.ts'
import { iso, usageFields } from './key-object.ts'
import { gateFor } from '../objects/clients.ts'
import { readGeneration } from '../storage/read.ts'
import { appParts, type StoredGeneration } from '../storage/record.ts'
import { generationIdOf } from '../skins/responses/response.ts'

/** A provider's display name: as recorded with the generation, else the catalog's, else its id. */
const providerName = (id: string | null, recorded: string | null = null): string | null =>
  recorded ?? (id === null ? null : catalogIndex().providers.get(id)?.name ?? id)

interface AttemptJson { provider?: string; provider_name?: string; endpoint?: string; model?: string; status?: number | null; latency_ms?: number }

const generationBody = (g: StoredGeneration) => ({
  id: g.id,
  upstream_id: g.upstreamId,
  total_cost: toDollars(g.costMicro),
  usage: toDollars(g.costMicro),
  cache_discount: null,
  upstream_inference_cost: null,
  created_at: new Date(g.createdAt).toISOString(),
  model: g.model,
  app_id: null,
  streamed: g.streamed,
  cancelled: g.cancelled,
  provider_name: providerName(g.providerId, g.providerName),
  latency: g.latencyMs,
  moderation_latency: null,
  generation_time: g.generationTimeMs,
  finish_reason: g.finishReason,
  native_finish_reason: g.nativeFinishReason,
  service_tier: null,
  tokens_prompt: g.tokensPrompt,
  tokens_completion: g.tokensCompletion,
  native_tokens_prompt: g.tokensPrompt,
  native_tokens_completion: g.tokensCompletion,
  native_tokens_completion_images: null,
  native_tokens_reasoning: g.tokensReasoning,
  native_tokens_cached: g.tokensCached,
  num_media_prompt: null,
  num_input_audio_prompt: null,
  num_media_completion: null,
  num_search_results: null,
  num_fetches: null,
  web_search_engine: null,
  origin: g.httpReferer ?? '',
  is_byok: false,
  external_user: g.externalUser,
  api_type: g.apiType,
  preset_id: null,
  // OpenRouter's `router` is the routing model's id (a string; its SDK parses it so): none here.
  router: null,
  // How it was routed (endpoints considered, skipped and why), as the response's openrouter_metadata; kept with the details.
  openrouter_metadata: g.router ?? null,
  cost_details: costDetails(g),
  provider_responses: (g.attempts as AttemptJson[]).map((a) => ({
    endpoint_id: a.endpoint ? `${a.model}@${a.endpoint}` : undefined,
    model_permaslug: a.model,
    provider_name: a.provider_name,
    status: a.status ?? null,
    latency: a.latency_ms,
    is_byok: false,
  })),
  user_agent: g.userAgent,
  http_referer: g.httpReferer,
  app_title: g.appTitle,
  region: g.region,
  data_region: 'global' as const,
  workspace_id: null,
  request_id: null,
  session_id: null,
  response_cache_source_id: null,
})

const keyBody = async (env: Env, key: KeyRecord) => {
  const usage = await gateFor(env, key.accountId).keyUsage(key.accountId, { hash: key.hash, limitMicro: key.limitMicro, limitReset: key.limitReset })
  return {
    label: key.label,
    name: key.name,
    ...usageFields(key.limitMicro, key.limitReset, usage),
    is_free_tier: usage.freeTier,
    is_management_key: key.kind === 'management',
    is_provisioning_key: key.kind === 'management',
    creator_user_id: null,
    expires_at: iso(key.expiresAt),
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    allowed_data_regions: ['global'],
    free_model_daily_requests: usage.free,
    organization_id: null,
    // Key objects of the keys API name the account as their workspace; so does this.
    workspace_id: key.accountId,
  }
}

const ACTIVITY_DAYS = 30

export const account = new Hono<AppEnv>()
  .get('/generation', requireKey('any'), async (c) => {
    const asked = c.req.query('id')
    if (!asked) throw new GatewayError('invalid_request', 'Invalid request: id: a generation id is required')
    // A Responses answer's `resp_…` id names the same generation.
    const id = generationIdOf(asked) ?? asked
    const row = await readGeneration(c.env.DETAILS, createDb(c.env.DB), id, c.var.key.accountId)
    // Generations are written shortly after they finish (a recorder writes them in batches): until then, 404.
    if (!row) throw new GatewayError('not_found', `Generation ${id} not found`)
    return c.json({ data: generationBody(row) })
  })
  .get('/key', requireKey('any'), async (c) => c.json({ data: await keyBody(c.env, c.var.key) }))
  .get('/auth/key', requireKey('any'), async (c) => c.json({ data: await keyBody(c.env, c.var.key) }))
  .get('/credits', requireKey('any'), async (c) => {
    const snap = await gateFor(c.env, c.var.key.accountId).snapshot(c.var.key.accountId)
    return c.json({ data: { total_credits: toDollars(snap.totalCreditsMicro), total_usage: toDollars(snap.totalUsageMicro) } })
  })
  .get('/activity', requireKey('any'), async (c) => {
    const date = c.req.query('date')
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new GatewayError('invalid_request', 'Invalid request: date: expected YYYY-MM-DD')
    const keyHash = c.req.query('api_key_hash')
    const since = dayStart(Date.now()) - ACTIVITY_DAYS * 86_400_000
    const day = date === undefined ? undefined : Date.parse(`${date}T00:00:00Z`)
    if (day !== undefined && Number.isNaN(day)) throw new GatewayError('invalid_request', 'Invalid request: date: expected YYYY-MM-DD')
    // Stale-tolerant: a read replica may answer (createReplicaDb).
    const rows = await dailyActivity(createReplicaDb(c.env.DB), c.var.key.accountId, since, { ...(keyHash ? { keyHash } : {}), ...(day !== undefined ? { day } : {}) })
    return c.json({
      data: rows.map((r) => ({
        date: new Date(r.start).toISOString().slice(0, 10),
        model: r.model,
        model_permaslug: r.model,
        endpoint_id: `${r.model}@${r.providerId ?? 'none'}`,
        provider_name: providerName(r.providerId) ?? '',
        usage: toDollars(Number(r.usageMicro)),
        byok_usage_inference: 0,
        requests: Number(r.requests),
        prompt_tokens: Number(r.promptTokens),
        completion_tokens: Number(r.completionTokens),
        reasoning_tokens: Number(r.reasoningTokens),
        http_referer: appParts(r.app).referer,
        app_title: appParts(r.app).title,
      })),
    })
  })
