// POST /chat/completions: validate → plan → admit → forward → respond → settle.
// The steps shared with /completions and /embeddings live in pipeline.ts.
import { Hono } from 'hono'
import { endTime, startTime } from 'hono/timing'
import { holdFor, maxOutputFor } from '../billing/admission.ts'
import { affordableOutput, costOf, estimatePromptTokens, type Cost } from '../billing/pricing.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { generationId } from '../lib/ids.ts'
import { fromDollars } from '../lib/money.ts'
import { redactorOf } from '../lib/redact.ts'
import { requireKey } from '../middleware/auth.ts'
import { hidesReasoning, withoutReasoning } from '../providers/reasoning.ts'
import type { Usage } from '../providers/types.ts'
import { ChatRequest } from '../schemas/chat-request.ts'
import { autoRouterPlugin } from '../schemas/plugins.ts'
import { chatOperation, runAttempts } from '../routing/attempt.ts'
import { routerMetadata, wantsMetadata } from '../routing/metadata.ts'
import { needsOf } from '../routing/needs.ts'
import type { PlannedAttempt } from '../routing/plan.ts'
import { completionBody, debugChunk, type GenerationMeta } from './chat-render.ts'
import { echoedUpstreamBody } from './debug-echo.ts'
import {
  admitOrReplay, estimateUsage, idempotencyOf, learnHealth, planFor, recorder, requestFacts, requestedModels, transportFor,
} from './pipeline.ts'
import { parseBody } from './request.ts'
import { streamResponse } from './stream-response.ts'

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
  const raw = await c.req.text()
  const req = parseBody(raw, ChatRequest)

  const models = requestedModels(req, 'chat')
  const promptTokens = estimatePromptTokens(JSON.stringify(req.messages))
  const requested = req.max_completion_tokens ?? req.max_tokens ?? undefined
  const autoPlugin = autoRouterPlugin(req.plugins)
  const planned = planFor(c, {
    models,
    prefs: req.provider,
    route: req.route,
    promptTokens,
    maxTokens: requested,
    needs: needsOf(req),
    auto: { allowed: autoPlugin?.allowed_models ?? config.AUTO_ROUTER_MODELS, excluded: autoPlugin?.excluded_models ?? [] },
  })
  const metadata = wantsMetadata(c.req.header('x-openrouter-metadata') ?? c.req.header('x-openrouter-experimental-metadata'))

  const maxCostMicro = req.max_cost ? fromDollars(req.max_cost) : undefined
  const cap = (a: PlannedAttempt) => outputCap(a, maxCostMicro, promptTokens, requested, config.MARKUP_BPS)
  const prepare = (a: PlannedAttempt, r: ChatRequest): ChatRequest => {
    const max = cap(a)
    return max === undefined || max === requested ? r : { ...r, max_tokens: max, max_completion_tokens: undefined }
  }
  const attempts = maxCostMicro === undefined ? planned.attempts : planned.attempts.filter((a) => (cap(a) ?? 1) > 0)
  if (attempts.length === 0) {
    throw new GatewayError('payment_required', `max_cost ${req.max_cost} USD does not cover the prompt on any endpoint`, { metadata: { limit: 'max_cost', max: req.max_cost } })
  }

  const id = generationId(startedAt)
  c.header('x-generation-id', id)
  const idempotency = await idempotencyOf(c, raw)
  const record = recorder(c, id, requestFacts(c, req, startedAt), idempotency)
  const { holdMicro, dearest } = holdFor(attempts, promptTokens, requested, config.MARKUP_BPS)
  const replay = await admitOrReplay(c, {
    generationId: id,
    holdMicro: maxCostMicro === undefined ? holdMicro : Math.min(holdMicro, maxCostMicro),
    promptTokens,
    free: attempts[0]?.model.id.endsWith(':free') ?? false,
    ...(idempotency ? { idempotency } : {}),
  }, { dearest, promptTokens, requested, markupBps: config.MARKUP_BPS })
  if (replay) return replay

  startTime(c, 'upstream', 'upstream first byte')
  const outcome = await runAttempts(attempts, req, {
    stream: req.stream === true,
    transportFor,
    prepare,
    firstByteTimeoutMs: config.UPSTREAM_TTFB_TIMEOUT_MS,
    totalTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    signal: c.req.raw.signal,
    now: Date.now,
    redact: redactorOf(c.env),
  })
  endTime(c, 'upstream')
  const base = { cancelled: false, attempts: outcome.records, upstreamId: null, generationTimeMs: null }
  if (!outcome.ok) {
    learnHealth(c, planned, outcome.records)
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
    const first = outcome.body.choices[0]
    // Hidden reasoning is billed (it is in the usage, or the estimate) but not returned.
    const usage = outcome.body.usage ?? estimateUsage(promptTokens, (first?.message.content?.length ?? 0) + (first?.message.reasoning?.length ?? 0))
    const body = hidesReasoning(req) ? withoutReasoning(outcome.body) : outcome.body
    const cost = price(usage, first?.finish_reason ?? null)
    const json = JSON.stringify({
      ...completionBody(meta, body, usage, cost),
      ...(metadata ? { openrouter_metadata: routerMetadata(planned, outcome.records, served) } : {}),
    })
    learnHealth(c, planned, outcome.records, { ttftMs: outcome.ttftMs, completionTokens: usage.completion_tokens, generationMs: outcome.totalMs - outcome.ttftMs })
    c.executionCtx.waitUntil(record({
      ...base, served, status: 200, usage, costMicro: cost.total, upstreamId: body.upstreamId,
      finish: first?.finish_reason ?? null, nativeFinish: first?.native_finish_reason ?? null,
      generationTimeMs: outcome.totalMs, endedAt: Date.now(),
    }, { status: 200, contentType: 'application/json', body: json }))
    return c.body(json, 200, { 'content-type': 'application/json' })
  }

  // A stream's served attempt is reported when the stream ends (time to first token, throughput); earlier failures now.
  learnHealth(c, planned, outcome.records.slice(0, -1))
  return streamResponse(c, {
    outcome,
    decoder: outcome.adapter,
    meta,
    startedAt,
    promptTokens,
    price,
    record,
    capture: idempotency !== undefined,
    ...(metadata ? { final: () => ({ openrouter_metadata: routerMetadata(planned, outcome.records, served) }) } : {}),
    ...(hidesReasoning(req) ? { hideReasoning: true } : {}),
    // The body is built again by the same pure translation, rather than carried out of the attempt loop.
    ...(req.debug?.echo_upstream_body === true
      ? { lead: [debugChunk(meta, echoedUpstreamBody(chatOperation(req, prepare).build(outcome.adapter, served)?.body ?? '', redactorOf(c.env)))] }
      : {}),
  })
})
