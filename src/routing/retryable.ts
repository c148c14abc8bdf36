// PURE: which upstream failures go to the next attempt (docs/compatibility.md#routing).
// Only failures before the first byte reach the client can be retried at all.

export type FailureKind = 'timeout' | 'network' | 'status' | 'invalid_response'

/**
 * Retry the next endpoint on timeouts, connection errors, invalid bodies, 408/409/429,
 * 5xx, and the upstream refusing *our* credentials (401/403) or not knowing the model (404).
 * Other 4xx were caused by the request itself and are returned as they are.
 */
export const isRetryable = (kind: FailureKind, status?: number): boolean => {
  if (kind !== 'status' || status === undefined) return true
  return status >= 500 || [401, 403, 404, 408, 409, 429].includes(status)
}

/**
 * A 400 about streaming, to a non-streaming request the gateway streamed upstream (attempt.ts):
 * the host will not stream this model for us (OpenAI streams some models only to verified
 * organizations; some hosts reject `stream_options`), so the same endpoint is asked for the
 * whole JSON answer instead. A request error that merely mentions streams costs one more try.
 */
export const refusedStreaming = (error: { status: number; message: string; raw?: unknown }): boolean =>
  error.status === 400 && /\bstream/i.test(`${error.message} ${JSON.stringify(error.raw ?? '')}`)
