// A non-streaming request's upstream stream, read to its end (attempt.ts says why such
// requests are streamed upstream). What the stream reports comes back as a value the
// attempt loop records as a failure or assembles; a read that throws (the attempt's
// timeout, a reset connection) is left to the loop, which knows why it aborted.
import type { CanonicalChunk, ProviderAdapter, ProviderError, SseEvent } from '../providers/types.ts'
import { parseEvents } from '../streaming/sse.ts'
import type { FailureKind } from './retryable.ts'

/** Upstream events → canonical chunks: a chat adapter, or an operation's own (legacy completions). */
export type StreamDecoder = Pick<ProviderAdapter, 'initialState' | 'fromUpstreamEvent'>

export type Collected =
  | { ok: true; chunks: CanonicalChunk[]; firstTokenAt: number | null }
  | { ok: false; kind: FailureKind; error: ProviderError }

export interface CollectHooks {
  /** Called on every upstream event: the first one is the attempt's first byte. */
  onEvent: () => void
  now: () => number
  /** The attempt's abort (its limits, the client leaving): ends the read even if the transport ignores it. */
  signal: AbortSignal
}

export const collectStream = async (body: ReadableStream<Uint8Array>, decoder: StreamDecoder, hooks: CollectHooks): Promise<Collected> => {
  if (hooks.signal.aborted) throw hooks.signal.reason
  const reader = parseEvents(body).getReader()
  const stop = () => reader.cancel().catch(() => {})
  const onAbort = () => void reader.cancel(hooks.signal.reason).catch(() => {})
  hooks.signal.addEventListener('abort', onAbort)
  try {
    return await read(reader, decoder, hooks, stop)
  } finally {
    hooks.signal.removeEventListener('abort', onAbort)
  }
}

const read = async (
  reader: ReadableStreamDefaultReader<SseEvent>, decoder: StreamDecoder, hooks: CollectHooks, stop: () => Promise<void>,
): Promise<Collected> => {
  let state = decoder.initialState()
  const chunks: CanonicalChunk[] = []
  let finished = false
  let firstTokenAt: number | null = null
  for (;;) {
    const next = await reader.read()
    if (hooks.signal.aborted) throw hooks.signal.reason
    if (next.done) break
    hooks.onEvent()
    const result = decoder.fromUpstreamEvent(next.value, state)
    state = result.state
    // Nothing has reached the client yet, so an in-stream error fails only this attempt.
    if (result.kind === 'error') {
      await stop()
      return { ok: false, kind: 'status', error: result.error }
    }
    for (const chunk of result.chunks) {
      chunks.push(chunk)
      if (chunk.choices.length) firstTokenAt ??= hooks.now()
      if (chunk.choices.some((c) => c.finish_reason !== null)) finished = true
    }
    if (result.kind === 'done') {
      await stop()
      return { ok: true, chunks, firstTokenAt }
    }
  }
  // As for a client's stream (translate.ts): an end with no finish reason is a broken answer.
  return finished
    ? { ok: true, chunks, firstTokenAt }
    : { ok: false, kind: 'invalid_response', error: { status: 502, message: 'Provider closed the stream before it finished' } }
}
