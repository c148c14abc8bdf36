// The streaming half of the inference pipeline: upstream SSE → the skin's stream
// encoder (docs/compatibility.md#streaming). Settlement and the served attempt's health
// report run when the stream ends or the client leaves.
import type { Context } from 'hono'
import { setMetric } from 'hono/timing'
import type { Cost } from '../billing/pricing.ts'
import { configOf, type AppEnv } from '../env.ts'
import { redactError, redactorOf, type Redact } from '../lib/redact.ts'
import type { CanonicalChunk, FinishReason, Usage } from '../providers/types.ts'
import type { AttemptOutcome } from '../routing/attempt.ts'
import { reportAttempts, reportsFromAttempts } from '../routing/health.ts'
import { parseEvents, SSE_HEADERS } from '../streaming/sse.ts'
import { translateStream, type TranslateOptions } from '../streaming/translate.ts'
import type { SseOut, StreamEncoder } from '../skins/skin.ts'
import { streamAssembler } from './content-log.ts'
import { estimateUsage, type recorder } from './pipeline.ts'

export interface StreamResponseOptions {
  outcome: Extract<AttemptOutcome<unknown>, { kind: 'stream' }>
  /** Upstream events → canonical chunks: the adapter, or an operation's own decoder. */
  decoder: TranslateOptions['adapter']
  encoder: StreamEncoder
  startedAt: number
  /** The prompt estimate, used when the upstream reports no usage. */
  promptTokens: number
  price: (usage: Usage, finish: FinishReason | null) => Cost
  record: ReturnType<typeof recorder>
  /** Keep the streamed text for Idempotency-Key replays. */
  capture: boolean
  /** Extra top-level fields for the last event (e.g. openrouter_metadata). */
  final?: () => Record<string, unknown>
  /** Events before the first upstream one (the debug echo). */
  lead?: SseOut[]
  /** The client hid reasoning: it is billed but not sent. */
  hideReasoning?: boolean
}

/** The decoder with its mid-stream errors redacted, as routing/attempt.ts redacts those before the first byte. */
const redacting = (decoder: TranslateOptions['adapter'], redact: Redact): TranslateOptions['adapter'] => ({
  initialState: () => decoder.initialState(),
  fromUpstreamEvent: (event, state) => {
    const result = decoder.fromUpstreamEvent(event, state)
    return result.kind === 'error' ? { ...result, error: redactError(result.error, redact) } : result
  },
})

/** The decoder with each event's chunks also handed to `tap` (content logging's assembly). */
const tapping = (decoder: TranslateOptions['adapter'], tap: (chunks: CanonicalChunk[]) => void): TranslateOptions['adapter'] => ({
  initialState: () => decoder.initialState(),
  fromUpstreamEvent: (event, state) => {
    const result = decoder.fromUpstreamEvent(event, state)
    if (result.kind !== 'error') tap(result.chunks)
    return result
  },
})

export const streamResponse = (c: Context<AppEnv>, o: StreamResponseOptions): Response => {
  const { outcome } = o
  const assembled = o.record.logsContent ? streamAssembler() : undefined
  // Settlement waits for the stream's end (or the client's abort), so register it with waitUntil now, before the response leaves.
  let settled!: () => void
  c.executionCtx.waitUntil(new Promise<void>((resolve) => (settled = resolve)))
  const stream = translateStream({
    events: parseEvents(outcome.response.body ?? new ReadableStream()),
    adapter: redacting(assembled ? tapping(o.decoder, assembled.add) : o.decoder, redactorOf(c.env)),
    encoder: o.encoder,
    keepaliveMs: configOf(c.env).KEEPALIVE_INTERVAL_MS,
    now: Date.now,
    capture: o.capture,
    ...(o.final ? { final: o.final } : {}),
    ...(o.lead ? { lead: o.lead } : {}),
    ...(o.hideReasoning ? { hideReasoning: true } : {}),
    price: (end) => {
      const usage = end.reportedUsage ?? estimateUsage(o.promptTokens, end.completionChars)
      // A cancelled stream pays for what it produced; one cancelled before any token is insured.
      const finish = end.outcome === 'cancelled' && end.completionChars > 0 ? end.finish ?? 'stop' : end.finish
      return { usage, cost: o.price(usage, finish) }
    },
    onEnd: (end, usage, cost, captured) => {
      const ok = end.outcome === 'completed'
      const endedAt = Date.now()
      const last = outcome.records.slice(-1).map((r) => (end.outcome === 'error' ? { ...r, status: end.error?.status ?? 502 } : r))
      const health = end.outcome === 'cancelled' ? Promise.resolve() : reportAttempts(c.env, reportsFromAttempts(last, endedAt, {
        ttftMs: end.firstTokenMs === null ? null : outcome.ttfbMs + end.firstTokenMs,
        completionTokens: usage.completion_tokens,
        generationMs: end.firstTokenMs === null ? null : endedAt - o.startedAt - outcome.ttfbMs - end.firstTokenMs,
      }))
      const charged = o.record({
        served: outcome.attempt, attempts: outcome.records, status: end.outcome === 'error' ? (end.error?.status ?? 502) : 200,
        usage, costMicro: cost.total, upstreamId: end.upstreamId, finish: end.finish, nativeFinish: end.nativeFinish,
        cancelled: end.outcome === 'cancelled', generationTimeMs: end.firstTokenMs, endedAt,
        ttftMs: end.firstTokenMs === null ? null : outcome.ttfbMs + end.firstTokenMs,
      }, ok && captured !== undefined ? { status: 200, contentType: SSE_HEADERS['content-type'], body: captured } : undefined, assembled?.text())
      void Promise.allSettled([charged, health]).finally(settled)
      if (end.outcome === 'cancelled') outcome.abort.abort()
    },
  })
  setMetric(c, 'ttfb', outcome.ttfbMs, 'upstream headers')
  return c.body(stream, 200, SSE_HEADERS)
}
