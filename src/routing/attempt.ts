// The attempt loop: the one place that awaits providers. Tries each planned
// endpoint in order until one answers; failures before the first byte reach the
// client go to the next attempt, and are collected for the final error.
import { GatewayError } from '../errors.ts'
import { redactError, type Redact } from '../lib/redact.ts'
import { adapterFor } from '../providers/registry.ts'
import type { CanonicalRequest, CanonicalResponse, ProviderAdapter, ProviderError, Target, UpstreamRequest } from '../providers/types.ts'
import type { Provider } from '../catalog/schema.ts'
import type { PlannedAttempt } from './plan.ts'
import { isRetryable, type FailureKind } from './retryable.ts'

export type Transport = (request: Request) => Promise<Response>

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
  /** Time to response headers (stream) or to the whole body (non-stream) before giving up on an endpoint. */
  timeoutMs: number
  /** Aborts with the client: cancels the upstream request. */
  signal: AbortSignal
  now: () => number
  /** Takes the env's secrets out of every upstream failure before it is recorded, relayed or logged. */
  redact: Redact
}

interface Served {
  attempt: PlannedAttempt
  adapter: ProviderAdapter
  records: AttemptRecord[]
  /** ms from the start of the winning attempt to its response headers. */
  ttfbMs: number
}
export type AttemptOutcome<B = CanonicalResponse> =
  | (Served & { ok: true; kind: 'json'; body: B })
  | (Served & { ok: true; kind: 'stream'; response: Response; abort: AbortController })
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
  parse: (adapter: ProviderAdapter, json: unknown) => B
}

export const chatOperation = (request: CanonicalRequest, prepare?: AttemptOptions['prepare']): Operation<CanonicalResponse> => ({
  build: (adapter, attempt) => adapter.toUpstream(prepare ? prepare(attempt, request) : request, targetOf(attempt)),
  parse: (adapter, json) => adapter.fromUpstream(json),
})

export const runAttempts = (attempts: PlannedAttempt[], request: CanonicalRequest, options: AttemptOptions): Promise<AttemptOutcome> =>
  runOperation(attempts, chatOperation(request, options.prepare), options)

export const runOperation = async <B>(
  attempts: PlannedAttempt[],
  operation: Operation<B>,
  options: Omit<AttemptOptions, 'prepare'>,
): Promise<AttemptOutcome<B>> => {
  const records: AttemptRecord[] = []
  const failures: Failure[] = []

  for (const attempt of attempts) {
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

    const abort = new AbortController()
    const onClientAbort = () => abort.abort(options.signal.reason)
    options.signal.addEventListener('abort', onClientAbort)
    const timer = setTimeout(() => abort.abort(new DOMException('upstream timed out', 'TimeoutError')), options.timeoutMs)
    const done = () => {
      clearTimeout(timer)
      options.signal.removeEventListener('abort', onClientAbort)
    }

    try {
      const up = operation.build(adapter, attempt)
      if (!up) {
        done()
        continue
      }
      const response = await options.transportFor(attempt.provider)(
        new Request(up.url, { method: 'POST', headers: up.headers, body: up.body, signal: abort.signal }),
      )
      const ttfbMs = options.now() - started
      if (!response.ok) {
        const text = await response.text()
        done()
        const error = adapter.parseError(response.status, text, response.headers)
        fail('status', error)
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
        clearTimeout(timer)
        record(response.status)
        return { ok: true, kind: 'stream', attempt, adapter, records, ttfbMs, response, abort }
      }
      let body: B
      try {
        body = operation.parse(adapter, await response.json())
      } catch (err) {
        done()
        fail(abort.signal.aborted ? 'timeout' : 'invalid_response', { status: 502, message: `Invalid upstream response: ${(err as Error).message}` })
        continue
      }
      done()
      record(response.status)
      return { ok: true, kind: 'json', attempt, adapter, records, ttfbMs, body }
    } catch (err) {
      done()
      if (options.signal.aborted) {
        record(null, 'client closed the request')
        return { ok: false, records, error: new GatewayError('timeout', 'Client closed the request', { status: 408 as 408 }) }
      }
      const timedOut = abort.signal.aborted
      fail(timedOut ? 'timeout' : 'network', {
        status: timedOut ? 504 : 502,
        message: timedOut ? `Upstream timed out after ${options.timeoutMs} ms` : `Upstream connection failed: ${(err as Error).message}`,
      })
    }
  }
  return { ok: false, records, error: finalError(failures) }
}
