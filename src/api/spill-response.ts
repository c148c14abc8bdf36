// A non-streaming answer too long to hold (its text past the attempt's spillChars): the
// JSON is sent as the text arrives, so the memory a request holds is bounded by an upstream
// read, not the answer's size. The attempt has committed, so a failure from here cannot
// fail over: the JSON is closed with choice 0's finish "error" and an `error` object (as a
// stream's error chunk says it), what was served is billed and recorded. A body whose text
// cannot go first along its path (a Messages answer that reasoned first) is held whole.
import type { Context } from 'hono'
import type { Cost } from '../billing/pricing.ts'
import type { AppEnv } from '../env.ts'
import type { CanonicalChunk, CanonicalResponse, FinishReason, Usage } from '../providers/types.ts'
import type { AttemptOutcome, AttemptRecord } from '../routing/attempt.ts'
import type { reportsFromAttempts } from '../routing/health.ts'
import type { SkinMeta } from '../skins/skin.ts'
import { assembleChat } from '../streaming/assemble.ts'
import type { Answer } from './inference.ts'
import { jsonText, spillHead, spillPath, spillTail, splitText, withText } from './spill-json.ts'
import type { recorder } from './pipeline.ts'
import { isRecord } from '../lib/json.ts'

export interface SpillOptions {
  outcome: Extract<AttemptOutcome<unknown>, { kind: 'spill' }>
  meta: SkinMeta
  /** The answer for the assembled rest of the body (its text left out) and the text's length. */
  answer(rest: CanonicalResponse, textChars: number): Answer
  price: (usage: Usage, finish: FinishReason | null) => Cost
  record: ReturnType<typeof recorder>
  learn: (records: AttemptRecord[], served?: Parameters<typeof reportsFromAttempts>[2]) => void
  extra?: () => Record<string, unknown>
}

type Ended =
  | { kind: 'completed' }
  | { kind: 'error'; status: number; message: string; errorType: string }
  | { kind: 'cancelled' }

export const spillResponse = (c: Context<AppEnv>, o: SpillOptions): Response => {
  const { outcome } = o
  const encoder = new TextEncoder()
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  const writer = writable.getWriter()
  const seen = { upstreamId: false, fingerprint: false }
  // Choice 0 always assembles, even when every piece of it was text.
  const parts: CanonicalChunk[] = [{ choices: [{ index: 0, delta: {}, finish_reason: null, native_finish_reason: null, logprobs: null }] }]
  let chars = 0
  /** JSON to write; text since the last write waits in `texts`, escaped once per write rather than once per event. */
  let pending = ''
  let texts: string[] = []
  let textsChars = 0
  let writerGone = false
  /** The body cannot be written along its text: the text is held, and the JSON written whole at the end. */
  let held = false
  const add = (chunk: CanonicalChunk) => {
    const { text, left } = splitText(chunk, seen)
    if (text) {
      texts.push(text)
      textsChars += text.length
      chars += text.length
    }
    if (left) parts.push(left)
  }
  // Written after upstream reads once a piece is worth a write (one per event would be tens of
  // thousands); past a few writes behind, the upstream read waits for the client.
  const drain = async (last = false) => {
    if (held || (!last && pending.length + textsChars < PIECE)) return
    escapeTexts()
    if (!pending) return
    const bytes = encoder.encode(pending)
    pending = ''
    // A write that fails is a client that left: the next read stops, and the upstream is cancelled.
    void writer.write(bytes).catch(() => (writerGone = true))
    if (writerGone) throw new Error('client closed the response')
    try {
      if ((writer.desiredSize ?? 0) < -BACKLOG) await writer.ready
    } catch (err) {
      writerGone = true
      throw err
    }
  }

  const escapeTexts = () => {
    if (!texts.length) return
    pending += jsonText(texts.join(''))
    texts = []
    textsChars = 0
  }

  const run = async (): Promise<void> => {
    let ended: Ended
    try {
      for (const chunk of outcome.chunks) add(chunk)
      outcome.chunks.length = 0
      const head = o.answer(assembleChat(parts), chars).body(o.meta, o.price(zeroUsage, null))
      const path = spillPath(head)
      if (path) pending = spillHead(head, path)
      else held = true
      await drain(true)
      const got = await outcome.rest.read({ chunk: add, drain: () => drain() })
      ended = got.ok ? { kind: 'completed' } : { kind: 'error', status: got.error.status, message: got.error.message, errorType: 'provider_error' }
    } catch (err) {
      const why = outcome.aborted()
      ended = why === 'client' || writerGone ? { kind: 'cancelled' }
        : why ? { kind: 'error', status: 504, message: `Upstream timed out: its ${why} limit passed`, errorType: 'timeout' }
        : { kind: 'error', status: 502, message: `Upstream connection failed: ${(err as Error).message}`, errorType: 'network' }
    }
    const rest = assembleChat(parts)
    const answer = o.answer(rest, chars)
    const { usage } = answer
    // As a stream: a cancelled answer pays for what it produced; one that failed, for what was served.
    const finish = ended.kind === 'cancelled' && chars > 0 ? answer.finish ?? 'stop' : ended.kind === 'error' ? answer.finish : answer.billedAs ?? answer.finish
    const cost = o.price(usage, finish)
    const endedAt = Date.now()
    const status = ended.kind === 'error' ? ended.status : 200
    if (ended.kind !== 'cancelled') {
      try {
        // A failure shows in choice 0's finish, as the skin spells "error".
        const body = ended.kind === 'error' ? o.answer(withFinish(rest, 'error'), chars).body(o.meta, cost) : answer.body(o.meta, cost)
        const extra = { ...o.extra?.(), ...(ended.kind === 'error' ? { error: { code: ended.status, message: ended.message, metadata: { error_type: ended.errorType } } } : {}) }
        escapeTexts()
        if (held) pending = withText(isRecord(body) ? { ...body, ...extra } : body, pending)
        else pending += spillTail(body, extra)
        held = false
        await drain(true).catch(() => {})
        await writer.close().catch(() => {})
      } catch (err) {
        // A body that lost its mark is a bug: the client sees a cut answer, never wrong JSON.
        console.error(JSON.stringify({ level: 'error', message: 'spill: could not close the JSON', error: String(err) }))
        await writer.abort(err).catch(() => {})
      }
    } else {
      await writer.abort().catch(() => {})
    }
    const totalMs = endedAt - outcome.startedAt
    const ttftMs = outcome.firstTokenAt === null ? totalMs : outcome.firstTokenAt - outcome.startedAt
    const records = outcome.records.map((r, i) => (i === outcome.records.length - 1 && ended.kind === 'error' ? { ...r, status } : r))
    if (ended.kind !== 'cancelled') o.learn(records, { ttftMs, completionTokens: usage.completion_tokens, generationMs: totalMs - ttftMs })
    await o.record({
      cancelled: ended.kind === 'cancelled', attempts: records, served: outcome.attempt, status, usage, costMicro: cost.total,
      upstreamId: answer.upstreamId, finish: ended.kind === 'error' ? 'error' : answer.finish, nativeFinish: answer.nativeFinish,
      generationTimeMs: totalMs, ttftMs, endedAt,
    })
  }
  c.executionCtx.waitUntil(run())
  return c.body(readable, 200, { 'content-type': 'application/json' })
}

/** Characters of JSON a write carries at least, and how many writes the client may fall behind by. */
const PIECE = 16 * 1024
const BACKLOG = 4

const zeroUsage: Usage = { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 }
const withFinish = (res: CanonicalResponse, finish: FinishReason): CanonicalResponse =>
  ({ ...res, choices: res.choices.map((c) => (c.index === 0 ? { ...c, finish_reason: finish } : c)) })
