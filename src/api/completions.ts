// POST /completions, the legacy text-completions API (docs/compatibility.md#legacy-text-completions): forwarded
// natively to OpenAI-compatible endpoints (the adapters' completions part), not
// translated to chat: a prompt is raw text to continue, which chat cannot express.
// Models served only by other protocols get a 400 pointing at /chat/completions.
import { Hono } from 'hono'
import { endTime, startTime } from 'hono/timing'
import { holdFor } from '../billing/admission.ts'
import { costOf, estimatePromptTokens, type Cost } from '../billing/pricing.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { generationId } from '../lib/ids.ts'
import { redactorOf } from '../lib/redact.ts'
import { requireKey } from '../middleware/auth.ts'
import { OPTIONAL_PARAMS } from '../providers/openai.ts'
import type { CompletionsAdapter, FinishReason, ProviderAdapter, Usage } from '../providers/types.ts'
import { runOperation, targetOf } from '../routing/attempt.ts'
import type { StreamDecoder } from '../routing/collect.ts'
import { assembleText } from '../streaming/assemble.ts'
import { CompletionRequest } from '../schemas/completion-request.ts'
import type { GenerationMeta } from './chat-render.ts'
import { TEXT_CHUNKS, textCompletionBody } from './completion-render.ts'
import {
  admitOrReplay, attemptsWith, estimateUsage, idempotencyOf, learnHealth, planFor, recorder, requestFacts, requestedModels, transportFor,
} from './pipeline.ts'
import { parseBody } from './request.ts'
import { streamResponse } from './stream-response.ts'

const partOf = (adapter: ProviderAdapter): CompletionsAdapter => {
  if (!adapter.completions) throw new Error('this protocol has no legacy completions')
  return adapter.completions
}

const textDecoder = (part: CompletionsAdapter): StreamDecoder => ({ initialState: () => null, fromUpstreamEvent: (event) => part.fromUpstreamEvent(event, null) })

export const completions = new Hono<AppEnv>().post('/completions', requireKey('inference'), async (c) => {
  const startedAt = Date.now()
  const config = configOf(c.env)
  const raw = await c.req.text()
  const req = parseBody(raw, CompletionRequest)
  const models = requestedModels(req, 'completions')

  const promptTokens = estimatePromptTokens(req.prompt)
  const requested = req.max_tokens ?? undefined
  const params = Object.keys(req).filter((k) => OPTIONAL_PARAMS.has(k) && req[k] != null)
  const planned = planFor(c, {
    models, prefs: req.provider, route: req.route, promptTokens, maxTokens: requested,
    needs: { tools: false, jsonSchema: false, images: false, params },
  })
  const attempts = attemptsWith(planned.attempts, (a) => a.completions !== undefined)
    .filter((a) => a.provider.quirks?.legacy_completions !== false)
  if (attempts.length === 0) {
    throw new GatewayError('invalid_request',
      `${models.join(', ')}: /completions supports OpenAI-compatible providers only, and none can serve this request; use /api/v1/chat/completions`)
  }

  const id = generationId(startedAt)
  c.header('x-generation-id', id)
  const idempotency = await idempotencyOf(c, raw)
  const record = recorder(c, id, requestFacts(c, req, startedAt), idempotency)
  const { holdMicro, dearest } = holdFor(attempts, promptTokens, requested, config.MARKUP_BPS)
  const replay = await admitOrReplay(c, {
    generationId: id, holdMicro, promptTokens, free: attempts[0]?.model.id.endsWith(':free') ?? false, ...(idempotency ? { idempotency } : {}),
  }, { dearest, promptTokens, requested, markupBps: config.MARKUP_BPS })
  if (replay) return replay

  startTime(c, 'upstream', 'upstream first byte')
  const outcome = await runOperation(attempts, {
    build: (adapter, attempt) => adapter.completions?.toUpstream(req, targetOf(attempt)),
    parse: (adapter, json) => partOf(adapter).fromUpstream(json),
    // Streamed upstream and assembled, so a hung host is left after the first-byte timeout (attempt.ts).
    streamed: {
      build: (adapter, attempt) => adapter.completions?.toUpstream({ ...req, stream: true }, targetOf(attempt)),
      decoder: (adapter) => textDecoder(partOf(adapter)),
      assemble: assembleText,
    },
  }, {
    stream: req.stream === true,
    transportFor,
    firstByteTimeoutMs: config.UPSTREAM_TTFB_TIMEOUT_MS,
    totalTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    signal: c.req.raw.signal,
    now: Date.now,
    redact: redactorOf(c.env),
  })
  endTime(c, 'upstream')

  if (!outcome.ok) {
    learnHealth(c, planned, outcome.records)
    // Nothing was served: record the attempts at no charge, which also drops the hold.
    c.executionCtx.waitUntil(record({
      cancelled: false, attempts: outcome.records, served: null, status: outcome.error.status, usage: null, costMicro: 0,
      upstreamId: null, finish: null, nativeFinish: null, generationTimeMs: null, endedAt: Date.now(),
    }))
    throw outcome.error
  }

  const served = outcome.attempt
  const meta: GenerationMeta = { id, created: Math.floor(startedAt / 1000), model: served.model.id, provider: served.provider.name }
  c.header('x-provider', served.provider.id)
  c.header('x-provider-region', served.endpoint.regions[0])
  const price = (usage: Usage, finish: FinishReason | null): Cost => costOf(usage, served.endpoint.pricing, config.MARKUP_BPS, finish)

  if (outcome.kind === 'json') {
    const body = outcome.body
    const first = body.choices[0]
    const usage = body.usage ?? estimateUsage(promptTokens, body.choices.reduce((n, ch) => n + ch.text.length, 0))
    const cost = price(usage, first?.finish_reason ?? null)
    learnHealth(c, planned, outcome.records, { ttftMs: outcome.ttftMs, completionTokens: usage.completion_tokens, generationMs: outcome.totalMs - outcome.ttftMs })
    const json = JSON.stringify(textCompletionBody(meta, body, usage, cost))
    c.executionCtx.waitUntil(record({
      cancelled: false, attempts: outcome.records, served, status: 200, usage, costMicro: cost.total, upstreamId: body.upstreamId,
      finish: first?.finish_reason ?? null, nativeFinish: first?.native_finish_reason ?? null,
      generationTimeMs: outcome.totalMs, endedAt: Date.now(),
    }, { status: 200, contentType: 'application/json', body: json }))
    return c.body(json, 200, { 'content-type': 'application/json' })
  }

  // The served attempt is reported when the stream ends; earlier failures now.
  learnHealth(c, planned, outcome.records.slice(0, -1))
  return streamResponse(c, {
    outcome,
    decoder: textDecoder(partOf(outcome.adapter)),
    render: TEXT_CHUNKS,
    meta,
    startedAt,
    promptTokens,
    price,
    record,
    capture: idempotency !== undefined,
  })
})
