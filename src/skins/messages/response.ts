// A canonical answer → the `message` object exactly as Anthropic sends it, plus
// `usage.cost` and `provider` as OpenRouter adds them.
// @see https://docs.anthropic.com/en/api/messages (response)
import type { Cost } from '../../billing/pricing.ts'
import type { CanonicalMessage, CanonicalResponse, Usage } from '../../providers/types.ts'
import type { SkinMeta } from '../skin.ts'
import { parseInput } from '../../providers/anthropic.ts'
import { messagesUsage, pieceOf, stopReasonOf, stopSequenceOf } from './output.ts'
import type { MessagesRequest } from './request.ts'

export type ResponseBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

/**
 * Thinking blocks from the reasoning details (fragments of one detail joined, as a
 * stream delivers them), else one unsigned block of the plain reasoning text.
 */
const reasoningBlocks = (m: CanonicalMessage): ResponseBlock[] => {
  const blocks: ResponseBlock[] = []
  let lastKey: string | null = null
  for (const detail of m.reasoning_details ?? []) {
    const piece = pieceOf(detail)
    if (!piece) continue
    if (piece.kind === 'redacted') {
      blocks.push({ type: 'redacted_thinking', data: piece.data })
      lastKey = null
      continue
    }
    const last = blocks[blocks.length - 1]
    if (last?.type === 'thinking' && lastKey === piece.key) {
      last.thinking += piece.text
      last.signature += piece.signature
    } else blocks.push({ type: 'thinking', thinking: piece.text, signature: piece.signature })
    lastKey = piece.key
  }
  const hasText = blocks.some((b) => b.type === 'thinking' && b.thinking)
  return !hasText && m.reasoning ? [{ type: 'thinking', thinking: m.reasoning, signature: '' }, ...blocks] : blocks
}

/** Content in Anthropic's order: thinking, then text, then tool calls. */
export const contentBlocks = (m: CanonicalMessage): ResponseBlock[] => {
  const text = m.content || m.refusal
  return [
    ...reasoningBlocks(m),
    ...(text ? [{ type: 'text' as const, text }] : []),
    ...(m.tool_calls ?? []).map((c): ResponseBlock => ({ type: 'tool_use', id: c.id, name: c.function.name, input: parseInput(c.function.arguments) })),
  ]
}

export const messageBody = (meta: SkinMeta, res: CanonicalResponse, usage: Usage, cost: Cost, req: Pick<MessagesRequest, 'stop_sequences'>) => {
  const choice = res.choices[0]
  const content = choice ? contentBlocks(choice.message) : []
  const stopReason = stopReasonOf(choice?.finish_reason ?? null, choice?.native_finish_reason ?? null, content.some((b) => b.type === 'tool_use'))
  return {
    id: meta.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: meta.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequenceOf(stopReason, req.stop_sequences),
    usage: messagesUsage(usage, cost),
    provider: meta.provider,
  }
}
