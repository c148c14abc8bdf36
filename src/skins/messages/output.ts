// What the JSON and stream encoders share: stop reasons, usage and the
// reading of reasoning details, all as Anthropic's Messages API reports them.
// @see https://docs.anthropic.com/en/api/messages#response-stop-reason
import type { Cost } from '../../billing/pricing.ts'
import { toDollars } from '../../lib/money.ts'
import { REASONING_FORMAT } from '../../providers/anthropic-stream.ts'
import type { FinishReason, ReasoningDetail, Usage } from '../../providers/types.ts'

const ANTHROPIC_STOPS: ReadonlySet<string> = new Set([
  'end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal', 'model_context_window_exceeded',
])

/**
 * Anthropic's own stop_reason when Anthropic served (it travels as the native reason);
 * otherwise the canonical finish mapped: length → max_tokens, tool_calls → tool_use,
 * content_filter → refusal, anything else → end_turn, or tool_use when tools were called
 * (some hosts end a tool call with "stop", and agents loop on tool_use).
 */
export const stopReasonOf = (finish: FinishReason | null, native: string | null, calledTools: boolean): string => {
  if (native && ANTHROPIC_STOPS.has(native)) return native
  switch (finish) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return calledTools ? 'tool_use' : 'end_turn'
  }
}

/** Which stop sequence matched: the canonical answer does not say, so only when the request had exactly one. */
export const stopSequenceOf = (stopReason: string, stops: readonly string[] | null | undefined): string | null =>
  stopReason === 'stop_sequence' && stops?.length === 1 ? (stops[0] ?? null) : null

/**
 * Anthropic's usage: input_tokens excludes cache reads and writes (canonical
 * prompt_tokens includes both); `cost` in USD is added as OpenRouter adds it.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export const messagesUsage = (u: Usage, cost: Cost) => ({
  input_tokens: Math.max(u.prompt_tokens - u.cached_tokens - u.cache_write_tokens, 0),
  output_tokens: u.completion_tokens,
  cache_creation_input_tokens: u.cache_write_tokens,
  cache_read_input_tokens: u.cached_tokens,
  cost: toDollars(cost.total),
})

/** A reasoning detail as Anthropic blocks see it. */
export type ReasoningPiece =
  | { kind: 'thinking'; key: string; text: string; signature: string }
  | { kind: 'redacted'; data: string }

/**
 * One reasoning detail → a thinking piece (text and, for Anthropic's own format, its
 * signature), a redacted one (Anthropic's encrypted thinking), or nothing: another
 * provider's encrypted reasoning has no Anthropic block to travel in, and a signature
 * in another format would be refused if sent back to Anthropic.
 */
export const pieceOf = (d: ReasoningDetail): ReasoningPiece | null => {
  const own = d.format === REASONING_FORMAT
  if (d.type === 'reasoning.encrypted') return own && d.data ? { kind: 'redacted', data: d.data } : null
  return { kind: 'thinking', key: `${d.format}:${d.index}`, text: d.text ?? '', signature: own ? (d.signature ?? '') : '' }
}
