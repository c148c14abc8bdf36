// The openai adapter: OpenAI and every OpenAI-compatible host (Groq, Together,
// Fireworks, DeepInfra, Mistral, DeepSeek, xAI, Ollama, vLLM…). Host differences
// are data (`provider.quirks`, `endpoint.supported_parameters`), not code.
// @see https://platform.openai.com/docs/api-reference/chat
import type { Endpoint } from '../catalog/schema.ts'
import type { ContentPart, Message } from '../schemas/chat-request.ts'
import {
  ROUTING_FIELDS,
  type CanonicalChunk,
  type CanonicalRequest,
  type CanonicalResponse,
  type EventResult,
  type FinishReason,
  type ProviderAdapter,
  type ProviderError,
  type SseEvent,
  type Target,
  type UpstreamRequest,
  type Usage,
} from './types.ts'
import { hostReasoningFields } from './reasoning.ts'
import type { z } from 'zod'
import { providerError, readErrorBody } from './upstream-errors.ts'
import { OpenAIChunk, OpenAIError, OpenAIResponse, type OpenAIUsage } from './wire/openai.ts'
import { plainTextChunk } from './openai-chunk.ts'

/** Request parameters that an endpoint may or may not support (unsupported ones are dropped: docs/compatibility.md#unsupported-parameters). */
export const OPTIONAL_PARAMS = new Set([
  'temperature', 'top_p', 'top_k', 'min_p', 'top_a', 'frequency_penalty', 'presence_penalty', 'repetition_penalty',
  'max_tokens', 'max_completion_tokens', 'logit_bias', 'logprobs', 'top_logprobs', 'seed', 'response_format', 'stop',
  'tools', 'tool_choice', 'parallel_tool_calls', 'prediction', 'web_search_options', 'verbosity', 'service_tier',
])

const ROUTING = new Set<string>(ROUTING_FIELDS)

/** Whether an endpoint takes a parameter, counting the aliases hosts list under one name. */
export const supportsParam = (endpoint: Endpoint, param: string): boolean => {
  const listed = endpoint.supported_parameters
  switch (param) {
    case 'max_tokens':
    case 'max_completion_tokens':
      return listed.includes('max_tokens') || listed.includes('max_completion_tokens')
    case 'parallel_tool_calls':
      return listed.includes('parallel_tool_calls') || listed.includes('tools')
    case 'response_format':
      return listed.includes('response_format') || listed.includes('structured_outputs')
    default:
      return listed.includes(param)
  }
}

/** Anthropic-style `cache_control` may sit on any part (text, image…); OpenAI rejects it. */
const cleanPart = (part: ContentPart): ContentPart => {
  if (!('cache_control' in part)) return part
  const { cache_control: _, ...rest } = part
  return rest as ContentPart
}

/** OpenAI rejects fields it does not know inside messages, so send only its own. */
const toOpenAIMessage = (m: Message): Record<string, unknown> => {
  const content = typeof m.content === 'string' || m.content == null ? m.content : m.content.map(cleanPart)
  const name = m.name === undefined ? {} : { name: m.name }
  switch (m.role) {
    case 'assistant':
      return { role: 'assistant', content: content ?? null, ...name, ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}) }
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id, content }
    default:
      return { role: m.role, content, ...name }
  }
}

const OPENAI_EFFORTS: Record<string, string> = {
  max: 'high', xhigh: 'high', high: 'high', medium: 'medium', low: 'low', minimal: 'minimal',
}

/**
 * The request's own fields an OpenAI-wire host gets, in request order: routing fields,
 * fields the host rejects (`drop_params`) and optional ones the endpoint lacks are left out.
 */
export const forwardedFields = (req: Record<string, unknown>, target: Target, skip: ReadonlySet<string>): Record<string, unknown> => {
  const drop = new Set(target.provider.quirks?.drop_params ?? [])
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(req)) {
    if (value === undefined || value === null || ROUTING.has(field) || drop.has(field) || skip.has(field)) continue
    if (OPTIONAL_PARAMS.has(field) && !supportsParam(target.endpoint, field)) continue
    out[field] = value // includes host-specific extras the caller chose to send (e.g. Mistral's safe_prompt)
  }
  return out
}

/** `stream` and `stream_options` as the host takes them, then the host's dropped fields (also those just added). */
export const finishBody = (body: Record<string, unknown>, stream: boolean | null | undefined, target: Target): Record<string, unknown> => {
  const quirks = target.provider.quirks ?? {}
  if (stream) {
    body.stream = true
    if (quirks.stream_usage !== false) body.stream_options = { include_usage: true }
  } else {
    delete body.stream
  }
  for (const field of quirks.drop_params ?? []) if (field !== 'model' && field !== 'messages' && field !== 'prompt' && field !== 'input') delete body[field]
  return body
}

/** Addressing and auth of an OpenAI-wire request; azure.ts swaps this for deployment URLs. */
export const openaiRequest = (target: Target, path: string, body: Record<string, unknown>): UpstreamRequest => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`
  return { url: `${target.baseUrl.replace(/\/+$/, '')}/${path}`, headers, body: JSON.stringify(body) }
}

const CHAT_SKIP = new Set(['messages', 'max_tokens', 'max_completion_tokens'])

export const chatBody = (req: CanonicalRequest, target: Target): Record<string, unknown> => {
  const { endpoint, provider } = target
  const quirks = provider.quirks ?? {}
  const body: Record<string, unknown> = { model: endpoint.upstream_id, ...forwardedFields(req, target, CHAT_SKIP) }
  body.messages = req.messages.map(toOpenAIMessage)

  const maxTokens = req.max_completion_tokens ?? req.max_tokens
  if (maxTokens != null) body[quirks.max_tokens_param ?? 'max_tokens'] = maxTokens

  const effort = req.reasoning?.effort ?? req.reasoning_effort
  if (effort && endpoint.capabilities.reasoning && supportsParam(endpoint, 'reasoning_effort')) {
    const mapped = OPENAI_EFFORTS[effort]
    if (mapped) body.reasoning_effort = mapped
  }
  Object.assign(body, hostReasoningFields(req, target))
  return finishBody(body, req.stream, target)
}

export const toUpstream = (req: CanonicalRequest, target: Target): UpstreamRequest =>
  openaiRequest(target, 'chat/completions', chatBody(req, target))

/** Normalized finish reason (docs/compatibility.md#finish-reasons); the raw value travels as native_finish_reason. */
export const mapFinishReason = (raw: string | null | undefined): FinishReason | null => {
  switch (raw) {
    case null:
    case undefined:
    case '':
      return null
    case 'length':
    case 'max_tokens':
      return 'length'
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls'
    case 'content_filter':
      return 'content_filter'
    case 'error':
      return 'error'
    default:
      return 'stop'
  }
}

export const mapUsage = (u: OpenAIUsage): Usage => ({
  prompt_tokens: u.prompt_tokens ?? 0,
  completion_tokens: u.completion_tokens ?? 0,
  cached_tokens: u.prompt_tokens_details?.cached_tokens ?? u.prompt_cache_hit_tokens ?? 0,
  cache_write_tokens: u.prompt_tokens_details?.cache_write_tokens ?? 0,
  reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
})

export class UpstreamShapeError extends Error {
  override name = 'UpstreamShapeError'
}

export const fromUpstream = (json: unknown): CanonicalResponse => {
  const parsed = OpenAIResponse.safeParse(json)
  if (!parsed.success) throw new UpstreamShapeError(`unexpected response shape: ${parsed.error.issues[0]?.message}`)
  const body = parsed.data
  return {
    upstreamId: body.id ?? null,
    systemFingerprint: body.system_fingerprint ?? null,
    choices: body.choices.map((choice) => ({
      index: choice.index,
      message: {
        role: 'assistant',
        content: choice.message.content ?? null,
        refusal: choice.message.refusal ?? null,
        reasoning: choice.message.reasoning ?? choice.message.reasoning_content ?? null,
        ...(choice.message.tool_calls?.length ? { tool_calls: choice.message.tool_calls } : {}),
      },
      finish_reason: mapFinishReason(choice.finish_reason),
      native_finish_reason: choice.finish_reason ?? null,
      logprobs: choice.logprobs ?? null,
    })),
    usage: body.usage ? mapUsage(body.usage) : null,
  }
}

const errorCode = (code: unknown): string | undefined =>
  typeof code === 'string' ? code : typeof code === 'number' ? String(code) : undefined

/** An in-stream `error` object (OpenRouter and several hosts send one) as a ProviderError. */
export const streamError = (e: { message?: string | undefined; code?: unknown; type?: string | null | undefined }, raw: unknown): ProviderError => {
  const status = typeof e.code === 'number' && e.code >= 400 ? e.code : 502
  const code = errorCode(e.code) ?? e.type ?? undefined
  return { status, message: e.message ?? 'Upstream stream error', raw, ...(code ? { code } : {}) }
}

export const fromUpstreamEvent = (event: SseEvent, state: null): EventResult<null> => {
  if (event.data === '[DONE]') return { kind: 'done', chunks: [], state }
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch {
    return { kind: 'error', error: { status: 502, message: 'Upstream sent a malformed stream event' }, state }
  }
  const plain = plainTextChunk(json)
  if (plain) return { kind: 'chunks', chunks: [plain], state }
  const parsed = OpenAIChunk.safeParse(json)
  if (!parsed.success) return { kind: 'error', error: { status: 502, message: 'Upstream sent an unexpected stream event', raw: json }, state }
  const chunk = parsed.data
  if (chunk.error) return { kind: 'error', error: streamError(chunk.error, json), state }
  return { kind: 'chunks', chunks: [fromChunk(chunk)], state }
}

/** One schema-checked stream event as a canonical chunk. */
export const fromChunk = (chunk: z.infer<typeof OpenAIChunk>): CanonicalChunk => ({
    choices: chunk.choices.map((choice) => {
      const d = choice.delta
      const reasoning = d.reasoning ?? d.reasoning_content
      return {
        index: choice.index,
        delta: {
          ...(d.role === 'assistant' ? { role: 'assistant' as const } : {}),
          ...(d.content != null ? { content: d.content } : {}),
          ...(reasoning != null ? { reasoning } : {}),
          ...(d.refusal != null ? { refusal: d.refusal } : {}),
          ...(d.tool_calls?.length
            ? {
                tool_calls: d.tool_calls.map((t) => ({
                  index: t.index,
                  ...(t.id ? { id: t.id } : {}),
                  ...(t.type ? { type: t.type } : {}),
                  ...(t.function
                    ? {
                        function: {
                          ...(t.function.name != null ? { name: t.function.name } : {}),
                          ...(t.function.arguments != null ? { arguments: t.function.arguments } : {}),
                        },
                      }
                    : {}),
                })),
              }
            : {}),
        },
        finish_reason: mapFinishReason(choice.finish_reason),
        native_finish_reason: choice.finish_reason ?? null,
        logprobs: choice.logprobs ?? null,
      }
    }),
    ...(chunk.id ? { upstreamId: chunk.id } : {}),
    ...(chunk.system_fingerprint ? { systemFingerprint: chunk.system_fingerprint } : {}),
    ...(chunk.usage ? { usage: mapUsage(chunk.usage) } : {}),
})

/** Seconds to wait, from `retry-after-ms`, `retry-after` (seconds or an HTTP date). */
export const retryAfterSeconds = (headers: Headers, nowMs = Date.now()): number | undefined => {
  const ms = Number(headers.get('retry-after-ms'))
  if (ms > 0) return Math.ceil(ms / 1000)
  const value = headers.get('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000))
}

export const parseError = (status: number, text: string, headers: Headers): ProviderError => {
  const { raw, body } = readErrorBody(text, OpenAIError)
  const e = body?.error
  const found = typeof e === 'string' ? { message: e } : { message: e?.message, code: e ? errorCode(e.code) ?? e.type : undefined }
  return providerError(status, raw, found, retryAfterSeconds(headers))
}

export const openai: ProviderAdapter<null> = {
  toUpstream,
  fromUpstream,
  initialState: () => null,
  fromUpstreamEvent,
  parseError,
}
