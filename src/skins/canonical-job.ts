// A codec's skin: its requests become pipeline jobs read off the canonical request, so
// every such skin is planned, capped, billed and hidden-reasoning'd exactly as chat is.
// Endpoints that speak the skin natively (the codec's native operation) get its own
// request instead; their answers come back canonical, so the same encoders serve both.
import { estimateUsage, requestedModels } from '../api/pipeline.ts'
import { serveInference, type Job, type Skin } from '../api/inference.ts'
import { estimatePromptTokens } from '../billing/pricing.ts'
import { hidesReasoning, withoutReasoning } from '../providers/reasoning.ts'
import type { CanonicalRequest, CanonicalResponse, ProviderAdapter } from '../providers/types.ts'
import { chatOperation, targetOf, type Operation } from '../routing/attempt.ts'
import { needsOf } from '../routing/needs.ts'
import type { PlannedAttempt } from '../routing/plan.ts'
import { autoRouterPlugin } from '../schemas/plugins.ts'
import type { Cost } from '../billing/pricing.ts'
import { markText } from '../api/spill-json.ts'
import type { NativeOperation, SkinCodec, SkinMeta } from './skin.ts'

/** Characters of every choice's text and reasoning, for an answer whose usage the upstream did not report. */
const answerChars = (body: CanonicalResponse): number =>
  body.choices.reduce((n, c) => n + (c.message.content?.length ?? 0) + (c.message.reasoning?.length ?? 0), 0)

/** The canonical operation, with the endpoints that speak the skin natively sent its own request. */
const withNative = <Req>(
  chat: Required<Operation<CanonicalResponse>>, native: NativeOperation<Req>, req: Req, stream: boolean, capOf: (a: PlannedAttempt) => number | undefined,
): Operation<CanonicalResponse> => {
  const speaks = (adapter: ProviderAdapter, attempt: PlannedAttempt) => native.serves(adapter, targetOf(attempt))
  const nativeRequest = (adapter: ProviderAdapter, attempt: PlannedAttempt, streamed: boolean) =>
    native.build(adapter, targetOf(attempt), req, { stream: streamed, maxTokens: capOf(attempt) })
  return {
    build: (adapter, attempt) => (speaks(adapter, attempt) ? nativeRequest(adapter, attempt, stream) : chat.build(adapter, attempt)),
    parse: (adapter, json, attempt) => (speaks(adapter, attempt) ? native.parse(adapter, json) : chat.parse(adapter, json, attempt)),
    streamed: {
      build: (adapter, attempt) => (speaks(adapter, attempt) ? nativeRequest(adapter, attempt, true) : chat.streamed.build(adapter, attempt)),
      decoder: (adapter, attempt) => (speaks(adapter, attempt) ? native.decoder(adapter) : chat.streamed.decoder(adapter, attempt)),
      assemble: chat.streamed.assemble,
    },
  }
}

export const canonicalJob = <Req>(codec: SkinCodec<Req>, req: Req): Job<CanonicalResponse> => {
  const canonical = codec.toCanonical(req)
  const promptTokens = estimatePromptTokens(JSON.stringify(canonical.messages))
  const requested = canonical.max_completion_tokens ?? canonical.max_tokens ?? undefined
  const autoPlugin = autoRouterPlugin(canonical.plugins)
  const hide = hidesReasoning(canonical)
  const { native } = codec
  return {
    apiType: codec.apiType,
    facts: canonical,
    models: requestedModels(canonical, 'text'),
    plan: {
      prefs: canonical.provider, route: canonical.route, promptTokens, maxTokens: requested, needs: needsOf(canonical),
      auto: { allowed: autoPlugin?.allowed_models, excluded: autoPlugin?.excluded_models },
    },
    promptTokens,
    maxCost: canonical.max_cost,
    operation: (capOf) => {
      const prepare = (a: PlannedAttempt, r: CanonicalRequest): CanonicalRequest => {
        const max = capOf(a)
        return max === undefined ? r : { ...r, max_tokens: max, max_completion_tokens: undefined }
      }
      const chat = chatOperation(canonical, prepare)
      return native ? withNative(chat, native, req, canonical.stream === true, capOf) : chat
    },
    answer: (body) => {
      const first = body.choices[0]
      // Hidden reasoning is billed (it is in the usage, or the estimate) but not returned.
      const usage = body.usage ?? estimateUsage(promptTokens, answerChars(body))
      const shown = hide ? withoutReasoning(body) : body
      return {
        usage, finish: first?.finish_reason ?? null, nativeFinish: first?.native_finish_reason ?? null, upstreamId: body.upstreamId,
        body: (meta, cost) => codec.encodeJson(meta, shown, usage, cost, req),
      }
    },
    ...(codec.spills && !canonical.tools?.length && (canonical.n ?? 1) === 1 ? {
      spill: {
        answer: (rest: CanonicalResponse, textChars: number) => {
          const usage = rest.usage ?? estimateUsage(promptTokens, textChars + answerChars(rest))
          const shown = markText(hide ? withoutReasoning(rest) : rest)
          const first = rest.choices[0]
          return {
            usage, finish: first?.finish_reason ?? null, nativeFinish: first?.native_finish_reason ?? null, upstreamId: rest.upstreamId,
            body: (meta: SkinMeta, cost: Cost) => codec.encodeJson(meta, shown, usage, cost, req),
          }
        },
      },
    } : {}),
    stream: {
      decoder: (adapter, target) => (native?.serves(adapter, target) ? native.decoder(adapter) : adapter),
      encoder: (meta) => codec.streamEncoder(meta, req),
      hideReasoning: hide,
      echoUpstreamBody: canonical.debug?.echo_upstream_body === true,
    },
  }
}

/** A skin from its codec: decoded, made a job, served by the pipeline. */
export const codecSkin = <Req>(codec: SkinCodec<Req>): Skin => ({
  errorBody: codec.errorBody,
  serve: (c) => serveInference(c, (raw) => canonicalJob(codec, codec.decode(raw, (name) => c.req.header(name)))),
})
