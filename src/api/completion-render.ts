// Public legacy text-completion shapes (docs/compatibility.md#legacy-text-completions): OpenAI's `text_completion`
// object plus OpenRouter's additions, JSON and stream chunks (`choices[].text` deltas).
// Usage is the chat usage object.
import type { Cost } from '../billing/pricing.ts'
import type { CanonicalChunkChoice, TextCompletionResponse, Usage } from '../providers/types.ts'
import type { ChunkRenderer } from '../streaming/translate.ts'
import { publicUsage, type GenerationMeta } from './chat-render.ts'

const head = (meta: GenerationMeta) => ({
  id: meta.id,
  object: 'text_completion' as const,
  created: meta.created,
  model: meta.model,
  provider: meta.provider,
})

export const textCompletionBody = (meta: GenerationMeta, body: TextCompletionResponse, usage: Usage, cost: Cost) => ({
  ...head(meta),
  system_fingerprint: body.systemFingerprint,
  choices: body.choices.map((c) => ({
    index: c.index,
    text: c.text,
    finish_reason: c.finish_reason,
    native_finish_reason: c.native_finish_reason,
    logprobs: c.logprobs ?? null,
  })),
  usage: publicUsage(usage, cost),
})

/** Canonical chunk choices carry the text in `delta.content` (openai-completions.ts). */
const textChoices = (choices: CanonicalChunkChoice[]) =>
  choices.map((c) => ({
    index: c.index,
    text: c.delta.content ?? '',
    finish_reason: c.finish_reason,
    native_finish_reason: c.native_finish_reason,
    logprobs: c.logprobs ?? null,
  }))

const chunk = (meta: GenerationMeta, choices: CanonicalChunkChoice[], fingerprint?: string) => ({
  ...head(meta),
  ...(fingerprint ? { system_fingerprint: fingerprint } : {}),
  choices: textChoices(choices),
})

export const TEXT_CHUNKS: ChunkRenderer = {
  chunk,
  usage: (meta, usage, cost) => ({ ...chunk(meta, []), usage: publicUsage(usage, cost) }),
  error: (meta, status, message, errorType) => ({
    ...chunk(meta, [{ index: 0, delta: {}, finish_reason: 'error', native_finish_reason: null, logprobs: null }]),
    error: { code: status, message, metadata: { error_type: errorType } },
  }),
}
