// Anthropic's error envelope, `{type: "error", error: {type, message}}`, with its
// error types and statuses. Differences from the chat envelope's statuses:
// - no provider could serve (503) is 529 overloaded_error, the status Anthropic's
//   clients treat as "overloaded, retry later";
// - an unknown model is 404 not_found_error, as Anthropic answers it;
// - credits (402) are billing_error, Anthropic's own type for 402.
// Headers (Retry-After) are kept.
// @see https://docs.anthropic.com/en/api/errors
import type { GatewayError } from '../../errors.ts'
import type { ProviderError } from '../../providers/types.ts'

const TYPE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
}

/** Anthropic's error type for an HTTP status: other 4xx are invalid requests, other 5xx API errors. */
export const errorTypeOfStatus = (status: number): string =>
  TYPE_OF_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')

const ANTHROPIC_TYPES: ReadonlySet<string> = new Set([...Object.values(TYPE_OF_STATUS), 'conflict_error'])

/** A mid-stream failure's type: the upstream's own when Anthropic said it (overloaded_error…), else from the status. */
export const streamErrorType = (error: Pick<ProviderError, 'status' | 'code'>): string =>
  error.code && ANTHROPIC_TYPES.has(error.code) ? error.code : errorTypeOfStatus(error.status)

/** The status a Messages client gets for a gateway error. */
const statusOf = (error: GatewayError): number => {
  if (error.code === 'unknown_model') return 404
  if (error.code === 'unavailable' && error.status === 503) return 529
  return error.status
}

export const messagesErrorBody = (error: GatewayError): { status: number; body: unknown; headers?: Record<string, string> } => {
  const status = statusOf(error)
  // An operator's missing setting is the gateway's fault, not an overload to wait out.
  const type = error.code === 'not_configured' ? 'api_error' : errorTypeOfStatus(status)
  return {
    status,
    body: { type: 'error', error: { type, message: error.message } },
    ...(error.headers ? { headers: error.headers } : {}),
  }
}
