// Legacy POST /completions on OpenAI-wire hosts, forwarded natively (not via chat):
// the host's own prompt handling is the point of the endpoint. Always `max_tokens`
// (the legacy API has no max_completion_tokens, whatever the host's chat quirk says).
// @see https://platform.openai.com/docs/api-reference/completions
import type { CompletionRequest } from '../schemas/completion-request.ts'
import { finishBody, forwardedFields, mapFinishReason, mapUsage, openaiRequest, streamError, UpstreamShapeError } from './openai.ts'
import type { CanonicalChunk, CompletionsAdapter, EventResult, SseEvent, Target, TextCompletionResponse, UpstreamRequest } from './types.ts'
import { OpenAICompletion } from './wire/openai.ts'
import { parseEventData } from './upstream-errors.ts'

const SKIP = new Set(['prompt', 'max_tokens', 'max_completion_tokens', 'messages'])

export const completionsBody = (req: CompletionRequest, target: Target): Record<string, unknown> => {
  const body: Record<string, unknown> = { model: target.endpoint.upstream_id, ...forwardedFields(req, target, SKIP), prompt: req.prompt }
  if (req.max_tokens != null) body.max_tokens = req.max_tokens
  return finishBody(body, req.stream, target)
}

export const toUpstream = (req: CompletionRequest, target: Target): UpstreamRequest =>
  openaiRequest(target, 'completions', completionsBody(req, target))

export const fromUpstream = (json: unknown): TextCompletionResponse => {
  const parsed = OpenAICompletion.safeParse(json)
  if (!parsed.success || parsed.data.choices.length === 0) {
    throw new UpstreamShapeError(`unexpected completion shape: ${parsed.error?.issues[0]?.message ?? 'no choices'}`)
  }
  const body = parsed.data
  return {
    upstreamId: body.id ?? null,
    systemFingerprint: body.system_fingerprint ?? null,
    choices: body.choices.map((c) => ({
      index: c.index,
      text: c.text ?? '',
      finish_reason: mapFinishReason(c.finish_reason),
      native_finish_reason: c.finish_reason ?? null,
      logprobs: c.logprobs ?? null,
    })),
    usage: body.usage ? mapUsage(body.usage) : null,
  }
}

export const fromUpstreamEvent = (event: SseEvent, state: null): EventResult<null> => {
  if (event.data === '[DONE]') return { kind: 'done', chunks: [], state }
  const parsed = parseEventData(event.data, OpenAICompletion)
  if (!parsed.ok) return { kind: 'error', error: parsed.error, state }
  const chunk = parsed.value
  if (chunk.error) return { kind: 'error', error: streamError(chunk.error, parsed.json), state }
  const out: CanonicalChunk = {
    choices: chunk.choices.map((c) => ({
      index: c.index,
      delta: c.text ? { content: c.text } : {},
      finish_reason: mapFinishReason(c.finish_reason),
      native_finish_reason: c.finish_reason ?? null,
      logprobs: c.logprobs ?? null,
    })),
    ...(chunk.id ? { upstreamId: chunk.id } : {}),
    ...(chunk.system_fingerprint ? { systemFingerprint: chunk.system_fingerprint } : {}),
    ...(chunk.usage ? { usage: mapUsage(chunk.usage) } : {}),
  }
  return { kind: 'chunks', chunks: [out], state }
}

export const openaiCompletions: CompletionsAdapter = { toUpstream, fromUpstream, fromUpstreamEvent }
