// Anthropic SSE events → canonical chunks, as an explicit reducer: each event and
// the state so far give the chunks to send and the next state. The state remembers
// what message_start reported (id, input and cache usage) and what kind each
// content block is, because deltas name blocks only by index.
// The mappers shared with the non-streaming path live here too, so anthropic.ts can
// import this file without an import cycle.
// @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type {
  CanonicalChunk,
  ChunkDelta,
  EventResult,
  FinishReason,
  ProviderError,
  SseEvent,
  Usage,
} from './types.ts'
import { KNOWN_EVENTS, StreamEvent, type AnthropicUsage } from './wire/anthropic.ts'

/** `format` of the reasoning details this adapter emits and accepts back (docs/compatibility.md#messages). */
export const REASONING_FORMAT = 'anthropic-claude-v1'

/**
 * Normalized finish reason; the raw stop_reason travels as native_finish_reason.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export const mapFinishReason = (raw: string | null | undefined): FinishReason | null => {
  switch (raw) {
    case null:
    case undefined:
    case '':
      return null
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default: // end_turn, stop_sequence, pause_turn and later additions
      return 'stop'
  }
}

/** What a response's content held, for splitting output_tokens (characters, as sent). */
export interface OutputSeen {
  /** A thinking or redacted_thinking block came back. */
  thinking: boolean
  thinkingChars: number
  /** Text and tool-call arguments. */
  visibleChars: number
}

export const NOTHING_SEEN: OutputSeen = { thinking: false, thinkingChars: 0, visibleChars: 0 }

/** About four characters a token: the estimate the gateway uses wherever it has no count. */
const tokensOf = (chars: number) => Math.ceil(chars / 4)

/**
 * Thinking tokens, derived. Anthropic bills thinking as output and reports only the
 * total (`output_tokens`); Claude 4 models return a summary of their thinking, not all
 * of it, and redacted thinking has no text at all, so counting the returned thinking
 * would fall short. The thinking share is therefore output_tokens minus an estimate
 * of the visible output (text and tool arguments, about four characters a token).
 * Should that leave nothing although thinking came back, the thinking text's own
 * estimate is used. Always within [0, output_tokens]; 0 when there was no thinking.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#pricing
 */
export const reasoningTokensOf = (outputTokens: number, seen: OutputSeen): number => {
  if (!seen.thinking || outputTokens <= 0) return 0
  const derived = outputTokens - tokensOf(seen.visibleChars)
  return Math.min(derived > 0 ? derived : tokensOf(seen.thinkingChars), outputTokens)
}

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`; canonical
 * prompt_tokens includes both (docs/compatibility.md#cost prices them separately).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export const mapUsage = (u: AnthropicUsage, seen: OutputSeen = NOTHING_SEEN): Usage => {
  const read = u.cache_read_input_tokens ?? 0
  const write = u.cache_creation_input_tokens ?? 0
  return {
    prompt_tokens: (u.input_tokens ?? 0) + read + write,
    completion_tokens: u.output_tokens ?? 0,
    cached_tokens: read,
    cache_write_tokens: write,
    reasoning_tokens: reasoningTokensOf(u.output_tokens ?? 0, seen),
  }
}

/**
 * HTTP status equivalent of an error type, for errors that arrive inside a 200 stream.
 * @see https://docs.anthropic.com/en/api/errors
 */
export const statusOfErrorType = (type: string): number => {
  const table: Record<string, number> = {
    invalid_request_error: 400,
    authentication_error: 401,
    billing_error: 402,
    permission_error: 403,
    not_found_error: 404,
    request_too_large: 413,
    rate_limit_error: 429,
    api_error: 500,
    timeout_error: 504,
    overloaded_error: 529,
  }
  return table[type] ?? 502
}

type BlockKind =
  | { kind: 'text' }
  | { kind: 'thinking'; detail: number }
  | { kind: 'tool'; tool: number; sentArgs: boolean }
  | { kind: 'other' }

export interface AnthropicStreamState {
  /** Usage as message_start reported it; message_delta adds the output side. */
  usage: AnthropicUsage | null
  /** Content blocks by their index in the message. */
  blocks: Readonly<Record<number, BlockKind>>
  /** tool_use blocks so far: the next tool call's canonical index. */
  tools: number
  /** Reasoning blocks so far: the next reasoning detail's index. */
  reasonings: number
  /** What the content held so far, for the thinking share of output_tokens. */
  seen: OutputSeen
}

export const initialState = (): AnthropicStreamState => ({ usage: null, blocks: {}, tools: 0, reasonings: 0, seen: NOTHING_SEEN })

const saw = (state: AnthropicStreamState, more: { thinking?: boolean; thinkingChars?: number; visibleChars?: number }): AnthropicStreamState => ({
  ...state,
  seen: {
    thinking: state.seen.thinking || more.thinking === true,
    thinkingChars: state.seen.thinkingChars + (more.thinkingChars ?? 0),
    visibleChars: state.seen.visibleChars + (more.visibleChars ?? 0),
  },
})

const delta = (d: ChunkDelta, stopReason: string | null = null): CanonicalChunk => ({
  choices: [{ index: 0, delta: d, finish_reason: mapFinishReason(stopReason), native_finish_reason: stopReason, logprobs: null }],
})

const ok = (state: AnthropicStreamState, chunks: CanonicalChunk[] = []): EventResult<AnthropicStreamState> => ({ kind: 'chunks', chunks, state })

const fail = (state: AnthropicStreamState, error: ProviderError): EventResult<AnthropicStreamState> => ({ kind: 'error', error, state })

const withBlock = (state: AnthropicStreamState, index: number, block: BlockKind): AnthropicStreamState => ({
  ...state,
  blocks: { ...state.blocks, [index]: block },
})

export const fromUpstreamEvent = (event: SseEvent, state: AnthropicStreamState): EventResult<AnthropicStreamState> => {
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch {
    return fail(state, { status: 502, message: 'Upstream sent a malformed stream event' })
  }
  const type = (json as { type?: unknown } | null)?.type ?? event.event
  // "We may occasionally add new event types, and your code should handle unknown event types gracefully."
  if (typeof type !== 'string' || !KNOWN_EVENTS.has(type)) return ok(state)
  const parsed = StreamEvent.safeParse(json)
  if (!parsed.success) return fail(state, { status: 502, message: 'Upstream sent an unexpected stream event', raw: json })
  const e = parsed.data

  switch (e.type) {
    case 'ping':
      return ok(state)

    case 'content_block_stop': {
      const block = state.blocks[e.index]
      // A tool called with no arguments streams no input_json_delta; clients need parseable JSON.
      if (block?.kind !== 'tool' || block.sentArgs) return ok(state)
      return ok(withBlock(state, e.index, { ...block, sentArgs: true }), [delta({ tool_calls: [{ index: block.tool, function: { arguments: '{}' } }] })])
    }

    case 'message_start':
      return ok({ ...state, usage: e.message.usage ?? null }, [{ upstreamId: e.message.id, ...delta({ role: 'assistant', content: '' }) }])

    case 'content_block_start': {
      const b = e.content_block
      switch (b.type) {
        case 'text':
          return ok(saw(withBlock(state, e.index, { kind: 'text' }), { visibleChars: b.text?.length ?? 0 }), b.text ? [delta({ content: b.text })] : [])
        case 'thinking': {
          const next = { ...withBlock(state, e.index, { kind: 'thinking', detail: state.reasonings }), reasonings: state.reasonings + 1 }
          return ok(saw(next, { thinking: true, thinkingChars: b.thinking?.length ?? 0 }), b.thinking ? [thinkingDelta(b.thinking, state.reasonings)] : [])
        }
        case 'redacted_thinking': {
          const next = { ...withBlock(state, e.index, { kind: 'thinking', detail: state.reasonings }), reasonings: state.reasonings + 1 }
          return ok(saw(next, { thinking: true }), [delta({ reasoning_details: [{ type: 'reasoning.encrypted', data: b.data, format: REASONING_FORMAT, index: state.reasonings }] })])
        }
        case 'tool_use': {
          const next = { ...withBlock(state, e.index, { kind: 'tool', tool: state.tools, sentArgs: false }), tools: state.tools + 1 }
          return ok(next, [delta({ tool_calls: [{ index: state.tools, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] })])
        }
        default:
          return ok(withBlock(state, e.index, { kind: 'other' }))
      }
    }

    case 'content_block_delta': {
      const d = e.delta
      const block = state.blocks[e.index]
      switch (d.type) {
        case 'text_delta':
          return ok(saw(state, { visibleChars: d.text.length }), d.text ? [delta({ content: d.text })] : [])
        case 'thinking_delta':
          return ok(saw(state, { thinking: true, thinkingChars: d.thinking.length }), d.thinking ? [thinkingDelta(d.thinking, block?.kind === 'thinking' ? block.detail : 0)] : [])
        case 'signature_delta': {
          const index = block?.kind === 'thinking' ? block.detail : 0
          return ok(state, [delta({ reasoning_details: [{ type: 'reasoning.text', signature: d.signature, format: REASONING_FORMAT, index }] })])
        }
        case 'input_json_delta':
          if (block?.kind !== 'tool' || !d.partial_json) return ok(state)
          return ok(saw(withBlock(state, e.index, { ...block, sentArgs: true }), { visibleChars: d.partial_json.length }), [delta({ tool_calls: [{ index: block.tool, function: { arguments: d.partial_json } }] })])
        default:
          return ok(state)
      }
    }

    case 'message_delta': {
      // message_delta usage is cumulative; fields it leaves out keep message_start's values.
      const usage: AnthropicUsage = { ...state.usage, ...definedOnly(e.usage ?? {}) }
      const stop = e.delta.stop_reason ?? null
      const chunks: CanonicalChunk[] = stop ? [delta({}, stop)] : []
      chunks.push({ choices: [], usage: mapUsage(usage, state.seen) })
      return ok({ ...state, usage }, chunks)
    }

    case 'message_stop':
      return { kind: 'done', chunks: [], state }

    case 'error':
      return fail(state, {
        status: statusOfErrorType(e.error.type),
        message: e.error.message ?? `Upstream stream error (${e.error.type})`,
        code: e.error.type,
        raw: json,
      })
  }
}

const thinkingDelta = (text: string, index: number): CanonicalChunk =>
  delta({ reasoning: text, reasoning_details: [{ type: 'reasoning.text', text, format: REASONING_FORMAT, index }] })

const definedOnly = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null))
