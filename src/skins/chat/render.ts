// Public response shapes (docs/compatibility.md#chat-responses): the canonical response plus OpenRouter's
// additions. What the strict clients require is noted where it is easy to break.
import type { Cost } from '../../billing/pricing.ts'
import { toDollars } from '../../lib/money.ts'
import type { CanonicalChunkChoice, CanonicalResponse, Usage } from '../../providers/types.ts'
import type { SkinMeta, SseOut, StreamEncoder } from '../skin.ts'

/** Identity shared by every body and chunk of one generation (the served model keeps a `:free` suffix). */
export type GenerationMeta = SkinMeta

export const publicUsage = (u: Usage, cost: Cost) => ({
  prompt_tokens: u.prompt_tokens,
  completion_tokens: u.completion_tokens,
  total_tokens: u.prompt_tokens + u.completion_tokens,
  cost: toDollars(cost.total),
  is_byok: false,
  prompt_tokens_details: { cached_tokens: u.cached_tokens, cache_write_tokens: u.cache_write_tokens, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: u.reasoning_tokens, audio_tokens: 0 },
  // @openrouter/sdk requires both *_cost fields whenever cost_details is present.
  cost_details: {
    upstream_inference_cost: null,
    upstream_inference_prompt_cost: toDollars(cost.prompt),
    upstream_inference_completions_cost: toDollars(cost.completion),
  },
})

export const completionBody = (meta: GenerationMeta, body: CanonicalResponse, usage: Usage, cost: Cost) => ({
  id: meta.id,
  object: 'chat.completion' as const,
  created: meta.created,
  model: meta.model,
  provider: meta.provider,
  // The key is required by @openrouter/sdk (null is fine) in non-streaming bodies.
  system_fingerprint: body.systemFingerprint,
  choices: body.choices.map((c) => ({
    index: c.index,
    logprobs: c.logprobs ?? null,
    finish_reason: c.finish_reason,
    native_finish_reason: c.native_finish_reason,
    message: c.message,
  })),
  usage: publicUsage(usage, cost),
})

/** A stream chunk. `system_fingerprint` is omitted rather than null: the SDK rejects null in chunks. */
export const chunkBody = (meta: GenerationMeta, choices: CanonicalChunkChoice[], fingerprint?: string) => ({
  id: meta.id,
  object: 'chat.completion.chunk' as const,
  created: meta.created,
  model: meta.model,
  provider: meta.provider,
  ...(fingerprint ? { system_fingerprint: fingerprint } : {}),
  choices,
})

export const usageChunk = (meta: GenerationMeta, usage: Usage, cost: Cost) => ({
  ...chunkBody(meta, []),
  usage: publicUsage(usage, cost),
})

/** The debug chunk of a stream (`debug.echo_upstream_body`): no choices, the body the provider was sent. */
export const debugChunk = (meta: GenerationMeta, upstreamBody: unknown) => ({
  ...chunkBody(meta, []),
  debug: { echo_upstream_body: upstreamBody },
})

/** The terminal chunk of a stream that failed after its first byte (docs/compatibility.md#errors-during-a-stream): integer code, finish_reason "error". */
export const errorChunk = (meta: GenerationMeta, status: number, message: string, errorType: string) => ({
  ...chunkBody(meta, [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: null, logprobs: null }]),
  error: { code: status, message, metadata: { error_type: errorType } },
})

/** The stream's last data event. */
export const DONE_EVENT: SseOut = { data: '[DONE]' }

/**
 * Chat's stream: a chunk per canonical chunk with choices (the latest system_fingerprint
 * carried on), then one usage chunk and [DONE]; a failure sends the error chunk first.
 */
export const chatStreamEncoder = (meta: GenerationMeta): StreamEncoder => {
  let fingerprint: string | undefined
  const end: StreamEncoder['end'] = (f) => [{ data: { ...usageChunk(meta, f.usage, f.cost), ...f.extra } }, DONE_EVENT]
  return {
    start: () => [],
    chunk: (chunk) => {
      if (chunk.systemFingerprint) fingerprint = chunk.systemFingerprint
      return chunk.choices.length ? [{ data: chunkBody(meta, chunk.choices, fingerprint) }] : []
    },
    end,
    error: (e, f) => [{ data: errorChunk(meta, e.status, e.message, e.errorType) }, ...end(f)],
    debugEcho: (upstreamBody) => [{ data: debugChunk(meta, upstreamBody) }],
  }
}
