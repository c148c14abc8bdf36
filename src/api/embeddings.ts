// POST /embeddings (docs/compatibility.md#embeddings): validate → plan → admit → forward → respond →
// settle, as chat does (pipeline.ts), through the adapters' embeddings part.
// Embedding models only; fallback across endpoints; api_type 'embeddings'.
import { Hono } from 'hono'
import { endTime, startTime } from 'hono/timing'
import { holdFor } from '../billing/admission.ts'
import { costOf, estimatePromptTokens } from '../billing/pricing.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError } from '../errors.ts'
import { generationId } from '../lib/ids.ts'
import { redactorOf } from '../lib/redact.ts'
import { requireKey } from '../middleware/auth.ts'
import type { EmbeddingsAdapter, ProviderAdapter, Usage } from '../providers/types.ts'
import { runOperation, targetOf } from '../routing/attempt.ts'
import { EmbeddingsRequest, inputList, isTokenInput } from '../schemas/embeddings-request.ts'
import type { GenerationMeta } from './chat-render.ts'
import { embeddingsBody } from './embeddings-render.ts'
import {
  admitOrReplay, attemptsWith, idempotencyOf, learnHealth, planFor, recorder, requestFacts, requestedModels, transportFor,
} from './pipeline.ts'
import { parseBody } from './request.ts'

const partOf = (adapter: ProviderAdapter): EmbeddingsAdapter => {
  if (!adapter.embeddings) throw new Error('this protocol has no embeddings')
  return adapter.embeddings
}

/**
 * Tokens billed when the upstream reports none (the Gemini API never does): about
 * four characters a token per text input, the length of a token-id input.
 */
export const estimateEmbeddingTokens = (inputs: (string | number[])[]): number =>
  inputs.reduce((sum, x) => sum + (typeof x === 'string' ? Math.ceil(x.length / 4) : x.length), 0)

const usageOf = (promptTokens: number): Usage => ({
  prompt_tokens: promptTokens, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
})

export const embeddings = new Hono<AppEnv>().post('/embeddings', requireKey('inference'), async (c) => {
  const startedAt = Date.now()
  const config = configOf(c.env)
  const raw = await c.req.text()
  const req = parseBody(raw, EmbeddingsRequest)
  const models = requestedModels(req, 'embeddings')

  const inputs = inputList(req.input)
  // Upper bounds for planning and the hold (the upstream counts the real figure).
  const perInput = inputs.map((x) => (typeof x === 'string' ? estimatePromptTokens(x) : x.length))
  const promptTokens = perInput.reduce((a, b) => a + b, 0)
  const planned = planFor(c, {
    models,
    prefs: req.provider,
    // Context length applies to each input, not to the batch.
    promptTokens: Math.max(...perInput),
    maxTokens: 0,
    needs: { tools: false, jsonSchema: false, images: false, params: req.dimensions != null ? ['dimensions'] : [] },
  })
  const tokenInput = isTokenInput(req.input)
  const attempts = attemptsWith(planned.attempts, (a) => a.embeddings !== undefined && (!tokenInput || a.embeddings.tokenInput))
  if (attempts.length === 0) {
    throw new GatewayError('invalid_request', tokenInput
      ? `Token-id inputs are supported by OpenAI-compatible providers only, and no such endpoint of ${models.join(', ')} can serve this request; send text`
      : `No endpoint of ${models.join(', ')} serves embeddings`)
  }

  const id = generationId(startedAt)
  c.header('x-generation-id', id)
  const idempotency = await idempotencyOf(c, raw)
  const record = recorder(c, id, requestFacts(c, req, startedAt, 'embeddings'), idempotency)
  const { holdMicro, dearest } = holdFor(attempts, promptTokens, 0, config.MARKUP_BPS)
  const replay = await admitOrReplay(c, {
    generationId: id, holdMicro, promptTokens, free: attempts[0]?.model.id.endsWith(':free') ?? false, ...(idempotency ? { idempotency } : {}),
  }, { dearest, promptTokens, requested: 0, markupBps: config.MARKUP_BPS })
  if (replay) return replay

  startTime(c, 'upstream')
  const outcome = await runOperation(attempts, {
    build: (adapter, attempt) => adapter.embeddings?.toUpstream(req, targetOf(attempt)),
    parse: (adapter, json) => {
      const result = partOf(adapter).fromUpstream(json)
      if (result.vectors.length !== inputs.length) throw new Error(`expected ${inputs.length} embeddings, got ${result.vectors.length}`)
      return result
    },
  }, { stream: false, transportFor, firstByteTimeoutMs: config.UPSTREAM_TTFB_TIMEOUT_MS, totalTimeoutMs: config.UPSTREAM_TIMEOUT_MS, signal: c.req.raw.signal, now: Date.now, redact: redactorOf(c.env) })
  endTime(c, 'upstream')
  learnHealth(c, planned, outcome.records)

  const base = { cancelled: false, attempts: outcome.records, finish: null, nativeFinish: null }
  if (!outcome.ok || outcome.kind !== 'json') {
    const error = outcome.ok ? new GatewayError('internal', 'Unexpected stream for an embeddings request') : outcome.error
    // Nothing was served: record the attempts at no charge, which also drops the hold.
    c.executionCtx.waitUntil(record({ ...base, served: null, status: error.status, usage: null, costMicro: 0, upstreamId: null, generationTimeMs: null, endedAt: Date.now() }))
    throw error
  }

  const served = outcome.attempt
  const result = outcome.body
  const usage = usageOf(result.promptTokens ?? estimateEmbeddingTokens(inputs))
  // finish 'stop': an embedding has no completion tokens but is not a failed generation (zero-completion insurance does not apply).
  const cost = costOf(usage, served.endpoint.pricing, config.MARKUP_BPS, 'stop')
  const meta: GenerationMeta = { id, created: Math.floor(startedAt / 1000), model: served.model.id, provider: served.provider.name }
  c.header('x-provider', served.provider.id)
  c.header('x-provider-region', served.endpoint.regions[0])
  const json = JSON.stringify(embeddingsBody(meta, result.vectors, req.encoding_format ?? 'float', usage.prompt_tokens, cost))
  c.executionCtx.waitUntil(record({
    ...base, served, status: 200, usage, costMicro: cost.total, upstreamId: result.upstreamId, generationTimeMs: outcome.ttfbMs, endedAt: Date.now(),
  }, { status: 200, contentType: 'application/json', body: json }))
  return c.body(json, 200, { 'content-type': 'application/json' })
})
