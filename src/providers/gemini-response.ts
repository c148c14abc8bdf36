// Gemini responses → canonical: a whole generateContent body, and the
// streamGenerateContent?alt=sse events one at a time (state as an explicit value).
// @see https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
import { UpstreamShapeError } from './openai.ts'
import type {
  CanonicalChunk, CanonicalResponse, ChunkDelta, EventResult, FinishReason, ProviderError, SseEvent, ToolCallOut, Usage,
} from './types.ts'
import { GeminiErrorBody, GeminiResponse, type GeminiResponsePart, type GeminiUsage } from './wire/gemini.ts'

/**
 * MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL and TOO_MANY_TOOL_CALLS map to
 * `error`: the model produced no usable answer, so the client should see a failed
 * generation (not an empty success), and zero-completion insurance (docs/compatibility.md#zero-completion-insurance)
 * keeps it free. STOP with functionCall parts is `tool_calls` (Gemini has no such reason).
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export const mapFinishReason = (raw: string | null | undefined, hasToolCalls = false): FinishReason | null => {
  switch (raw) {
    case null: case undefined: case '':
      return null
    case 'MAX_TOKENS':
      return 'length'
    case 'SAFETY': case 'RECITATION': case 'BLOCKLIST': case 'PROHIBITED_CONTENT': case 'SPII':
    case 'IMAGE_SAFETY': case 'IMAGE_PROHIBITED_CONTENT': case 'IMAGE_RECITATION':
      return 'content_filter'
    case 'MALFORMED_FUNCTION_CALL': case 'UNEXPECTED_TOOL_CALL': case 'TOO_MANY_TOOL_CALLS':
      return 'error'
    case 'STOP':
      return hasToolCalls ? 'tool_calls' : 'stop'
    default:
      return 'stop'
  }
}

/** Thought tokens are output tokens; tool-use prompt tokens are billed as input. @see https://ai.google.dev/api/generate-content#UsageMetadata */
export const mapUsage = (u: GeminiUsage): Usage => ({
  prompt_tokens: (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0),
  completion_tokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
  cached_tokens: u.cachedContentTokenCount ?? 0,
  cache_write_tokens: 0,
  reasoning_tokens: u.thoughtsTokenCount ?? 0,
})

/** Gemini has no call ids; these are stable per position so replays map back to the name. */
const callId = (index: number, name: string, given: string | null | undefined) => given || `call_${index}_${name}`

const collectParts = (parts: GeminiResponsePart[], firstToolIndex: number) => {
  let text: string | null = null
  let reasoning: string | null = null
  const toolCalls: ToolCallOut[] = []
  for (const part of parts) {
    if (part.functionCall) {
      const { id, name, args } = part.functionCall
      toolCalls.push({ id: callId(firstToolIndex + toolCalls.length, name, id), type: 'function', function: { name, arguments: JSON.stringify(args ?? {}) } })
    } else if (part.text != null && part.thought) reasoning = (reasoning ?? '') + part.text
    else if (part.text != null) text = (text ?? '') + part.text
    // inlineData (image output) has no canonical field yet; it is dropped.
  }
  return { text, reasoning, toolCalls }
}

const shapeError = (message: string) => new UpstreamShapeError(`unexpected response shape: ${message}`)

export const fromUpstream = (json: unknown): CanonicalResponse => {
  const parsed = GeminiResponse.safeParse(json)
  if (!parsed.success) throw shapeError(parsed.error.issues[0]?.message ?? 'invalid')
  const body = parsed.data
  const usage = body.usageMetadata ? mapUsage(body.usageMetadata) : null
  const candidate = body.candidates?.[0]
  const base = { upstreamId: body.responseId ?? null, systemFingerprint: null, usage }
  const message = { role: 'assistant' as const, refusal: null }
  if (!candidate) {
    // The prompt itself was blocked: no candidates, only promptFeedback.blockReason.
    const block = body.promptFeedback?.blockReason
    if (!block) throw shapeError('no candidates')
    return { ...base, choices: [{ index: 0, message: { ...message, content: '', reasoning: null }, finish_reason: 'content_filter', native_finish_reason: block, logprobs: null }] }
  }
  const { text, reasoning, toolCalls } = collectParts(candidate.content?.parts ?? [], 0)
  return {
    ...base,
    choices: [{
      index: 0,
      message: { ...message, content: text ?? (toolCalls.length ? null : ''), reasoning, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: mapFinishReason(candidate.finishReason ?? 'STOP', toolCalls.length > 0),
      native_finish_reason: candidate.finishReason ?? null,
      logprobs: null,
    }],
  }
}

// --- stream --------------------------------------------------------------------

export interface GeminiStreamState {
  /** The role has been sent (on the first chunk with anything in it). */
  started: boolean
  /** functionCall parts seen so far: the next tool_calls index, and STOP → tool_calls. */
  toolCalls: number
  /** The latest usageMetadata (each event repeats it, growing); sent once, on the finish chunk. */
  usage: Usage | null
}

const chunkOf = (delta: ChunkDelta, finish: FinishReason | null, native: string | null, upstreamId: string | undefined, usage?: Usage | null): CanonicalChunk => ({
  ...(upstreamId ? { upstreamId } : {}),
  choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: native, logprobs: null }],
  ...(usage ? { usage } : {}),
})

const streamError = (json: unknown): ProviderError | null => {
  const parsed = GeminiErrorBody.safeParse(json)
  if (!parsed.success) return null
  const e = parsed.data.error
  return { status: e.code && e.code >= 400 ? e.code : 502, message: e.message ?? 'Upstream stream error', raw: json, ...(e.status ? { code: e.status } : {}) }
}

/**
 * Each SSE event is a whole GenerateContentResponse. There is no [DONE]: the event
 * carrying finishReason ends the stream (translate.ts treats an end without one as an error).
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export const fromUpstreamEvent = (event: SseEvent, state: GeminiStreamState): EventResult<GeminiStreamState> => {
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch {
    return { kind: 'error', error: { status: 502, message: 'Upstream sent a malformed stream event' }, state }
  }
  const failure = streamError(json)
  if (failure) return { kind: 'error', error: failure, state }
  const parsed = GeminiResponse.safeParse(json)
  if (!parsed.success) return { kind: 'error', error: { status: 502, message: 'Upstream sent an unexpected stream event', raw: json }, state }
  const body = parsed.data
  const upstreamId = body.responseId ?? undefined
  const next: GeminiStreamState = { ...state, usage: body.usageMetadata ? mapUsage(body.usageMetadata) : state.usage }
  const candidate = body.candidates?.[0]
  if (!candidate) {
    const block = body.promptFeedback?.blockReason
    if (!block) return { kind: 'chunks', chunks: [], state: next }
    const role = state.started ? {} : { role: 'assistant' as const, content: '' }
    return { kind: 'done', chunks: [chunkOf(role, 'content_filter', block, upstreamId, next.usage)], state: { ...next, started: true } }
  }

  const { text, reasoning, toolCalls } = collectParts(candidate.content?.parts ?? [], state.toolCalls)
  next.toolCalls += toolCalls.length
  const delta: ChunkDelta = {
    ...(text ? { content: text } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(toolCalls.length ? { tool_calls: toolCalls.map((t, i) => ({ index: state.toolCalls + i, ...t })) } : {}),
  }
  const chunks: CanonicalChunk[] = []
  if (Object.keys(delta).length) {
    chunks.push(chunkOf(next.started ? delta : { role: 'assistant', ...delta }, null, null, upstreamId))
    next.started = true
  }
  if (!candidate.finishReason) return { kind: 'chunks', chunks, state: next }
  const finish = mapFinishReason(candidate.finishReason, next.toolCalls > 0)
  chunks.push(chunkOf(next.started ? {} : { role: 'assistant', content: '' }, finish, candidate.finishReason, upstreamId, next.usage))
  return { kind: 'done', chunks, state: { ...next, started: true } }
}
