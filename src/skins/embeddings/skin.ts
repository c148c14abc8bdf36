// POST /embeddings (docs/compatibility.md#embeddings): embedding models only, through the
// adapters' embeddings part, with the pipeline's fallback, billing and records (api_type
// 'embeddings'). No canonical request and no stream: every endpoint is asked natively.
import { serveInference, type Job, type Skin } from '../../api/inference.ts'
import { requestedModels } from '../../api/pipeline.ts'
import { parseBody } from '../../api/request.ts'
import { estimatePromptTokens } from '../../billing/pricing.ts'
import { GatewayError, openAiErrorBody } from '../../errors.ts'
import type { EmbeddingsAdapter, EmbeddingsResult, ProviderAdapter, Usage } from '../../providers/types.ts'
import { targetOf } from '../../routing/attempt.ts'
import { EmbeddingsRequest, inputList, isTokenInput } from '../../schemas/embeddings-request.ts'
import { embeddingsBody } from './render.ts'

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

export const embeddingsJob = (req: EmbeddingsRequest): Job<EmbeddingsResult> => {
  const models = requestedModels(req, 'embeddings')
  const inputs = inputList(req.input)
  // Upper bounds for planning and the hold (the upstream counts the real figure).
  const perInput = inputs.map((x) => (typeof x === 'string' ? estimatePromptTokens(x) : x.length))
  const tokenInput = isTokenInput(req.input)
  return {
    apiType: 'embeddings',
    facts: { model: req.model, models: req.models, user: req.user },
    models,
    plan: {
      prefs: req.provider,
      // Context length applies to each input, not to the batch.
      promptTokens: Math.max(...perInput),
      maxTokens: 0,
      needs: { tools: false, jsonSchema: false, images: false, params: req.dimensions != null ? ['dimensions'] : [] },
    },
    promptTokens: perInput.reduce((a, b) => a + b, 0),
    serves: {
      by: (adapter) => adapter.embeddings !== undefined && (!tokenInput || adapter.embeddings.tokenInput),
      refusal: () => new GatewayError('invalid_request', tokenInput
        ? `Token-id inputs are supported by OpenAI-compatible providers only, and no such endpoint of ${models.join(', ')} can serve this request; send text`
        : `No endpoint of ${models.join(', ')} serves embeddings`),
    },
    operation: () => ({
      build: (adapter, attempt) => adapter.embeddings?.toUpstream(req, targetOf(attempt)),
      parse: (adapter, json) => {
        const result = partOf(adapter).fromUpstream(json)
        if (result.vectors.length !== inputs.length) throw new Error(`expected ${inputs.length} embeddings, got ${result.vectors.length}`)
        return result
      },
    }),
    answer: (result) => {
      const usage = usageOf(result.promptTokens ?? estimateEmbeddingTokens(inputs))
      return {
        usage, finish: null, nativeFinish: null, upstreamId: result.upstreamId,
        // An embedding has no completion tokens but is not a failed generation (zero-completion insurance does not apply).
        billedAs: 'stop',
        body: (meta, cost) => embeddingsBody(meta, result.vectors, req.encoding_format ?? 'float', usage.prompt_tokens, cost),
      }
    },
  }
}

export const embeddingsSkin: Skin = {
  errorBody: openAiErrorBody,
  serve: (c) => serveInference(c, (raw) => embeddingsJob(parseBody(raw, EmbeddingsRequest))),
}
