// A non-streaming request's upstream stream, read to its end (attempt.ts says why such
// requests are streamed upstream). What the stream reports comes back as a value the
// attempt loop records as a failure or assembles; a read that throws (the attempt's
// timeout, a reset connection) is left to the loop, which knows why it aborted.
import { createParser } from 'eventsource-parser'
import type { CanonicalChunk, ProviderAdapter, ProviderError, SseEvent } from '../providers/types.ts'
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

/** The one choice's text of a chunk that carries nothing else (no usage, finish, logprobs, tool calls…), or undefined. */
const onlyText = (chunk: CanonicalChunk, allowRole: boolean): { index: number; content: string } | undefined => {
  if (chunk.usage || chunk.choices.length !== 1) return undefined
  const c = chunk.choices[0]!
  if (c.finish_reason !== null || c.native_finish_reason !== null || c.logprobs != null) return undefined
  const delta = c.delta
  // for…in, not Object.entries: this runs once per event of a long answer.
  for (const key in delta) if (key !== 'content' && !(key === 'role' && allowRole)) return undefined
  return typeof delta.content === 'string' ? { index: c.index, content: delta.content } : undefined
}

/** Text chunks appendChunk made itself: only these are extended in place (never a decoder's own). */
const joined = new WeakSet<CanonicalChunk>()

/**
 * Adds a chunk to those collected so far, joining a text delta into the text delta just
 * before it (same choice, nothing else on either). A long answer is then a few chunks
 * holding its text, not one object per event, so the memory it holds while it is read is
 * about its text; assembleChat/assembleText give the same answer either way.
 */
export const appendChunk = (chunks: CanonicalChunk[], chunk: CanonicalChunk): void => {
  const last = chunks[chunks.length - 1]
  const prev = last && onlyText(last, true)
  const next = prev && onlyText(chunk, false)
  if (!last || !prev || !next || next.index !== prev.index) {
    chunks.push(chunk)
    return
  }
  const upstreamId = last.upstreamId ?? chunk.upstreamId
  const systemFingerprint = last.systemFingerprint ?? chunk.systemFingerprint
  if (joined.has(last)) {
    last.choices[0]!.delta.content = prev.content + next.content
    if (upstreamId !== undefined) last.upstreamId = upstreamId
    if (systemFingerprint !== undefined) last.systemFingerprint = systemFingerprint
    return
  }
  const copy: CanonicalChunk = {
    choices: [{ ...last.choices[0]!, delta: { ...last.choices[0]!.delta, content: prev.content + next.content } }],
    ...(upstreamId !== undefined ? { upstreamId } : {}),
    ...(systemFingerprint !== undefined ? { systemFingerprint } : {}),
  }
  joined.add(copy)
  chunks[chunks.length - 1] = copy
}

export const collectStream = async (body: ReadableStream<Uint8Array>, decoder: StreamDecoder, hooks: CollectHooks): Promise<Collected> => {
  if (hooks.signal.aborted) throw hooks.signal.reason
  const reader = body.getReader()
  const onAbort = () => void reader.cancel(hooks.signal.reason).catch(() => {})
  hooks.signal.addEventListener('abort', onAbort)
  try {
    return await read(reader, decoder, hooks)
  } finally {
    hooks.signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Bytes are fed to the SSE parser by hand rather than through parseEvents' stream pipes: no
 * client waits on each event here, and the pipes' per-event hops cost about four times the
 * parsing (a whole non-streaming answer is read this way).
 */
const read = async (reader: ReadableStreamDefaultReader<Uint8Array>, decoder: StreamDecoder, hooks: CollectHooks): Promise<Collected> => {
  const text = new TextDecoder()
  const events: SseEvent[] = []
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data }) })
  const stop = () => reader.cancel().catch(() => {})
  let state = decoder.initialState()
  const chunks: CanonicalChunk[] = []
  let finished = false
  let firstTokenAt: number | null = null
  for (;;) {
    const next = await reader.read()
    if (hooks.signal.aborted) throw hooks.signal.reason
    if (next.done) break
    parser.feed(text.decode(next.value, { stream: true }))
    for (const event of events.splice(0)) {
      hooks.onEvent()
      const result = decoder.fromUpstreamEvent(event, state)
      state = result.state
      // Nothing has reached the client yet, so an in-stream error fails only this attempt.
      if (result.kind === 'error') {
        await stop()
        return { ok: false, kind: 'status', error: result.error }
      }
      for (const chunk of result.chunks) {
        appendChunk(chunks, chunk)
        if (chunk.choices.length) firstTokenAt ??= hooks.now()
        if (chunk.choices.some((c) => c.finish_reason !== null)) finished = true
      }
      if (result.kind === 'done') {
        await stop()
        return { ok: true, chunks, firstTokenAt }
      }
    }
  }
  // As for a client's stream (translate.ts): an end with no finish reason is a broken answer.
  return finished
    ? { ok: true, chunks, firstTokenAt }
    : { ok: false, kind: 'invalid_response', error: { status: 502, message: 'Provider closed the stream before it finished' } }
}
