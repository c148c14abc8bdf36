// Canonical chunks → Anthropic's SSE events, as Anthropic streams them: message_start
// and a ping, content blocks opened, filled and closed as the kind of content changes
// (thinking_delta + signature_delta, text_delta, input_json_delta), message_delta with
// the stop reason and usage, message_stop. A failure after the first byte is an `error` event.
// @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { CanonicalChunk, ChunkDelta, ToolCallDelta } from '../../providers/types.ts'
import type { SkinMeta, SseOut, StreamEncoder, StreamFinish } from '../skin.ts'
import { streamErrorType } from './errors.ts'
import { messagesUsage, pieceOf, stopReasonOf, stopSequenceOf } from './output.ts'
import type { MessagesRequest } from './request.ts'

/** The block being filled: deltas go to it until content of another kind (or another thinking block) starts. */
type Open =
  | { kind: 'text'; index: number }
  /** `key` tells thinking blocks apart (format and detail index); null for plain reasoning text, which continues any. */
  | { kind: 'thinking'; index: number; key: string | null }
  | { kind: 'tool'; index: number }
  /** Redacted thinking arrives whole; it stays open only until the next event, as Anthropic streams it. */
  | { kind: 'redacted'; index: number }

const event = <T extends { type: string }>(data: T): SseOut => ({ event: data.type, data })

/**
 * One stream's encoder. Tool calls are assumed to stream one after another, as every
 * wire delivers them: a call's block closes when the next one starts, and a late
 * argument fragment for a closed call still goes to that call's block index.
 */
export const messagesStreamEncoder = (meta: SkinMeta, req: Pick<MessagesRequest, 'stop_sequences'>): StreamEncoder => {
  let open: Open | null = null
  let next = 0
  /** Canonical tool-call index → its block index. */
  const tools = new Map<number, number>()

  const close = (out: SseOut[]) => {
    if (open) out.push(event({ type: 'content_block_stop', index: open.index }))
    open = null
  }
  const start = (out: SseOut[], block: Record<string, unknown> & { type: string }): number => {
    close(out)
    const index = next++
    out.push(event({ type: 'content_block_start', index, content_block: block }))
    return index
  }
  const delta = (out: SseOut[], index: number, d: Record<string, unknown>) => out.push(event({ type: 'content_block_delta', index, delta: d }))

  /** The open thinking block for this key, or a new one. */
  const thinkingBlock = (out: SseOut[], key: string | null): number => {
    if (open?.kind === 'thinking' && (open.key === key || open.key === null || key === null)) {
      open = { ...open, key: open.key ?? key }
      return open.index
    }
    const index = start(out, { type: 'thinking', thinking: '', signature: '' })
    open = { kind: 'thinking', index, key }
    return index
  }

  const reasoning = (out: SseOut[], d: ChunkDelta) => {
    const pieces = (d.reasoning_details ?? []).flatMap((x) => pieceOf(x) ?? [])
    // Upstreams that send both carry the same text in each: the details win.
    if (d.reasoning && !pieces.some((p) => p.kind === 'thinking' && p.text)) delta(out, thinkingBlock(out, null), { type: 'thinking_delta', thinking: d.reasoning })
    for (const p of pieces) {
      if (p.kind === 'redacted') {
        open = { kind: 'redacted', index: start(out, { type: 'redacted_thinking', data: p.data }) }
        continue
      }
      if (p.text) delta(out, thinkingBlock(out, p.key), { type: 'thinking_delta', thinking: p.text })
      if (p.signature) delta(out, thinkingBlock(out, p.key), { type: 'signature_delta', signature: p.signature })
    }
  }

  const text = (out: SseOut[], value: string) => {
    if (open?.kind !== 'text') open = { kind: 'text', index: start(out, { type: 'text', text: '' }) }
    delta(out, open.index, { type: 'text_delta', text: value })
  }

  const toolCall = (out: SseOut[], tc: ToolCallDelta) => {
    let index = tools.get(tc.index)
    if (index === undefined) {
      index = start(out, { type: 'tool_use', id: tc.id ?? `toolu_${meta.id}_${tc.index}`, name: tc.function?.name ?? '', input: {} })
      tools.set(tc.index, index)
      open = { kind: 'tool', index }
    }
    const args = tc.function?.arguments
    if (args) delta(out, index, { type: 'input_json_delta', partial_json: args })
  }

  return {
    start: () => [
      event({
        type: 'message_start',
        message: {
          id: meta.id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null,
          // The prompt's estimate for now (clients show it while the answer streams); message_delta carries the counts.
          usage: { input_tokens: meta.promptTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      }),
      event({ type: 'ping' }),
    ],

    chunk: (chunk: CanonicalChunk) => {
      const out: SseOut[] = []
      for (const choice of chunk.choices) {
        if (choice.index !== 0) continue // Anthropic answers with one message
        const d = choice.delta
        reasoning(out, d)
        const value = d.content || d.refusal
        if (value) text(out, value)
        for (const tc of d.tool_calls ?? []) toolCall(out, tc)
      }
      return out
    },

    end: (finish: StreamFinish) => {
      const out: SseOut[] = []
      close(out)
      const stopReason = stopReasonOf(finish.finish, finish.nativeFinish, tools.size > 0)
      out.push(event({
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: stopSequenceOf(stopReason, req.stop_sequences) },
        usage: messagesUsage(finish.usage, finish.cost),
      }))
      out.push(event({ ...finish.extra, type: 'message_stop' }))
      return out
    },

    error: (error) => [event({ type: 'error', error: { type: streamErrorType(error), message: error.message } })],
  }
}
