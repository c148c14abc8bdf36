// Upstream SSE events → public chat chunks, one event at a time (never buffering
// the response). Keep-alive comments flow until the first token; usage is tapped
// and sent once, in its own chunk right before [DONE]; a failure after the first
// byte ends the stream with an error chunk (docs/compatibility.md#streaming).
import { chunkBody, errorChunk, usageChunk, type GenerationMeta } from '../api/chat-render.ts'
import type { Cost } from '../billing/pricing.ts'
import type { CanonicalChunkChoice, FinishReason, ProviderAdapter, ProviderError, SseEvent, Usage } from '../providers/types.ts'
import { choicesWithoutReasoning } from '../providers/reasoning.ts'
import { DONE, KEEPALIVE, encodeData } from './sse.ts'

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

/** How chunks are drawn for the client: chat chunks by default, text-completion chunks for /completions. */
export interface ChunkRenderer {
  chunk: (meta: GenerationMeta, choices: CanonicalChunkChoice[], fingerprint?: string) => object
  usage: (meta: GenerationMeta, usage: Usage, cost: Cost) => object
  /** The terminal chunk of a stream that failed after its first byte (docs/compatibility.md#errors-during-a-stream). */
  error: (meta: GenerationMeta, status: number, message: string, errorType: string) => object
}

export const CHAT_CHUNKS: ChunkRenderer = { chunk: chunkBody, usage: usageChunk, error: errorChunk }

export interface TranslateOptions {
  events: ReadableStream<SseEvent>
  /** The upstream event decoder: a chat adapter, or an operation's own (e.g. legacy completions). */
  adapter: Pick<ProviderAdapter, 'initialState' | 'fromUpstreamEvent'>
  render?: ChunkRenderer
  meta: GenerationMeta
  keepaliveMs: number
  /** Final usage and cost for the stream's end (settlement uses the same figures). */
  price: (end: StreamEnd) => { usage: Usage; cost: Cost }
  /** `captured` is the SSE text the client received, when `capture` is set (Idempotency-Key replays). */
  onEnd: (end: StreamEnd, usage: Usage, cost: Cost, captured?: string) => void
  now: () => number
  capture?: boolean
  /** Extra top-level fields for the final (usage) chunk, e.g. `openrouter_metadata`. */
  final?: () => Record<string, unknown>
  /** Data events sent before anything from the upstream, e.g. the `debug.echo_upstream_body` chunk. */
  lead?: object[]
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
  const render = o.render ?? CHAT_CHUNKS
  const started = o.now()
  let state = o.adapter.initialState()
  let keepalive: ReturnType<typeof setInterval> | undefined
  let ended = false
  /** The latest upstream chunk was hidden reasoning, and nothing has been sent since. */
  let thinkingUnseen = false
  let fingerprint: string | undefined
  let captured: string | undefined = o.capture ? '' : undefined
  const decoder = new TextDecoder()
  /** Data events go through here (not keep-alives), so a replay holds exactly the events. */
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    controller.enqueue(bytes)
    if (captured !== undefined) {
      captured += decoder.decode(bytes)
      if (captured.length > CAPTURE_LIMIT) captured = undefined
    }
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
      const type = error.status === 429 ? 'rate_limit_exceeded' : 'provider_unavailable'
      send(controller, encodeData(render.error(o.meta, error.status >= 400 ? error.status : 502, message, type)))
    }
    const { usage, cost } = o.price(end)
    send(controller, encodeData({ ...render.usage(o.meta, usage, cost), ...o.final?.() }))
    send(controller, DONE)
    controller.close()
    o.onEnd(end, usage, cost, captured)
  }

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(KEEPALIVE)
      for (const event of o.lead ?? []) send(controller, encodeData(event))
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
          if (chunk.systemFingerprint) fingerprint = chunk.systemFingerprint
          if (chunk.choices.length === 0) continue
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
          const choices = o.hideReasoning ? choicesWithoutReasoning(chunk.choices) : chunk.choices
          thinkingUnseen = choices.length === 0
          if (thinkingUnseen) continue
          send(controller, encodeData(render.chunk(o.meta, choices, fingerprint)))
          sent = true
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
