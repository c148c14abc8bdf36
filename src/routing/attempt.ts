// The attempt loop: the one place that awaits providers. Tries each planned
// endpoint in order until one answers; failures before the first byte reach the
// client go to the next attempt, and are collected for the final error.
//
// A client that does not stream still gets its answer streamed from the upstream
// (`Operation.streamed`), assembled into the JSON here: a whole JSON answer has no
// first byte until the model has finished, so a hung host and a long generation look
// alike for UPSTREAM_TIMEOUT_MS (300 s). An event stream shows a live host at once, so
// the first-byte timeout leaves a hung one as quickly as for a streaming client, while
// the total still bounds a stall after the first event. Usage, finish reasons, tool
// calls and reasoning come from the same stream decoders the streaming path uses.
import { GatewayError } from '../errors.ts'
import { redactError, type Redact } from '../lib/redact.ts'
import { adapterFor } from '../providers/registry.ts'
import type { CanonicalChunk, CanonicalRequest, CanonicalResponse, ProviderAdapter, ProviderError, Target, UpstreamRequest } from '../providers/types.ts'
import type { Provider } from '../catalog/schema.ts'
import { assembleChat } from '../streaming/assemble.ts'
import { collectStream, type Rest, type StreamDecoder } from './collect.ts'
import type { PlannedAttempt } from './plan.ts'
import { isRetryable, refusedStreaming, type FailureKind } from './retryable.ts'
import { attemptLimits } from './limits.ts'

/**
 * Sends one upstream request. A URL and init rather than a `Request`: fetch takes them as
 * they are, and building a Request object first cost more than the fetch call itself.
 */
export type Transport = (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response>

export interface AttemptRecord {
  provider: string
  provider_name: string
  endpoint: string
  model: string
  status: number | null
  latency_ms: number
  error?: string
}

export interface AttemptOptions {
  stream: boolean
  transportFor: (provider: Provider) => Transport
  /** Chat only: adjusts the request for one attempt (e.g. a per-endpoint output cap). */
  prepare?: (attempt: PlannedAttempt, request: CanonicalRequest) => CanonicalRequest
  /**
   * Time to the first byte before an endpoint is given up (UPSTREAM_TTFB_TIMEOUT_MS): its
   * response headers and, for a non-streaming request streamed upstream, its first event.
   */
  firstByteTimeoutMs: number
  /** Time to a whole non-streaming answer (UPSTREAM_TIMEOUT_MS): a stall after the first byte ends there. */
  totalTimeoutMs: number
  /** Aborts with the client: cancels the upstream request. */
  signal: AbortSignal
  now: () => number
  /** Takes the env's secrets out of every upstream failure before it is recorded, relayed or logged. */
  redact: Redact
  /**
   * A non-streaming answer whose text passes this many characters is not assembled whole:
   * the attempt commits (no failover after it) and comes back as `spill`, its rest to be read.
   */
  spillChars?: number
}

interface Served {
  attempt: PlannedAttempt
  adapter: ProviderAdapter
  records: AttemptRecord[]
  /** ms from the start of the winning attempt to its response headers. */
  ttfbMs: number
}
export type AttemptOutcome<B = CanonicalResponse> =
  | (Served & {
    ok: true; kind: 'json'; body: B
    /** ms from the start of the attempt to its first token (to the whole answer when it came whole). */
    ttftMs: number
    /** ms from the start of the attempt to the whole answer. */
    totalMs: number
  })
  | (Served & { ok: true; kind: 'stream'; response: Response; abort: AbortController })
  | (Served & {
    ok: true; kind: 'spill'
    /** What was read before the commit: its last chunk holds the text so far. */
    chunks: CanonicalChunk[]
    firstTokenAt: number | null
    /** The rest of the answer; the attempt's limits still bound it, and a throw says why it ended early. */
    rest: Rest
    /** Why the read was aborted, once it was: the client left, or which limit expired. */
    aborted: () => 'client' | 'first byte' | 'total' | undefined
    startedAt: number
  })
  | { ok: false; records: AttemptRecord[]; error: GatewayError }

export interface Failure {
  kind: FailureKind
  error: ProviderError
  attempt: PlannedAttempt
}

export const targetOf = (a: PlannedAttempt): Target => ({
  model: a.model,
  endpoint: a.endpoint,
  provider: a.provider,
  baseUrl: a.config.baseUrl,
  apiKey: a.config.apiKey,
})

/**
 * `Retry-After` for a final 429 or 503: the soonest any endpoint said it would take
 * requests again (each one can serve the retry). Failures without a hint (timeouts,
 * resets) say nothing about when, so they neither add nor remove one. At least 1 s.
 */
const retryAfterHeader = (failures: Failure[]): { headers?: Record<string, string> } => {
  const hints = failures.map((f) => f.error.retryAfter).filter((s): s is number => s !== undefined && Number.isFinite(s) && s >= 0)
  return hints.length ? { headers: { 'retry-after': String(Math.max(1, Math.min(...hints))) } } : {}
}

/** The error the client sees once every attempt has failed (docs/compatibility.md#after-every-attempt-failed). */
export const finalError = (failures: Failure[]): GatewayError => {
  const last = failures[failures.length - 1]
  if (!last) return new GatewayError('unavailable', 'No provider could serve the request')
  const providerMeta = { provider_name: last.attempt.provider.name, raw: last.error.raw ?? last.error.message }
  if (!isRetryable(last.kind, last.error.status)) {
    // The request itself was refused: relay the upstream's own 4xx, typed as a request error.
    return new GatewayError('invalid_request', last.error.message, {
      status: last.error.status as 400,
      metadata: { ...providerMeta, ...(last.error.code ? { provider_code: last.error.code } : {}) },
    })
  }
  const retry = retryAfterHeader(failures)
  if (failures.every((f) => f.kind === 'status' && f.error.status === 429)) {
    return new GatewayError('rate_limited', 'Rate limited by every provider for this model; retry shortly', { metadata: providerMeta, ...retry })
  }
  if (failures.every((f) => f.kind === 'timeout' || f.kind === 'network' || (f.error.status >= 500 && f.error.status !== 501))) {
    return new GatewayError('unavailable', `Every provider failed or timed out (${failures.length} attempted)`, { metadata: providerMeta, ...retry })
  }
  return new GatewayError('provider_error', 'Provider returned error', { metadata: providerMeta })
}

const isEventStream = (response: Response) => (response.headers.get('content-type') ?? '').includes('text/event-stream')

/**
 * What one attempt sends and how its JSON answer is read. Chat is the default;
 * embeddings and legacy completions bring their own (the adapter's optional parts).
 * `build` returns undefined when the endpoint's adapter cannot serve the operation.
 */
export interface Operation<B> {
  build: (adapter: ProviderAdapter, attempt: PlannedAttempt) => UpstreamRequest | undefined
  /** Throws on a body of the wrong shape: the attempt then fails as invalid_response. */
  parse: (adapter: ProviderAdapter, json: unknown, attempt: PlannedAttempt) => B
  /**
   * For a client that does not stream: the same request asking the upstream for a stream,
   * and how its events become B. Without it (embeddings) the JSON answer is awaited whole.
   */
  streamed?: {
    build: (adapter: ProviderAdapter, attempt: PlannedAttempt) => UpstreamRequest | undefined
    decoder: (adapter: ProviderAdapter, attempt: PlannedAttempt) => StreamDecoder
    assemble: (chunks: CanonicalChunk[]) => B
  }
}

export const chatOperation = (request: CanonicalRequest, prepare?: AttemptOptions['prepare']): Required<Operation<CanonicalResponse>> => {
  const requestFor = (attempt: PlannedAttempt) => (prepare ? prepare(attempt, request) : request)
  return {
    build: (adapter, attempt) => adapter.toUpstream(requestFor(attempt), targetOf(attempt)),
    parse: (adapter, json) => adapter.fromUpstream(json),
    streamed: {
      build: (adapter, attempt) => adapter.toUpstream({ ...requestFor(attempt), stream: true }, targetOf(attempt)),
      decoder: (adapter) => adapter,
      assemble: assembleChat,
    },
  }
}

export const runAttempts = (attempts: PlannedAttempt[], request: CanonicalRequest, options: AttemptOptions): Promise<AttemptOutcome> =>
  runOperation(attempts, chatOperation(request, options.prepare), options)

export const runOperation = async <B>(
  attempts: PlannedAttempt[],
  operation: Operation<B>,
  options: Omit<AttemptOptions, 'prepare'>,
): Promise<AttemptOutcome<B>> => {
  const records: AttemptRecord[] = []
  const failures: Failure[] = []

  const order = [...attempts]
  /** Positions in `order` that ask for the whole JSON answer: a retry of a host that refused to stream. */
  const asJson = new Set<number>()
  for (let i = 0; i < order.length; i++) {
    const attempt = order[i]!
    const adapter = adapterFor(attempt.provider.protocol)
    if (!adapter) continue
    const started = options.now()
    const record = (status: number | null, error?: string) =>
      records.push({
        provider: attempt.provider.id,
        provider_name: attempt.provider.name,
        endpoint: attempt.endpoint.tag ?? attempt.provider.id,
        model: attempt.model.id,
        status,
        latency_ms: options.now() - started,
        ...(error ? { error } : {}),
      })
    const fail = (kind: FailureKind, upstream: ProviderError) => {
      const error = redactError(upstream, options.redact)
      record(kind === 'status' ? error.status : null, error.message)
      failures.push({ kind, error, attempt })
    }

    const streamed = options.stream || asJson.has(i) ? undefined : operation.streamed
    const abort = new AbortController()
    const onClientAbort = () => abort.abort(options.signal.reason)
    options.signal.addEventListener('abort', onClientAbort)
    // A stream (the client's, or one assembled into JSON) must show its first byte in time;
    // a whole JSON answer (embeddings) has only the total, as nothing arrives before it.
    const limits = attemptLimits(started, {
      firstByteMs: options.stream || streamed ? options.firstByteTimeoutMs : undefined,
      totalMs: options.stream ? undefined : options.totalTimeoutMs,
    })
    let expired: 'first byte' | 'total' | undefined
    // One timer per attempt, re-armed for the next limit when it fires early (the first byte came).
    let timer: ReturnType<typeof setTimeout> | undefined
    const arm = () => {
      const next = limits.next(options.now())
      if (next.kind === 'wait') timer = setTimeout(arm, next.ms)
      else if (next.kind === 'expired') {
        expired = next.limit
        abort.abort(new DOMException(`upstream ${next.limit} timeout`, 'TimeoutError'))
      }
    }
    arm()
    // Called on every event of a stream assembled into JSON: a flag, not a timer call.
    const firstByteSeen = () => {
      limits.firstByteSeen()
      if (options.stream) clearTimeout(timer) // a client's stream has no total: nothing left to time
    }
    const done = () => {
      clearTimeout(timer)
      options.signal.removeEventListener('abort', onClientAbort)
    }

    try {
      const up = streamed ? streamed.build(adapter, attempt) : operation.build(adapter, attempt)
      if (!up) {
        done()
        continue
      }
      const response = await options.transportFor(attempt.provider)(up.url, { method: 'POST', headers: up.headers, body: up.body, signal: abort.signal })
      const ttfbMs = options.now() - started
      if (!response.ok) {
        const text = await response.text()
        done()
        const error = adapter.parseError(response.status, text, response.headers)
        fail('status', error)
        if (streamed && refusedStreaming(error)) {
          order.splice(i + 1, 0, attempt)
          asJson.add(i + 1)
          continue
        }
        if (!isRetryable('status', error.status)) break
        continue
      }
      if (options.stream) {
        if (!isEventStream(response)) {
          done()
          await response.body?.cancel()
          fail('invalid_response', { status: 502, message: 'Upstream did not answer with an event stream' })
          continue
        }
        // Committed: from here the client gets bytes, so there is no fallback. The
        // timer is cleared but client aborts still cancel the upstream through `abort`.
        firstByteSeen()
        record(response.status)
        return { ok: true, kind: 'stream', attempt, adapter, records, ttfbMs, response, abort }
      }
      if (streamed && isEventStream(response)) {
        // A reasoning model may think for minutes before its first event: only its headers
        // are held to the first-byte limit, and the total bounds the silence after them.
        if (attempt.endpoint.capabilities.reasoning) firstByteSeen()
        const got = await collectStream(
          response.body ?? new ReadableStream(), streamed.decoder(adapter, attempt), { onEvent: firstByteSeen, now: options.now, signal: abort.signal }, options.spillChars,
        )
        if (got.ok && 'rest' in got) {
          // Committed: the caller sends what is held and reads on; the timer and the client's abort still end the read.
          record(response.status)
          const rest: Rest = {
            read: (sink) => got.rest.read(sink)
              .then((r) => (r.ok ? r : { ...r, error: redactError(r.error, options.redact) }))
              .finally(done),
          }
          const aborted = () => (options.signal.aborted ? 'client' as const : expired)
          return { ok: true, kind: 'spill', attempt, adapter, records, ttfbMs, chunks: got.chunks, firstTokenAt: got.firstTokenAt, rest, aborted, startedAt: started }
        }
        done()
        if (!got.ok) {
          fail(got.kind, got.error)
          if (!isRetryable(got.kind, got.error.status)) break
          continue
        }
        record(response.status)
        const totalMs = options.now() - started
        const ttftMs = got.firstTokenAt === null ? totalMs : got.firstTokenAt - started
        return { ok: true, kind: 'json', attempt, adapter, records, ttfbMs, ttftMs, totalMs, body: streamed.assemble(got.chunks) }
      }
      // A whole JSON answer (or a host that answered JSON to a stream request): the total bounds its body.
      firstByteSeen()
      let body: B
      try {
        body = operation.parse(adapter, await response.json(), attempt)
      } catch (err) {
        done()
        fail(abort.signal.aborted ? 'timeout' : 'invalid_response', { status: 502, message: `Invalid upstream response: ${(err as Error).message}` })
        continue
      }
      done()
      record(response.status)
      const totalMs = options.now() - started
      return { ok: true, kind: 'json', attempt, adapter, records, ttfbMs, ttftMs: totalMs, totalMs, body }
    } catch (err) {
      done()
      if (options.signal.aborted) {
        record(null, 'client closed the request')
        return { ok: false, records, error: new GatewayError('timeout', 'Client closed the request', { status: 408 as 408 }) }
      }
      const timedOut = abort.signal.aborted
      const limit = expired === 'total' ? `did not finish within ${options.totalTimeoutMs} ms` : `sent nothing within ${options.firstByteTimeoutMs} ms`
      fail(timedOut ? 'timeout' : 'network', {
        status: timedOut ? 504 : 502,
        message: timedOut ? `Upstream timed out: it ${limit}` : `Upstream connection failed: ${(err as Error).message}`,
      })
    }
  }
  return { ok: false, records, error: finalError(failures) }
}
