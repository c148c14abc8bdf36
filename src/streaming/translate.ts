// Upstream SSE events → the skin's stream, one event at a time (never buffering the
// response). The skin's StreamEncoder draws each event; what every wire shares stays
// here: keep-alive comments until the first token (and while reasoning is hidden),
// usage tapped and priced once at the end, a failure after the first byte handed to
// the encoder's in-stream error, and the capture of what was sent for Idempotency-Key
// replays (docs/compatibility.md#streaming).
import type { Cost } from '../billing/pricing.ts'
import type { FinishReason, ProviderAdapter, ProviderError, SseEvent, Usage } from '../providers/types.ts'
import { choicesWithoutReasoning } from '../providers/reasoning.ts'
import type { SseOut, StreamEncoder, StreamFinish } from '../skins/skin.ts'
import { KEEPALIVE, encodeText, sseText } from './sse.ts'

export interface StreamEnd {
  outcome: 'completed' | 'error' | 'cancelled'
  /** As the upstream reported it; null when it sent none. */
  reportedUsage: Usage | null
  finish: FinishReason | null
  nativeFinish: string | null
  /** Characters of content, reasoning and tool arguments sent, for estimating usage the upstream did not report. */
  completionChars: number
  upstreamId: string | null
  /** ms from stream start to the first content chunk. */
  firstTokenMs: number | null
  error?: ProviderError
}

export interface TranslateOptions {
  events: ReadableStream<SseEvent>
  /** The upstream event decoder: a protocol adapter, or a native operation's own (e.g. legacy completions). */
  adapter: Pick<ProviderAdapter, 'initialState' | 'fromUpstreamEvent'>
  /** The skin's encoder for this one stream. */
  encoder: StreamEncoder
  keepaliveMs: number
  /** Final usage and cost for the stream's end (settlement uses the same figures). */
  price: (end: StreamEnd) => { usage: Usage; cost: Cost }
  /** `captured` is the SSE text the client received, when `capture` is set (Idempotency-Key replays). */
  onEnd: (end: StreamEnd, usage: Usage, cost: Cost, captured?: string) => void
  now: () => number
  capture?: boolean
  /** Extra top-level fields for the final event, e.g. `openrouter_metadata`. */
  final?: () => Record<string, unknown>
  /** Events sent after the encoder's start and before anything from the upstream, e.g. the `debug.echo_upstream_body` chunk. */
  lead?: SseOut[]
  /**
   * The client hid reasoning: reasoning deltas are counted (they are billed) but not sent.
   * Keep-alive comments go on while the model reasons unseen, as they do before the first token.
   */
  hideReasoning?: boolean
}

/** Replays are stored in the account gate; a stream longer than this is not stored. */
const CAPTURE_LIMIT = 1_000_000

export const translateStream = (o: TranslateOptions): ReadableStream<Uint8Array> => {
  const reader = o.events.getReader()
  const encoder = o.encoder
  const started = o.now()
  let state = o.adapter.initialState()
  let keepalive: ReturnType<typeof setInterval> | undefined
  let ended = false
  /** The latest upstream chunk was hidden reasoning, and nothing has been sent since. */
  let thinkingUnseen = false
  let captured: string | undefined = o.capture ? '' : undefined
  /** Events go through here (not keep-alives), so a replay holds exactly the events. Returns whether any was sent. */
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, events: SseOut[]): boolean => {
    for (const event of events) {
      const text = sseText(event)
      controller.enqueue(encodeText(text))
      if (captured !== undefined) {
        captured += text
        if (captured.length > CAPTURE_LIMIT) captured = undefined
      }
    }
    return events.length > 0
  }
  const end: StreamEnd = {
    outcome: 'completed', reportedUsage: null, finish: null, nativeFinish: null,
    completionChars: 0, upstreamId: null, firstTokenMs: null,
  }

  /** `message` is what the client sees; `end.error` keeps the upstream's own for the record. */
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, error?: ProviderError, message = error?.message ?? '') => {
    if (ended) return
    ended = true
    if (keepalive !== undefined) clearInterval(keepalive)
    if (error) {
      end.outcome = 'error'
      end.error = error
      end.finish = 'error'
    }
    const { usage, cost } = o.price(end)
    const extra = o.final?.()
    const last: StreamFinish = { usage, cost, finish: end.finish, nativeFinish: end.nativeFinish, ...(extra ? { extra } : {}) }
    if (error) {
      const errorType = error.status === 429 ? 'rate_limit_exceeded' : 'provider_unavailable'
      send(controller, encoder.error({ ...error, status: error.status >= 400 ? error.status : 502, message, errorType }, last))
    } else {
      send(controller, encoder.end(last))
    }
    controller.close()
    o.onEnd(end, usage, cost, captured)
  }

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(KEEPALIVE)
      send(controller, encoder.start())
      if (o.lead) send(controller, o.lead)
      keepalive = setInterval(() => {
        if ((end.firstTokenMs === null || thinkingUnseen) && !ended) controller.enqueue(KEEPALIVE)
      }, o.keepaliveMs)
    },

    async pull(controller) {
      // Read until something is sent to the client or the stream ends.
      for (;;) {
        let next: ReadableStreamReadResult<SseEvent>
        try {
          next = await reader.read()
        } catch {
          return finish(controller, { status: 502, message: 'Provider disconnected mid-stream' })
        }
        if (next.done) {
          return end.finish === null
            ? finish(controller, { status: 502, message: 'Provider closed the stream before it finished' })
            : finish(controller)
        }
        const result = o.adapter.fromUpstreamEvent(next.value, state)
        state = result.state
        if (result.kind === 'error') {
          await reader.cancel().catch(() => {})
          // As OpenRouter does, a 500-class upstream message is replaced with a generic one.
          return finish(controller, result.error, result.error.status >= 500 ? 'Provider returned error' : result.error.message)
        }
        let sent = false
        for (const chunk of result.chunks) {
          if (chunk.usage) end.reportedUsage = chunk.usage
          if (chunk.upstreamId) end.upstreamId = chunk.upstreamId
          if (chunk.choices.length === 0) {
            sent = send(controller, encoder.chunk(chunk)) || sent
            continue
          }
          for (const choice of chunk.choices) {
            const d = choice.delta
            end.completionChars += (d.content?.length ?? 0) + (d.reasoning?.length ?? 0) +
              (d.tool_calls?.reduce((n, t) => n + (t.function?.arguments?.length ?? 0), 0) ?? 0)
            if (choice.finish_reason) {
              end.finish = choice.finish_reason
              end.nativeFinish = choice.native_finish_reason
            }
          }
          // The model's first token, seen or not: what health learns as time to first token.
          end.firstTokenMs ??= o.now() - started
          const visible = o.hideReasoning ? { ...chunk, choices: choicesWithoutReasoning(chunk.choices) } : chunk
          thinkingUnseen = visible.choices.length === 0
          sent = send(controller, encoder.chunk(visible)) || sent
        }
        if (result.kind === 'done') {
          await reader.cancel().catch(() => {})
          return finish(controller)
        }
        if (sent) return
      }
    },

    async cancel(reason) {
      if (ended) return
      ended = true
      if (keepalive !== undefined) clearInterval(keepalive)
      end.outcome = 'cancelled'
      await reader.cancel(reason).catch(() => {})
      const { usage, cost } = o.price(end)
      o.onEnd(end, usage, cost)
    },
  })
}
