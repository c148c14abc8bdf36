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

/** Where the rest of a spilled answer goes: each chunk as it is decoded, and a wait after each read (the client's pace). */
export interface RestSink {
  chunk(chunk: CanonicalChunk): void
  drain(): Promise<void>
}

/** The rest of an answer whose text passed `spillChars`: read it once, into a sink, to its end. */
export interface Rest {
  /** Throws as collectStream does (the attempt's abort); a reported failure comes back as a value. */
  read(sink: RestSink): Promise<{ ok: true } | { ok: false; kind: FailureKind; error: ProviderError }>
}

/** The text of the last chunk when it is a text-only chunk (appendChunk joins a long answer's text into it). */
export const heldText = (chunks: CanonicalChunk[]): string | undefined => {
  const last = chunks[chunks.length - 1]
  return last && onlyText(last, true)?.content
}

/**
 * Reads the stream to its end; or, given `spillChars`, stops once the text held passes it
 * (one text-only chunk that long: no tool calls, logprobs or several choices on it) and
 * returns what it holds with the Rest to read, the caller having committed to its answer.
 */
export const collectStream = async (
  body: ReadableStream<Uint8Array>, decoder: StreamDecoder, hooks: CollectHooks, spillChars?: number,
): Promise<Collected | { ok: true; chunks: CanonicalChunk[]; firstTokenAt: number | null; rest: Rest }> => {
  if (hooks.signal.aborted) throw hooks.signal.reason
  const reader = body.getReader()
  const onAbort = () => void reader.cancel(hooks.signal.reason).catch(() => {})
  hooks.signal.addEventListener('abort', onAbort)
  const release = () => hooks.signal.removeEventListener('abort', onAbort)
  let spilled = false
  try {
    const r = reading(reader, decoder, hooks)
    const chunks: CanonicalChunk[] = []
    const spill = spillChars === undefined ? undefined : () => (heldText(chunks)?.length ?? 0) > spillChars
    const got = await r.run({ chunk: (c) => appendChunk(chunks, c), drain: async () => {} }, spill)
    if (!got.ok) return got
    if (got.spilled) {
      spilled = true
      return {
        ok: true, chunks, firstTokenAt: r.firstTokenAt(),
        rest: { read: async (sink) => {
          try {
            return await r.run(sink)
          } finally {
            release()
          }
        } },
      }
    }
    return { ok: true, chunks, firstTokenAt: r.firstTokenAt() }
  } finally {
    if (!spilled) release()
  }
}

/**
 * Bytes are fed to the SSE parser by hand rather than through parseEvents' stream pipes: no
 * client waits on each event here, and the pipes' per-event hops cost about four times the
 * parsing (a whole non-streaming answer is read this way).
 */
const reading = (reader: ReadableStreamDefaultReader<Uint8Array>, decoder: StreamDecoder, hooks: CollectHooks) => {
  const text = new TextDecoder()
  const events: SseEvent[] = []
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data }) })
  const stop = () => reader.cancel().catch(() => {})
  let state = decoder.initialState()
  let finished = false
  let firstTokenAt: number | null = null
  type Step = { ok: true; spilled: boolean } | { ok: false; kind: FailureKind; error: ProviderError }
  const run = async (sink: RestSink, spill?: () => boolean): Promise<Step> => {
    try {
      return await steps(sink, spill)
    } catch (err) {
      await stop() // a sink that threw (the client left) leaves no upstream read open
      throw err
    }
  }
  const steps = async (sink: RestSink, spill?: () => boolean): Promise<Step> => {
    for (;;) {
      const next = await reader.read()
      if (hooks.signal.aborted) throw hooks.signal.reason
      if (next.done) break
      parser.feed(text.decode(next.value, { stream: true }))
      for (const event of events.splice(0)) {
        hooks.onEvent()
        const result = decoder.fromUpstreamEvent(event, state)
        state = result.state
        // Before a spill nothing has reached the client, so an in-stream error fails only this attempt.
        if (result.kind === 'error') {
          await stop()
          return { ok: false, kind: 'status', error: result.error }
        }
        for (const chunk of result.chunks) {
          sink.chunk(chunk)
          if (chunk.choices.length) firstTokenAt ??= hooks.now()
          if (chunk.choices.some((c) => c.finish_reason !== null)) finished = true
        }
        if (result.kind === 'done') {
          await stop()
          return { ok: true, spilled: false }
        }
      }
      if (spill?.()) return { ok: true, spilled: true }
      await sink.drain()
    }
    // As for a client's stream (translate.ts): an end with no finish reason is a broken answer.
    return finished
      ? { ok: true, spilled: false }
      : { ok: false, kind: 'invalid_response', error: { status: 502, message: 'Provider closed the stream before it finished' } }
  }
  return { run, firstTokenAt: () => firstTokenAt }
}
