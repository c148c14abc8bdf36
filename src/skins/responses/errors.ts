// Errors as OpenAI's Responses API sends them: `{error: {message, type, param, code}}` with
// string codes (the `openai` SDK reads all four; Codex CLI matches on `code`), plus
// OpenRouter's `metadata.error_type` as chat has it.
import { GatewayError } from '../../errors.ts'

/** A 400 naming the field at fault, in the message and as the envelope's `param`. */
export const invalidParam = (param: string, message: string): never => {
  throw new GatewayError('invalid_request', `Invalid request: ${param}: ${message}`, { metadata: { param } })
}

const TYPE_BY_STATUS: Record<number, string> = {
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
}

const typeOf = (status: number): string => TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')

/** OpenAI's codes where one says the same thing; OpenRouter's error type otherwise. */
const codeOf = (err: GatewayError): string => {
  switch (err.code) {
    case 'unknown_model':
    case 'no_endpoints':
      return 'model_not_found'
    case 'unauthorized':
      return 'invalid_api_key'
    case 'payment_required':
      return 'insufficient_quota'
    default:
      return err.errorType
  }
}

const paramOf = (metadata: Record<string, unknown> | undefined): string | null => {
  if (typeof metadata?.param === 'string') return metadata.param
  const issues = metadata?.issues
  const first: unknown = Array.isArray(issues) ? issues[0] : undefined
  return typeof first === 'object' && first !== null && 'path' in first && typeof first.path === 'string' ? first.path : null
}

export const responsesErrorBody = (err: GatewayError): { status: number; body: unknown; headers?: Record<string, string> } => ({
  status: err.status,
  body: {
    ...err.body,
    error: {
      message: err.message,
      type: typeOf(err.status),
      param: paramOf(err.metadata),
      code: codeOf(err),
      metadata: { error_type: err.errorType, ...err.metadata },
    },
  },
  ...(err.headers ? { headers: err.headers } : {}),
})

/**
 * A failure mid-stream → the `code` of response.failed's error: the ones Codex CLI acts on
 * (a full context, exhausted quota, a rate limit or overload it waits out), else server_error.
 */
export const streamErrorCode = (errorType: string): string => {
  switch (errorType) {
    case 'context_length_exceeded':
    case 'rate_limit_exceeded':
      return errorType
    case 'payment_required':
      return 'insufficient_quota'
    case 'provider_overloaded':
      return 'server_is_overloaded'
    case 'invalid_request':
      return 'invalid_prompt'
    default:
      return 'server_error'
  }
}
