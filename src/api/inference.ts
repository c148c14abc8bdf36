// The one inference pipeline: validate → plan → admit → attempt → respond → settle, for
// every skin (chat, legacy completions, embeddings, and any wire added later). Planning,
// admission with Idempotency-Key replays, max_cost, the attempt loop, health learning,
// settlement and the generation record are here once; a skin brings a Job (what to plan
// with, what each attempt sends, how its answer reads) and its encoders.
import type { Context } from 'hono'
import { endTime, startTime } from 'hono/timing'
import { holdFor, maxOutputFor } from '../billing/admission.ts'
import { affordableOutput, costOf, type Cost } from '../billing/pricing.ts'
import { configOf, type AppEnv } from '../env.ts'
import { GatewayError, type ErrorEnvelope } from '../errors.ts'
import { generationId } from '../lib/ids.ts'
import { fromDollars } from '../lib/money.ts'
import { redactorOf } from '../lib/redact.ts'
import { adapterFor } from '../providers/registry.ts'
import type { CanonicalResponse, FinishReason, ProviderAdapter, Target, Usage } from '../providers/types.ts'
import { runOperation, targetOf, type Operation } from '../routing/attempt.ts'
import type { StreamDecoder } from '../routing/collect.ts'
import { routerMetadata, wantsMetadata } from '../routing/metadata.ts'
import type { PlanInput, PlannedAttempt } from '../routing/plan.ts'
import type { ApiType, SkinMeta, StreamEncoder } from '../skins/skin.ts'
import { echoedUpstreamBody } from './debug-echo.ts'
import { admitOrReplay, idempotencyOf, learnHealth, planFor, recorder, requestFacts, transportFor, type FactsSource } from './pipeline.ts'
import { spillResponse } from './spill-response.ts'
import { streamResponse } from './stream-response.ts'

/** A skin as its route serves it: its error envelope, and its requests through the pipeline. */
export interface Skin {
  errorBody: ErrorEnvelope
  serve(c: Context<AppEnv>): Promise<Response>
}

/** A served answer, read once: what is billed and recorded, and the skin's body for it. */
export interface Answer {
  usage: Usage
  finish: FinishReason | null
  nativeFinish: string | null
  /** The finish the price sees when it is not `finish` (an embedding has no completion tokens, yet is no failed generation to insure). */
  billedAs?: FinishReason
  upstreamId: string | null
  body(meta: SkinMeta, cost: Cost): unknown
}

/** One request as the pipeline serves it, made by a skin from its decoded body. */
export interface Job<B> {
  apiType: ApiType
  facts: FactsSource
  /** `model` then the fallbacks, already checked against the skin's modality. */
  models: string[]
  plan: Pick<PlanInput, 'prefs' | 'route' | 'promptTokens' | 'maxTokens' | 'needs'> & {
    /** The auto router's lists from the request; the operator's AUTO_ROUTER_MODELS otherwise. */
    auto?: { allowed?: string[] | null | undefined; excluded?: string[] | null | undefined }
  }
  /** Tokens the hold and denials count (the plan's figure is checked against context, per input for embeddings). */
  promptTokens: number
  /** USD: caps the hold and each attempt's output. */
  maxCost?: number | null | undefined
  /** The endpoints that can serve this request at all (undefined: every one), and the 400 when none of the planned can. */
  serves?: { by(adapter: ProviderAdapter, target: Target): boolean; refusal(): GatewayError }
  /** What each attempt sends; `capOf` gives an attempt's output cap when max_cost lowers the request's own. */
  operation(capOf: (a: PlannedAttempt) => number | undefined): Operation<B>
  answer(body: B): Answer
  /**
   * The JSON written as its text arrives, for a plain-text answer too long to hold
   * (api/spill-response.ts): the answer for the rest of the body, its body with the
   * text's place marked (markText in api/spill-json.ts).
   */
  spill?: { answer(rest: CanonicalResponse, textChars: number): Answer }
  /** How the answer streams, for skins that stream. */
  stream?: {
    decoder(adapter: ProviderAdapter, target: Target): StreamDecoder
    encoder(meta: SkinMeta): StreamEncoder
    hideReasoning: boolean
    echoUpstreamBody: boolean
  }
}

/**
 * `max_cost` (USD) caps each attempt's output so the request cannot cost more:
 * the upstream stops at the cap and the response ends with finish_reason "length".
 */
const outputCap = (a: PlannedAttempt, maxCostMicro: number | undefined, promptTokens: number, requested: number | undefined, markupBps: number) => {
  const max = maxOutputFor(a, requested)
  if (maxCostMicro === undefined) return requested
  return Math.min(max, affordableOutput(maxCostMicro, promptTokens, a.endpoint.pricing, markupBps))
}

/**
 * Characters of text a non-streaming answer holds before it is written as it arrives
 * (when it may be: Job.spill, no Idempotency-Key to capture, no content to log).
 */
export const SPILL_CHARS = 64 * 1024

const servingAttempts = (attempts: PlannedAttempt[], serves: Job<unknown>['serves']): PlannedAttempt[] => {
  if (!serves) return attempts
  const can = attempts.filter((a) => {
    const adapter = adapterFor(a.provider.protocol)
    return adapter !== undefined && serves.by(adapter, targetOf(a))
  })
  if (can.length === 0) throw serves.refusal()
  return can
}

export const serveInference = async <B>(c: Context<AppEnv>, jobOf: (raw: string) => Job<B>): Promise<Response> => {
  const startedAt = Date.now()
  const config = configOf(c.env)
  const raw = await c.req.text()
  const job = jobOf(raw)

  const { promptTokens, plan: p } = job
  const requested = p.maxTokens
  const planned = planFor(c, {
    models: job.models, prefs: p.prefs, route: p.route, promptTokens: p.promptTokens, maxTokens: requested, needs: p.needs,
    auto: { allowed: p.auto?.allowed ?? config.AUTO_ROUTER_MODELS, excluded: p.auto?.excluded ?? [] },
  })
  const metadata = wantsMetadata(c.req.header('x-openrouter-metadata') ?? c.req.header('x-openrouter-experimental-metadata'))
  const serving = servingAttempts(planned.attempts, job.serves)

  const maxCostMicro = job.maxCost ? fromDollars(job.maxCost) : undefined
  const cap = (a: PlannedAttempt) => outputCap(a, maxCostMicro, promptTokens, requested, config.MARKUP_BPS)
  const attempts = maxCostMicro === undefined ? serving : serving.filter((a) => (cap(a) ?? 1) > 0)
  if (attempts.length === 0) {
    throw new GatewayError('payment_required', `max_cost ${job.maxCost} USD does not cover the prompt on any endpoint`, { metadata: { limit: 'max_cost', max: job.maxCost } })
  }

  const id = generationId(startedAt)
  c.header('x-generation-id', id)
  const idempotency = await idempotencyOf(c, raw)
  const record = recorder(c, id, requestFacts(c, job.facts, startedAt, job.apiType), idempotency, planned, raw)
  const { holdMicro, dearest } = holdFor(attempts, promptTokens, requested, config.MARKUP_BPS)
  const replay = await admitOrReplay(c, {
    generationId: id,
    holdMicro: maxCostMicro === undefined ? holdMicro : Math.min(holdMicro, maxCostMicro),
    promptTokens,
    free: attempts[0]?.model.id.endsWith(':free') ?? false,
    ...(idempotency ? { idempotency } : {}),
  }, { dearest, promptTokens, requested, markupBps: config.MARKUP_BPS })
  if (replay) return replay

  const streaming = job.facts.stream === true ? job.stream : undefined
  const spill = !streaming && job.spill && !idempotency && !record.logsContent ? job.spill : undefined
  const operation = job.operation((a) => {
    const max = cap(a)
    return max === requested ? undefined : max
  })
  startTime(c, 'upstream', 'upstream first byte')
  const outcome = await runOperation(attempts, operation, {
    stream: streaming !== undefined,
    transportFor,
    firstByteTimeoutMs: config.UPSTREAM_TTFB_TIMEOUT_MS,
    totalTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    signal: c.req.raw.signal,
    now: Date.now,
    redact: redactorOf(c.env),
    ...(spill ? { spillChars: SPILL_CHARS } : {}),
  })
  endTime(c, 'upstream')
  if (!outcome.ok) {
    learnHealth(c, planned, outcome.records)
    // Nothing was served: record the attempts at no charge, which also drops the hold.
    c.executionCtx.waitUntil(record({
      cancelled: false, attempts: outcome.records, served: null, status: outcome.error.status, usage: null, costMicro: 0,
      upstreamId: null, finish: null, nativeFinish: null, generationTimeMs: null, endedAt: Date.now(),
    }))
    throw metadata ? outcome.error.withBody({ openrouter_metadata: routerMetadata(planned, outcome.records, null) }) : outcome.error
  }

  const served = outcome.attempt
  const meta: SkinMeta = { id, created: Math.floor(startedAt / 1000), model: served.model.id, provider: served.provider.name, promptTokens }
  c.header('x-provider', served.provider.id)
  c.header('x-provider-region', served.endpoint.regions[0])
  const price = (usage: Usage, finish: FinishReason | null): Cost => costOf(usage, served.endpoint.pricing, config.MARKUP_BPS, finish)
  const extra = metadata ? () => ({ openrouter_metadata: routerMetadata(planned, outcome.records, served) }) : undefined

  if (outcome.kind === 'json') {
    const answer = job.answer(outcome.body)
    const { usage } = answer
    const cost = price(usage, answer.billedAs ?? answer.finish)
    const body = answer.body(meta, cost)
    const json = JSON.stringify(extra && typeof body === 'object' ? { ...body, ...extra() } : body)
    learnHealth(c, planned, outcome.records, { ttftMs: outcome.ttftMs, completionTokens: usage.completion_tokens, generationMs: outcome.totalMs - outcome.ttftMs })
    c.executionCtx.waitUntil(record({
      cancelled: false, attempts: outcome.records, served, status: 200, usage, costMicro: cost.total, upstreamId: answer.upstreamId,
      finish: answer.finish, nativeFinish: answer.nativeFinish, generationTimeMs: outcome.totalMs, ttftMs: outcome.ttftMs, endedAt: Date.now(),
    }, { status: 200, contentType: 'application/json', body: json }))
    return c.body(json, 200, { 'content-type': 'application/json' })
  }

  if (outcome.kind === 'spill' && spill) {
    return spillResponse(c, {
      outcome, meta, answer: spill.answer, price, record, ...(extra ? { extra } : {}),
      learn: (records, health) => learnHealth(c, planned, records, health),
    })
  }
  if (outcome.kind !== 'stream' || !streaming) throw new GatewayError('internal', 'Unexpected stream for a request that does not stream')
  // A stream's served attempt is reported when the stream ends (time to first token, throughput); earlier failures now.
  learnHealth(c, planned, outcome.records.slice(0, -1))
  const encoder = streaming.encoder(meta)
  // The body is built again by the same pure translation, rather than carried out of the attempt loop.
  const lead = streaming.echoUpstreamBody && encoder.debugEcho
    ? encoder.debugEcho(echoedUpstreamBody(operation.build(outcome.adapter, served)?.body ?? '', redactorOf(c.env)))
    : undefined
  return streamResponse(c, {
    outcome,
    decoder: streaming.decoder(outcome.adapter, targetOf(served)),
    encoder,
    startedAt,
    promptTokens,
    price,
    record,
    capture: idempotency !== undefined,
    ...(extra ? { final: extra } : {}),
    ...(lead ? { lead } : {}),
    ...(streaming.hideReasoning ? { hideReasoning: true } : {}),
  })
}
