// Public legacy text-completion shapes (docs/compatibility.md#legacy-text-completions): OpenAI's `text_completion`
// object plus OpenRouter's additions, JSON and stream chunks (`choices[].text` deltas),
// drawn from the canonical answer whichever way the endpoint was asked (natively, or as
// chat). Usage is the chat usage object.
import type { Cost } from '../../billing/pricing.ts'
import type { CanonicalChunkChoice, CanonicalResponse, Usage } from '../../providers/types.ts'
import type { StreamEncoder } from '../skin.ts'
import { DONE_EVENT, publicUsage, type GenerationMeta } from '../chat/render.ts'
import { isRecord } from '../../lib/json.ts'

const head = (meta: GenerationMeta) => ({
  id: meta.id,
  object: 'text_completion' as const,
  created: meta.created,
  model: meta.model,
  provider: meta.provider,
})

interface ChatTokenLogprob {
  token: string
  logprob: number
  top_logprobs?: { token: string; logprob: number }[]
}

/**
 * Legacy logprobs from chat ones (`{content: [{token, logprob, top_logprobs}]}`), for models
 * asked through chat; a native host's legacy object passes as it is. `offset` is where this
 * piece of text starts in the whole answer.
 */
export const legacyLogprobs = (logprobs: unknown, offset = 0): unknown => {
  if (!isRecord(logprobs) || !Array.isArray(logprobs.content)) return logprobs ?? null
  const tokens = logprobs.content as ChatTokenLogprob[]
  let at = offset
  return {
    tokens: tokens.map((t) => t.token),
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) => Object.fromEntries((t.top_logprobs ?? []).map((top) => [top.token, top.logprob]))),
    text_offset: tokens.map((t) => {
      const start = at
      at += t.token.length
      return start
    }),
  }
}

export const textCompletionBody = (meta: GenerationMeta, body: CanonicalResponse, usage: Usage, cost: Cost) => ({
  ...head(meta),
  system_fingerprint: body.systemFingerprint,
  choices: body.choices.map((c) => ({
    index: c.index,
    text: c.message.content ?? '',
    finish_reason: c.finish_reason,
    native_finish_reason: c.native_finish_reason,
    logprobs: legacyLogprobs(c.logprobs),
  })),
  usage: publicUsage(usage, cost),
})

const errorChoice: CanonicalChunkChoice = { index: 0, delta: {}, finish_reason: 'error', native_finish_reason: null, logprobs: null }

/**
 * Text deltas as `choices[].text`. A choice with neither text nor a finish reason (a
 * role or tool-call delta from a chat host) has nothing to say here and is left out.
 */
export const textStreamEncoder = (meta: GenerationMeta): StreamEncoder => {
  let fingerprint: string | undefined
  /** Characters sent so far per choice, for legacy logprobs' text_offset. */
  const offsets = new Map<number, number>()
  const chunk = (choices: CanonicalChunkChoice[]) => ({
    ...head(meta),
    ...(fingerprint ? { system_fingerprint: fingerprint } : {}),
    choices: choices.map((c) => {
      const text = c.delta.content ?? ''
      const offset = offsets.get(c.index) ?? 0
      offsets.set(c.index, offset + text.length)
      return { index: c.index, text, finish_reason: c.finish_reason, native_finish_reason: c.native_finish_reason, logprobs: legacyLogprobs(c.logprobs, offset) }
    }),
  })
  const end: StreamEncoder['end'] = (f) => [{ data: { ...chunk([]), usage: publicUsage(f.usage, f.cost), ...f.extra } }, DONE_EVENT]
  return {
    start: () => [],
    chunk: (canonical) => {
      if (canonical.systemFingerprint) fingerprint = canonical.systemFingerprint
      const choices = canonical.choices.filter((c) => c.delta.content || c.finish_reason !== null || c.logprobs != null)
      return choices.length ? [{ data: chunk(choices) }] : []
    },
    end,
    error: (e, f) => [
      { data: { ...chunk([errorChoice]), error: { code: e.status, message: e.message, metadata: { error_type: e.errorType } } } },
      ...end(f),
    ],
  }
}
