// The canonical request/response every adapter translates to and from. Canonical
// is the OpenAI chat shape (what the public API speaks), so the openai adapter is
// nearly the identity and the others translate once each way.
import type { Endpoint, Model, Provider } from '../catalog/schema.ts'
import type { ChatRequest } from '../schemas/chat-request.ts'
import type { CompletionRequest } from '../schemas/completion-request.ts'
import type { EmbeddingsRequest } from '../schemas/embeddings-request.ts'

/** Fields that steer Switchboard itself and never reach an upstream. */
export const ROUTING_FIELDS = [
  'model', 'models', 'provider', 'route', 'usage', 'transforms', 'debug', 'plugins', 'preset',
  'session_id', 'trace', 'stream_options', 'include_reasoning', 'reasoning', 'reasoning_effort', 'max_cost',
] as const

export type CanonicalRequest = ChatRequest

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error'

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  cached_tokens: number
  cache_write_tokens: number
  reasoning_tokens: number
}

export interface ToolCallOut {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/**
 * Structured reasoning (docs/compatibility.md#messages): what a client must send back unchanged for
 * multi-turn reasoning, e.g. Anthropic's signed thinking blocks.
 */
export type ReasoningDetail =
  | { type: 'reasoning.text'; text?: string; signature?: string; format: string; index: number }
  | { type: 'reasoning.encrypted'; data: string; format: string; index: number }

export interface CanonicalMessage {
  role: 'assistant'
  content: string | null
  refusal: string | null
  reasoning: string | null
  reasoning_details?: ReasoningDetail[]
  tool_calls?: ToolCallOut[]
}

export interface CanonicalChoice {
  index: number
  message: CanonicalMessage
  finish_reason: FinishReason | null
  native_finish_reason: string | null
  logprobs: unknown
}

export interface CanonicalResponse {
  upstreamId: string | null
  systemFingerprint: string | null
  choices: CanonicalChoice[]
  /** null when the upstream reported none (then it is estimated). */
  usage: Usage | null
}

export interface ToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function?: { name?: string; arguments?: string }
}

export interface ChunkDelta {
  role?: 'assistant'
  content?: string | null
  reasoning?: string | null
  reasoning_details?: ReasoningDetail[]
  refusal?: string | null
  tool_calls?: ToolCallDelta[]
}

export interface CanonicalChunkChoice {
  index: number
  delta: ChunkDelta
  finish_reason: FinishReason | null
  native_finish_reason: string | null
  logprobs: unknown
}

/** One translated stream event. A chunk may carry only usage (choices empty). */
export interface CanonicalChunk {
  upstreamId?: string
  systemFingerprint?: string
  choices: CanonicalChunkChoice[]
  usage?: Usage
}

/** A failure the upstream reported, before or during the stream. */
export interface ProviderError {
  status: number
  message: string
  /** The upstream's own error code or type, when it gave one. */
  code?: string
  /** The upstream body, for `metadata.raw` on relayed errors. Never contains our secrets. */
  raw?: unknown
  /** Seconds, from Retry-After. */
  retryAfter?: number
}

export interface UpstreamRequest {
  url: string
  headers: Record<string, string>
  body: string
}

/** What an adapter needs to address one endpoint: resolved from catalog + config, no env access inside adapters. */
export interface Target {
  model: Model
  endpoint: Endpoint
  provider: Provider
  baseUrl: string
  apiKey: string | undefined
}

export interface SseEvent {
  event?: string | undefined
  data: string
}

export type EventResult<S> =
  | { kind: 'chunks'; chunks: CanonicalChunk[]; state: S }
  | { kind: 'done'; chunks: CanonicalChunk[]; state: S }
  | { kind: 'error'; error: ProviderError; state: S }

export interface EmbeddingsResult {
  upstreamId: string | null
  /** One vector per input, in input order: floats, or base64 little-endian float32 when the upstream sent that. */
  vectors: (number[] | string)[]
  /** null when the upstream reported none (then it is estimated). */
  promptTokens: number | null
}

/** POST /embeddings, for protocols that have it. */
export interface EmbeddingsAdapter {
  /** Whether token-id arrays (number[] inputs) are accepted, or text only. */
  tokenInput: boolean
  toUpstream(req: EmbeddingsRequest, target: Target): UpstreamRequest
  fromUpstream(body: unknown): EmbeddingsResult
}

export interface TextChoice {
  index: number
  text: string
  finish_reason: FinishReason | null
  native_finish_reason: string | null
  logprobs: unknown
}

export interface TextCompletionResponse {
  upstreamId: string | null
  systemFingerprint: string | null
  choices: TextChoice[]
  usage: Usage | null
}

/** Legacy POST /completions, forwarded natively (OpenAI-wire hosts only). */
export interface CompletionsAdapter {
  toUpstream(req: CompletionRequest, target: Target): UpstreamRequest
  fromUpstream(body: unknown): TextCompletionResponse
  /** Stream events as canonical chunks whose `delta.content` carries the text. */
  fromUpstreamEvent(event: SseEvent, state: null): EventResult<null>
}

/** One adapter per wire protocol: pure translate functions. */
export interface ProviderAdapter<S = unknown> {
  toUpstream(req: CanonicalRequest, target: Target): UpstreamRequest
  fromUpstream(body: unknown): CanonicalResponse
  initialState(): S
  fromUpstreamEvent(event: SseEvent, state: S): EventResult<S>
  parseError(status: number, body: string, headers: Headers): ProviderError
  embeddings?: EmbeddingsAdapter
  completions?: CompletionsAdapter
}
