// POST /chat/completions: validate → plan → admit → forward → respond → settle.
import { Hono, type Context } from 'hono'
import { endTime, setMetric, startTime } from 'hono/timing'
import { admit, denial, holdFor, maxOutputFor } from '../billing/admission.ts'
import { affordableOutput, costOf, estimatePromptTokens, type Cost } from '../billing/pricing.ts'
import { generationRecord, settle, type Outcome, type RequestFacts } from '../billing/settle.ts'
import { catalogIndex, providerConfigs } from '../catalog/lookup.ts'
import type { Provider } from '../catalog/schema.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { generationId } from '../lib/ids.ts'
import { fromDollars } from '../lib/money.ts'
import { requireKey } from '../middleware/auth.ts'
import { gateFor } from '../objects/clients.ts'
import type { Replay } from '../objects/account-gate.ts'
import { fakeUpstream } from '../providers/fake.ts'
import type { Usage } from '../providers/types.ts'
import { ChatRequest } from '../schemas/chat-request.ts'
import { runAttempts, type Transport } from '../routing/attempt.ts'
import { routerMetadata, wantsMetadata } from '../routing/metadata.ts'
import { needsOf } from '../routing/needs.ts'
import { healthView, probeAllowed, refreshStale, reportAttempts, reportsFromAttempts } from '../routing/health.ts'
import { endpointKey, plan, type PlanError, type PlannedAttempt } from '../routing/plan.ts'
import { parseRegions } from '../routing/regions.ts'
import { parseEvents, SSE_HEADERS } from '../streaming/sse.ts'
import { translateStream } from '../streaming/translate.ts'
import { completionBody, type GenerationMeta } from './chat-render.ts'
import { parseBody } from './request.ts'

const transportFor = (provider: Provider): Transport => (provider.protocol === 'fake' ? fakeUpstream : (r) => fetch(r))

/** How long a duplicate Idempotency-Key request waits for the first one to finish. */
const IDEMPOTENT_WAIT_MS = 30_000

const planError = (e: PlanError): GatewayError => {
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

/** Usage the upstream did not report, estimated (about four characters a token) so billing is never skipped. */
const estimateUsage = (promptTokens: number, completionChars: number): Usage => ({
  prompt_tokens: promptTokens,
  completion_tokens: Math.ceil(completionChars / 4),
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
})

const requestFacts = (c: Context<AppEnv>, req: ChatRequest, startedAt: number): RequestFacts => ({
  model: req.model ?? req.models?.[0] ?? '',
  streamed: req.stream === true,
  startedAt,
  httpReferer: c.req.header('http-referer') ?? null,
  appTitle: c.req.header('x-openrouter-title') ?? c.req.header('x-title') ?? null,
  userAgent: c.req.header('user-agent') ?? null,
  externalUser: req.user ?? null,
})

const replayResponse = (r: Replay['replay']) =>
  new Response(r.body, { status: r.status, headers: { 'content-type': r.contentType, 'idempotent-replayed': 'true' } })

/**
 * `max_cost` (USD) caps each attempt's output so the request cannot cost more:
 * the upstream stops at the cap and the response ends with finish_reason "length".
 */
const outputCap = (a: PlannedAttempt, maxCostMicro: number | undefined, promptTokens: number, requested: number | undefined, markupBps: number) => {
  const max = maxOutputFor(a, requested)
  if (maxCostMicro === undefined) return requested
  return Math.min(max, affordableOutput(maxCostMicro, promptTokens, a.endpoint.pricing, markupBps))
}

export const chat = new Hono<AppEnv>().post('/chat/completions', requireKey('inference'), async (c) => {
  const startedAt = Date.now()
  const config = configOf(c.env)
  const key = c.var.key
  const raw = await c.req.text()
  const req = parseBody(raw, ChatRequest)

  startTime(c, 'plan')
  const index = catalogIndex()
  const models = [...new Set([req.model, ...(req.models ?? [])].filter((m): m is string => !!m))]
  const promptTokens = estimatePromptTokens(JSON.stringify(req.messages))
  const requested = req.max_completion_tokens ?? req.max_tokens ?? undefined
  const prefer = parseRegions([c.req.header('x-provider-region'), ...(req.provider?.region ?? [])])
  const only = parseRegions([c.req.header('x-provider-region-only'), ...(req.provider?.region_only ?? [])])
  const badRegion = [...prefer.invalid, ...only.invalid][0]
  if (badRegion !== undefined) throw new GatewayError('invalid_request', `Invalid region "${badRegion}": use two-letter continent (na, eu, as…) or country (us, de…) codes`)
  const cf = c.req.raw.cf as { continent?: string; country?: string } | undefined
  const autoPlugin = (req.plugins as { id?: string; allowed_models?: string[]; excluded_models?: string[] }[] | undefined)?.find((p) => p?.id === 'auto-router')
  const now = Date.now()
  const planned = plan({
    models,
    now,
    health: healthView(now),
    probe: (k) => probeAllowed(k, now),
    prefs: req.provider,
    route: req.route,
    promptTokens,
    maxTokens: requested,
    needs: needsOf(req),
    regions: { prefer: prefer.regions, only: only.regions },
    ...(cf?.continent ? { caller: { continent: cf.continent.toLowerCase(), ...(cf.country ? { country: cf.country.toLowerCase() } : {}) } } : {}),
    auto: { allowed: autoPlugin?.allowed_models ?? config.AUTO_ROUTER_MODELS, excluded: autoPlugin?.excluded_models ?? [] },
  }, index, providerConfigs(c.env, index), Math.random)
  endTime(c, 'plan')
  if (!planned.ok) throw planError(planned.error)
  const metadata = wantsMetadata(c.req.header('x-openrouter-metadata') ?? c.req.header('x-openrouter-experimental-metadata'))

  const maxCostMicro = req.max_cost ? fromDollars(req.max_cost) : undefined
  const cap = (a: PlannedAttempt) => outputCap(a, maxCostMicro, promptTokens, requested, config.MARKUP_BPS)
  const attempts = maxCostMicro === undefined ? planned.attempts : planned.attempts.filter((a) => (cap(a) ?? 1) > 0)
  if (attempts.length === 0) {
    throw new GatewayError('payment_required', `max_cost ${req.max_cost} USD does not cover the prompt on any endpoint`, { metadata: { limit: 'max_cost', max: req.max_cost } })
  }

  const id = generationId(startedAt)
  c.header('x-generation-id', id)
  const facts = requestFacts(c, req, startedAt)
  // Idempotency-Key: scoped to the API key; the same key with another body is refused.
  const idemKey = c.req.header('idempotency-key')
  const idempotency = idemKey ? { id: `${key.hash}:${idemKey}`, bodyHash: await sha256Hex(raw) } : undefined
  const record = (o: Outcome, response?: { status: number; contentType: string; body: string }) =>
    settle(c.env, generationRecord(id, key, facts, o), idempotency && response ? { id: idempotency.id, ...response } : undefined)

  startTime(c, 'admission')
  const { holdMicro, dearest } = holdFor(attempts, promptTokens, requested, config.MARKUP_BPS)
  const admitted = await admit(c.env, key, {
    generationId: id,
    holdMicro: maxCostMicro === undefined ? holdMicro : Math.min(holdMicro, maxCostMicro),
    promptTokens,
    free: attempts[0]?.model.id.endsWith(':free') ?? false,
    ...(idempotency ? { idempotency } : {}),
  })
  endTime(c, 'admission')
  if (!admitted.ok) {
    if (admitted.reason === 'idempotency_replay') return replayResponse(admitted.replay)
    if (admitted.reason === 'idempotency_in_flight' && idempotency) {
      const replay = await gateFor(c.env, key.accountId).awaitIdempotent(idempotency.id, IDEMPOTENT_WAIT_MS)
      if (replay) return replayResponse(replay)
    }
    throw denial(admitted, { dearest, promptTokens, requested, markupBps: config.MARKUP_BPS, now: Date.now() })
  }

  startTime(c, 'upstream', 'upstream first byte')
  const outcome = await runAttempts(attempts, req, {
    stream: req.stream === true,
    transportFor,
    prepare: (a, r) => {
      const max = cap(a)
      return max === undefined || max === requested ? r : { ...r, max_tokens: max, max_completion_tokens: undefined }
    },
    timeoutMs: req.stream ? config.UPSTREAM_TTFB_TIMEOUT_MS : config.UPSTREAM_TIMEOUT_MS,
    signal: c.req.raw.signal,
    now: Date.now,
  })
  endTime(c, 'upstream')
  // Health is learned after the response, never awaited before an upstream call (I4).
  const candidates = [
    ...planned.attempts.map(endpointKey),
    ...planned.skipped.filter((s) => s.reason === 'breaker_open').map((s) => `${s.model}@${s.provider}`),
  ]
  c.executionCtx.waitUntil(refreshStale(c.env, candidates, Date.now()))
  // A stream's served attempt is reported when the stream ends (time to first token, throughput).
  const settledNow = outcome.ok && outcome.kind === 'stream' ? outcome.records.slice(0, -1) : outcome.ok ? [] : outcome.records
  if (settledNow.length) c.executionCtx.waitUntil(reportAttempts(c.env, reportsFromAttempts(settledNow, Date.now())))

  const base = { cancelled: false, attempts: outcome.records, upstreamId: null, generationTimeMs: null }
  if (!outcome.ok) {
    // Nothing was served: record the attempts at no charge, which also drops the hold.
    c.executionCtx.waitUntil(record({
      ...base, served: null, status: outcome.error.status, usage: null, costMicro: 0, finish: null, nativeFinish: null, endedAt: Date.now(),
    }))
    throw metadata ? outcome.error.withBody({ openrouter_metadata: routerMetadata(planned, outcome.records, null) }) : outcome.error
  }

  const served = outcome.attempt
  const meta: GenerationMeta = { id, created: Math.floor(startedAt / 1000), model: served.model.id, provider: served.provider.name }
  c.header('x-provider', served.provider.id)
  c.header('x-provider-region', served.endpoint.regions[0])
  const price = (usage: Usage, finish: Parameters<typeof costOf>[3]): Cost => costOf(usage, served.endpoint.pricing, config.MARKUP_BPS, finish)

  if (outcome.kind === 'json') {
    const body = outcome.body
    const first = body.choices[0]
    const usage = body.usage ?? estimateUsage(promptTokens, (first?.message.content?.length ?? 0) + (first?.message.reasoning?.length ?? 0))
    const cost = price(usage, first?.finish_reason ?? null)
    const json = JSON.stringify({
      ...completionBody(meta, body, usage, cost),
      ...(metadata ? { openrouter_metadata: routerMetadata(planned, outcome.records, served) } : {}),
    })
    c.executionCtx.waitUntil(reportAttempts(c.env, reportsFromAttempts(outcome.records, Date.now(), {
      ttftMs: outcome.ttfbMs, completionTokens: usage.completion_tokens, generationMs: outcome.ttfbMs,
    })))
    c.executionCtx.waitUntil(record({
      ...base, served, status: 200, usage, costMicro: cost.total, upstreamId: body.upstreamId,
      finish: first?.finish_reason ?? null, nativeFinish: first?.native_finish_reason ?? null,
      generationTimeMs: outcome.ttfbMs, endedAt: Date.now(),
    }, { status: 200, contentType: 'application/json', body: json }))
    return c.body(json, 200, { 'content-type': 'application/json' })
  }

  // Streaming: settlement waits for the stream's end (or the client's abort), so
  // register it with waitUntil now, before the response leaves.
  let settled!: () => void
  c.executionCtx.waitUntil(new Promise<void>((resolve) => (settled = resolve)))
  const stream = translateStream({
    events: parseEvents(outcome.response.body ?? new ReadableStream()),
    adapter: outcome.adapter,
    meta,
    keepaliveMs: config.KEEPALIVE_INTERVAL_MS,
    now: Date.now,
    capture: idempotency !== undefined,
    ...(metadata ? { final: () => ({ openrouter_metadata: routerMetadata(planned, outcome.records, served) }) } : {}),
    price: (end) => {
      const usage = end.reportedUsage ?? estimateUsage(promptTokens, end.completionChars)
      // A cancelled stream pays for what it produced; one cancelled before any token is insured.
      const finish = end.outcome === 'cancelled' && end.completionChars > 0 ? end.finish ?? 'stop' : end.finish
      return { usage, cost: price(usage, finish) }
    },
    onEnd: (end, usage, cost, captured) => {
      const ok = end.outcome === 'completed'
      const endedAt = Date.now()
      const last = outcome.records.slice(-1).map((r) => (end.outcome === 'error' ? { ...r, status: end.error?.status ?? 502 } : r))
      const health = end.outcome === 'cancelled' ? Promise.resolve() : reportAttempts(c.env, reportsFromAttempts(last, endedAt, {
        ttftMs: end.firstTokenMs === null ? null : outcome.ttfbMs + end.firstTokenMs,
        completionTokens: usage.completion_tokens,
        generationMs: end.firstTokenMs === null ? null : endedAt - startedAt - outcome.ttfbMs - end.firstTokenMs,
      }))
      const charged = record({
        ...base, served, status: end.outcome === 'error' ? (end.error?.status ?? 502) : 200, usage, costMicro: cost.total,
        upstreamId: end.upstreamId, finish: end.finish, nativeFinish: end.nativeFinish, cancelled: end.outcome === 'cancelled',
        generationTimeMs: end.firstTokenMs, endedAt,
      }, ok && captured !== undefined ? { status: 200, contentType: SSE_HEADERS['content-type'], body: captured } : undefined)
      void Promise.allSettled([charged, health]).finally(settled)
      if (end.outcome === 'cancelled') outcome.abort.abort()
    },
  })
  setMetric(c, 'ttfb', outcome.ttfbMs, 'upstream headers')
  return c.body(stream, 200, SSE_HEADERS)
})
