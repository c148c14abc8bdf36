// The gemini adapter: Google's Gemini API (AI Studio) generateContent and
// streamGenerateContent?alt=sse ⇄ the canonical (OpenAI chat) shape. The body is
// built field by field, so OpenRouter-only fields can never leak upstream.
// Messages: gemini-contents.ts; schemas: gemini-schema.ts; responses: gemini-response.ts.
// @see https://ai.google.dev/api/generate-content
import { retryAfterSeconds, supportsParam } from './openai.ts'
import type { CanonicalRequest, ProviderAdapter, ProviderError, Target, UpstreamRequest } from './types.ts'
import { toContents } from './gemini-contents.ts'
import { geminiEmbeddings } from './gemini-embeddings.ts'
import { fromUpstream, fromUpstreamEvent, type GeminiStreamState } from './gemini-response.ts'
import { toGeminiSchema } from './gemini-schema.ts'
import { GeminiErrorBody, type GeminiGenerationConfig, type GeminiRequest } from './wire/gemini.ts'
import { hidesReasoning } from './reasoning.ts'
import { providerError, readErrorBody } from './upstream-errors.ts'

export { fromUpstream, fromUpstreamEvent, mapFinishReason, mapUsage, type GeminiStreamState } from './gemini-response.ts'

// --- request -------------------------------------------------------------------

/** Effort → share of the output limit spent thinking (docs/compatibility.md#reasoning). */
const EFFORT_RATIO: Record<string, number> = { max: 0.95, xhigh: 0.95, high: 0.8, medium: 0.5, low: 0.2, minimal: 0.1 }
/** Budgets outside what a model accepts are a 400; every Gemini 2.5+ model accepts 1024–24576. */
const MIN_BUDGET = 1024
const MAX_BUDGET = 24_576
const clampBudget = (n: number) => Math.min(Math.max(Math.floor(n), MIN_BUDGET), MAX_BUDGET)

/**
 * Reasoning → thinkingConfig. Thoughts are returned unless excluded (reasoning is
 * returned by default: docs/compatibility.md#reasoning). Only sent to endpoints that think.
 * @see https://ai.google.dev/gemini-api/docs/thinking#set-budget
 */
const thinkingConfig = (req: CanonicalRequest, target: Target, maxOut: number) => {
  const { endpoint, model } = target
  if (!endpoint.capabilities.reasoning || !supportsParam(endpoint, 'reasoning')) return undefined
  const r = req.reasoning
  const exclude = hidesReasoning(req)
  const effort = r?.effort ?? req.reasoning_effort ??
    (r?.enabled === false || r?.max_tokens === 0 ? 'none' : r?.enabled && r.max_tokens == null ? 'medium' : undefined)
  let budget: number | undefined
  if (effort === 'none') budget = model.reasoning?.mandatory ? undefined : 0
  else if (r?.max_tokens != null) budget = clampBudget(r.max_tokens)
  else if (effort) budget = clampBudget(maxOut * (EFFORT_RATIO[effort] ?? 0.5))
  return { ...(budget !== undefined ? { thinkingBudget: budget } : {}), includeThoughts: !exclude && effort !== 'none' }
}

const TOOL_MODES = { auto: 'AUTO', none: 'NONE', required: 'ANY' } as const

/** @see https://ai.google.dev/api/caching#FunctionCallingConfig */
const toolConfig = (choice: CanonicalRequest['tool_choice']): GeminiRequest['toolConfig'] => {
  if (choice == null) return undefined
  if (typeof choice === 'string') return { functionCallingConfig: { mode: TOOL_MODES[choice] } }
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } }
}

/** Only parameters the endpoint lists are sent (docs/compatibility.md#unsupported-parameters); absent ones are omitted, never defaulted. */
const generationConfig = (req: CanonicalRequest, target: Target): GeminiGenerationConfig => {
  const has = (param: string) => supportsParam(target.endpoint, param)
  const config: GeminiGenerationConfig = {}
  const maxTokens = req.max_completion_tokens ?? req.max_tokens
  if (req.temperature != null && has('temperature')) config.temperature = req.temperature
  if (req.top_p != null && has('top_p')) config.topP = req.top_p
  if (req.top_k != null && has('top_k')) config.topK = req.top_k
  if (maxTokens != null && has('max_tokens')) config.maxOutputTokens = maxTokens
  if (req.stop != null && has('stop')) {
    const stop = typeof req.stop === 'string' ? [req.stop] : req.stop
    if (stop.length) config.stopSequences = stop
  }
  if (req.seed != null && has('seed')) config.seed = req.seed
  if (req.presence_penalty != null && has('presence_penalty')) config.presencePenalty = req.presence_penalty
  if (req.frequency_penalty != null && has('frequency_penalty')) config.frequencyPenalty = req.frequency_penalty
  const format = req.response_format
  if ((format?.type === 'json_object' || format?.type === 'json_schema') && has('response_format')) {
    config.responseMimeType = 'application/json'
    const schema = format.type === 'json_schema' ? toGeminiSchema(format.json_schema.schema) : undefined
    if (schema) config.responseSchema = schema
  }
  const thinking = thinkingConfig(req, target, maxTokens ?? target.endpoint.max_output)
  if (thinking) config.thinkingConfig = thinking
  return config
}

export const toUpstream = (req: CanonicalRequest, target: Target): UpstreamRequest => {
  const body: GeminiRequest = toContents(req.messages, target)
  if (req.tools?.length && supportsParam(target.endpoint, 'tools')) {
    body.tools = [{
      functionDeclarations: req.tools.map((t) => {
        const parameters = toGeminiSchema(t.function.parameters)
        // A parameterless function is declared without `parameters`: Gemini rejects an OBJECT with no properties.
        const hasParams = parameters && !(parameters.type === 'object' && !parameters.properties)
        return { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), ...(hasParams ? { parameters } : {}) }
      }),
    }]
    const config = supportsParam(target.endpoint, 'tool_choice') ? toolConfig(req.tool_choice) : undefined
    if (config) body.toolConfig = config
  }
  const config = generationConfig(req, target)
  if (Object.keys(config).length) body.generationConfig = config

  const method = req.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (target.apiKey) headers['x-goog-api-key'] = target.apiKey
  return { url: `${target.baseUrl.replace(/\/+$/, '')}/models/${target.endpoint.upstream_id}:${method}`, headers, body: JSON.stringify(body) }
}

// --- errors --------------------------------------------------------------------

/** RetryInfo.retryDelay is a protobuf Duration string such as "37s" or "1.5s". */
const retryDelaySeconds = (delay: string | null | undefined): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(delay ?? '')
  return m ? Math.ceil(Number(m[1])) : undefined
}

/** Gemini errors are google.rpc.Status; `code` becomes the status name (RESOURCE_EXHAUSTED…). @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes */
export const parseError = (status: number, text: string, headers: Headers): ProviderError => {
  // streamGenerateContent without alt=sse wraps the error in an array.
  const { raw, body } = readErrorBody(text, GeminiErrorBody, (json) => (Array.isArray(json) ? json[0] : json))
  const e = body?.error
  const delay = retryDelaySeconds(e?.details?.find((d) => d.retryDelay)?.retryDelay)
  return providerError(status, raw, { message: e?.message, code: e?.status }, retryAfterSeconds(headers) ?? delay)
}

export const gemini: ProviderAdapter<GeminiStreamState> = {
  toUpstream,
  fromUpstream,
  initialState: () => ({ started: false, toolCalls: 0, usage: null }),
  fromUpstreamEvent,
  parseError,
  embeddings: geminiEmbeddings,
}
