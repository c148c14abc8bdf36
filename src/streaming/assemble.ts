// PURE: an upstream stream's canonical chunks → the one JSON answer a client that did
// not ask for a stream gets. Non-streaming requests are streamed from the upstream so a
// hung host is left after the first-byte timeout (src/routing/attempt.ts); this puts the
// answer back together as each adapter's fromUpstream reads a whole body: text joined,
// tool calls and reasoning details merged by index, the last finish reason, the last usage.
import type {
  CanonicalChunk, CanonicalChunkChoice, CanonicalResponse, FinishReason, ReasoningDetail, TextCompletionResponse, ToolCallOut,
} from '../providers/types.ts'
import { isRecord } from '../lib/json.ts'

interface ChoiceParts {
  index: number
  content: string
  reasoning: string | null
  refusal: string | null
  details: ReasoningDetail[]
  tools: Map<number, ToolCallOut>
  finish: FinishReason | null
  native: string | null
  logprobs: unknown
}

/**
 * Stream logprobs are per chunk; the whole answer's are their lists joined, field by
 * field (chat's `content` and `refusal`, legacy `tokens`, `token_logprobs`, `text_offset`…).
 */
export const mergeLogprobs = (soFar: unknown, next: unknown): unknown => {
  if (next == null) return soFar
  if (soFar == null || !isRecord(soFar) || !isRecord(next)) return next
  const out: Record<string, unknown> = { ...soFar }
  for (const [key, value] of Object.entries(next)) {
    const prev = out[key]
    out[key] = Array.isArray(prev) && Array.isArray(value) ? [...prev, ...value] : prev ?? value
  }
  return out
}

/** Fragments of one detail (the same type and index, as Anthropic streams text, then its signature) become one. */
export const mergeDetail = (details: ReasoningDetail[], d: ReasoningDetail): void => {
  const at = details.findIndex((x) => x.type === d.type && x.index === d.index && x.format === d.format)
  const prev = details[at]
  if (!prev) {
    details.push({ ...d })
    return
  }
  if (prev.type === 'reasoning.encrypted' && d.type === 'reasoning.encrypted') {
    details[at] = { ...prev, data: prev.data + d.data }
  } else if (prev.type === 'reasoning.text' && d.type === 'reasoning.text') {
    const text = prev.text === undefined && d.text === undefined ? undefined : (prev.text ?? '') + (d.text ?? '')
    const signature = prev.signature === undefined && d.signature === undefined ? undefined : (prev.signature ?? '') + (d.signature ?? '')
    details[at] = {
      type: 'reasoning.text', ...(text !== undefined ? { text } : {}), ...(signature !== undefined ? { signature } : {}), format: prev.format, index: prev.index,
    }
  }
}

const addChoice = (parts: ChoiceParts, c: CanonicalChunkChoice): void => {
  const d = c.delta
  if (d.content) parts.content += d.content
  if (d.reasoning) parts.reasoning = (parts.reasoning ?? '') + d.reasoning
  if (d.refusal) parts.refusal = (parts.refusal ?? '') + d.refusal
  for (const detail of d.reasoning_details ?? []) mergeDetail(parts.details, detail)
  for (const t of d.tool_calls ?? []) {
    const call = parts.tools.get(t.index)
    if (!call) {
      parts.tools.set(t.index, { id: t.id ?? '', type: 'function', function: { name: t.function?.name ?? '', arguments: t.function?.arguments ?? '' } })
      continue
    }
    // The id and name come once (some hosts repeat them); the arguments come in pieces.
    if (!call.id && t.id) call.id = t.id
    if (!call.function.name && t.function?.name) call.function.name = t.function.name
    call.function.arguments += t.function?.arguments ?? ''
  }
  if (c.finish_reason !== null || c.native_finish_reason !== null) {
    parts.finish = c.finish_reason
    parts.native = c.native_finish_reason
  }
  parts.logprobs = mergeLogprobs(parts.logprobs, c.logprobs)
}

interface Assembled {
  upstreamId: string | null
  systemFingerprint: string | null
  choices: ChoiceParts[]
  usage: CanonicalResponse['usage']
}

const gather = (chunks: CanonicalChunk[]): Assembled => {
  const byIndex = new Map<number, ChoiceParts>()
  const out: Assembled = { upstreamId: null, systemFingerprint: null, choices: [], usage: null }
  for (const chunk of chunks) {
    out.upstreamId ??= chunk.upstreamId ?? null
    out.systemFingerprint ??= chunk.systemFingerprint ?? null
    if (chunk.usage) out.usage = chunk.usage
    for (const c of chunk.choices) {
      let parts = byIndex.get(c.index)
      if (!parts) {
        parts = { index: c.index, content: '', reasoning: null, refusal: null, details: [], tools: new Map(), finish: null, native: null, logprobs: null }
        byIndex.set(c.index, parts)
      }
      addChoice(parts, c)
    }
  }
  out.choices = [...byIndex.values()].sort((a, b) => a.index - b.index)
  return out
}

/**
 * The chat answer. `content` is null beside tool calls or a refusal with no text (as
 * OpenAI and Anthropic answer), otherwise the text, possibly empty (as Gemini answers).
 */
export const assembleChat = (chunks: CanonicalChunk[]): CanonicalResponse => {
  const a = gather(chunks)
  return {
    upstreamId: a.upstreamId,
    systemFingerprint: a.systemFingerprint,
    choices: a.choices.map((p) => {
      const tools = [...p.tools.entries()].sort(([x], [y]) => x - y).map(([, call]) => call)
      return {
        index: p.index,
        message: {
          role: 'assistant',
          content: p.content !== '' ? p.content : tools.length || p.refusal !== null ? null : '',
          refusal: p.refusal,
          reasoning: p.reasoning,
          ...(p.details.length ? { reasoning_details: p.details } : {}),
          ...(tools.length ? { tool_calls: tools } : {}),
        },
        finish_reason: p.finish,
        native_finish_reason: p.native,
        logprobs: p.logprobs,
      }
    }),
    usage: a.usage,
  }
}

/** The legacy text completion: each choice's text deltas joined. */
export const assembleText = (chunks: CanonicalChunk[]): TextCompletionResponse => {
  const a = gather(chunks)
  return {
    upstreamId: a.upstreamId,
    systemFingerprint: a.systemFingerprint,
    choices: a.choices.map((p) => ({ index: p.index, text: p.content, finish_reason: p.finish, native_finish_reason: p.native, logprobs: p.logprobs })),
    usage: a.usage,
  }
}
