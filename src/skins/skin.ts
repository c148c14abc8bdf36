// A skin is one public wire shape of inference (OpenAI chat, legacy completions,
// embeddings, Anthropic Messages, OpenAI Responses). The inference pipeline plans,
// admits, attempts, settles and records once for all of them; a skin only says how
// its wire body becomes the canonical request and how canonical results go back out.
// Codecs are pure: no I/O, no env, no clock.
import type { Cost } from '../billing/pricing.ts'
import type { GatewayError } from '../errors.ts'
import type { CanonicalChunk, CanonicalRequest, CanonicalResponse, ProviderError, Usage } from '../providers/types.ts'

/** What /generation reports as `api_type`: which skin served the request. */
export type ApiType = 'completions' | 'embeddings' | 'messages' | 'responses'

/** Identity shared by every body and event of one generation. */
export interface SkinMeta {
  /** The generation id (`gen-…`), also the X-Generation-Id header. */
  id: string
  /** Unix seconds. */
  created: number
  /** The concrete catalog model that served. */
  model: string
  /** Provider display name. */
  provider: string
}

/** One SSE event out: `event:` named (Anthropic, Responses) or data only (chat). `data` is JSON-encoded, or sent raw when a string. */
export interface SseOut {
  event?: string
  data: unknown
}

/** How a stream ended, as the pipeline saw it. */
export interface StreamFinish {
  usage: Usage
  cost: Cost
  /** The canonical finish reason of the (first) choice; null when the upstream gave none. */
  finish: CanonicalResponse['choices'][number]['finish_reason']
  nativeFinish: string | null
}

/**
 * One stream's encoder, made per request: it keeps whatever state its wire needs
 * (open content blocks, output item indexes, accumulated text for `.done` events).
 */
export interface StreamEncoder {
  /** Sent before anything from the upstream (e.g. message_start, response.created). */
  start(): SseOut[]
  /** One canonical chunk from the upstream. */
  chunk(chunk: CanonicalChunk): SseOut[]
  /** A normal end, with the final usage and cost (e.g. message_delta + message_stop, response.completed, the usage chunk + [DONE]). */
  end(finish: StreamFinish): SseOut[]
  /** A failure after the first byte reached the client: the wire's in-stream error. */
  error(error: ProviderError & { errorType: string }): SseOut[]
}

export interface SkinCodec<Req> {
  apiType: ApiType
  /** Parse and validate the wire body; bad input throws a GatewayError (400) naming the field. */
  decode(raw: string): Req
  /** The canonical (OpenAI chat) request that is planned and sent on every wire. */
  toCanonical(req: Req): CanonicalRequest
  /** The JSON body of a non-streaming answer. */
  encodeJson(meta: SkinMeta, res: CanonicalResponse, usage: Usage, cost: Cost, req: Req): unknown
  /** A fresh encoder for one streaming answer. */
  streamEncoder(meta: SkinMeta, req: Req): StreamEncoder
  /** This wire's error envelope, for every error on its routes (auth and validation included). */
  errorBody(error: GatewayError): { status: number; body: unknown; headers?: Record<string, string> }
}
