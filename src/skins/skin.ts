// A skin is one public wire shape of inference (OpenAI chat, legacy completions,
// embeddings, Anthropic Messages, OpenAI Responses). The inference pipeline plans,
// admits, attempts, settles and records once for all of them; a skin only says how
// its wire body becomes the canonical request and how canonical results go back out.
// Codecs are pure: no I/O, no env, no clock.
import type { Cost } from '../billing/pricing.ts'
import type { GatewayError } from '../errors.ts'
import type {
  CanonicalChunk, CanonicalRequest, CanonicalResponse, ProviderAdapter, ProviderError, Target, UpstreamRequest, Usage,
} from '../providers/types.ts'
import type { StreamDecoder } from '../routing/collect.ts'

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
  /** The prompt's tokens as admission estimated them, for wires that report them before the answer (message_start). */
  promptTokens?: number
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
  /** Top-level fields the gateway adds to the last event, for wires with room for them (`openrouter_metadata`). */
  extra?: Record<string, unknown>
}

/**
 * One stream's encoder, made per request: it keeps whatever state its wire needs
 * (open content blocks, output item indexes, accumulated text for `.done` events).
 */
export interface StreamEncoder {
  /** Sent before anything from the upstream (e.g. message_start, response.created). */
  start(): SseOut[]
  /**
   * One canonical chunk from the upstream, in order. Every chunk comes here, usage-only ones
   * (choices []) too, with hidden reasoning already removed; return [] when there is nothing to send.
   */
  chunk(chunk: CanonicalChunk): SseOut[]
  /** A normal end, with the final usage and cost (e.g. message_delta + message_stop, response.completed, the usage chunk + [DONE]). */
  end(finish: StreamFinish): SseOut[]
  /**
   * A failure after the first byte reached the client: the wire's in-stream error, and whatever
   * the wire sends after it (chat: its usage chunk and [DONE]). `end` is not called after it.
   * `status` is ≥ 400 and `message` is the public one (5xx upstream text is replaced).
   */
  error(error: ProviderError & { errorType: string }, finish: StreamFinish): SseOut[]
  /** `debug.echo_upstream_body`: the event(s) showing the (redacted) upstream body, sent first. Wires without one omit it. */
  debugEcho?(upstreamBody: unknown): SseOut[]
}

/**
 * Endpoints that speak a skin natively get its request as it is, not the canonical one:
 * legacy completions on hosts with their own /completions, Anthropic Messages on Anthropic.
 * The answer still comes back canonical, so the skin's encoders serve both paths.
 */
export interface NativeOperation<Req> {
  /** Whether this endpoint takes the skin natively (its adapter has the part, its host allows it). */
  serves(adapter: ProviderAdapter, target: Target): boolean
  /** `maxTokens`: the attempt's output cap when max_cost lowers the request's own; undefined keeps the request's. */
  build(adapter: ProviderAdapter, target: Target, req: Req, o: { stream: boolean; maxTokens: number | undefined }): UpstreamRequest
  /** A whole JSON answer; throws on a body of the wrong shape. */
  parse(adapter: ProviderAdapter, json: unknown): CanonicalResponse
  /** Its upstream stream events as canonical chunks. */
  decoder(adapter: ProviderAdapter): StreamDecoder
}

export interface SkinCodec<Req> {
  apiType: ApiType
  /**
   * Parse and validate the wire body; bad input throws a GatewayError (400) naming the field.
   * `header` reads the request's headers, for wires that carry request options there (`anthropic-beta`).
   */
  decode(raw: string, header?: (name: string) => string | undefined): Req
  /** The canonical (OpenAI chat) request that is planned and sent on every wire. */
  toCanonical(req: Req): CanonicalRequest
  /** The JSON body of a non-streaming answer. */
  encodeJson(meta: SkinMeta, res: CanonicalResponse, usage: Usage, cost: Cost, req: Req): unknown
  /** A fresh encoder for one streaming answer. */
  streamEncoder(meta: SkinMeta, req: Req): StreamEncoder
  /** This wire's error envelope, for every error on its routes (auth and validation included). */
  errorBody(error: GatewayError): { status: number; body: unknown; headers?: Record<string, string> }
  /** Endpoints that speak this skin natively; every other endpoint is sent `toCanonical`'s request. */
  native?: NativeOperation<Req>
  /**
   * encodeJson writes choice 0's text once, as one JSON string (api/spill-json.ts can then
   * write the body as its text arrives): a long plain-text answer is sent as it comes rather
   * than held whole. Not Responses: its output_text repeats the text.
   */
  spills?: true
}
