// One error class, one envelope, one table (docs/compatibility.md#errors).
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { redactorOf } from './lib/redact.ts'

/** Every failure the gateway reports: its HTTP status and OpenRouter `error_type`. */
const TABLE = {
  invalid_request: [400, 'invalid_request'],
  unknown_model: [400, 'invalid_request'],
  context_length_exceeded: [400, 'context_length_exceeded'],
  unauthorized: [401, 'authentication'],
  payment_required: [402, 'payment_required'],
  forbidden: [403, 'permission_denied'],
  not_found: [404, 'not_found'],
  no_endpoints: [404, 'not_found'],
  timeout: [408, 'timeout'],
  conflict: [409, 'invalid_request'],
  payload_too_large: [413, 'payload_too_large'],
  unprocessable: [422, 'unprocessable'],
  rate_limited: [429, 'rate_limit_exceeded'],
  internal: [500, 'server'],
  provider_error: [502, 'provider_unavailable'],
  unavailable: [503, 'provider_overloaded'],
  /** A feature the operator has not configured (e.g. a webhook without its secret). */
  not_configured: [503, 'server'],
} as const satisfies Record<string, readonly [ContentfulStatusCode, string]>

export type ErrorCode = keyof typeof TABLE

export const statusOf = (code: ErrorCode): ContentfulStatusCode => TABLE[code][0]

export interface GatewayErrorOptions {
  /** Overrides the table's status, e.g. to relay an upstream 4xx as is. */
  status?: ContentfulStatusCode
  metadata?: Record<string, unknown>
  headers?: Record<string, string>
  /** Top-level siblings of `error` in the body, e.g. `openrouter_metadata`. */
  body?: Record<string, unknown>
  cause?: unknown
}

export class GatewayError extends Error {
  readonly status: ContentfulStatusCode
  readonly metadata: Record<string, unknown> | undefined
  readonly headers: Record<string, string> | undefined
  readonly body: Record<string, unknown> | undefined

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.status = options.status ?? statusOf(code)
    this.metadata = options.metadata
    this.headers = options.headers
    this.body = options.body
  }

  /** The same error with more top-level body fields. */
  withBody(extra: Record<string, unknown>): GatewayError {
    return new GatewayError(this.code, this.message, {
      status: this.status, ...(this.metadata ? { metadata: this.metadata } : {}), ...(this.headers ? { headers: this.headers } : {}),
      body: { ...this.body, ...extra },
    })
  }

  get errorType(): string {
    return TABLE[this.code][1]
  }
}

export interface ErrorBody {
  error: { code: number; message: string; metadata?: Record<string, unknown> }
}

/** The one OpenAI/OpenRouter error envelope: `error.code` is always the integer status. */
export const toErrorBody = (err: GatewayError): ErrorBody => ({
  ...err.body,
  error: {
    code: err.status,
    message: err.message,
    metadata: { error_type: err.errorType, ...err.metadata },
  },
})

/** An error envelope: the status, the body and any headers of its own (a skin's `errorBody`). */
export type ErrorEnvelope = (err: GatewayError) => { status: number; body: unknown; headers?: Record<string, string> }

/** The OpenAI/OpenRouter envelope: every route's, unless an inference skin speaks another wire. */
export const openAiErrorBody: ErrorEnvelope = (err) => ({ status: err.status, body: toErrorBody(err) })

export const errorResponse = (c: Context, err: GatewayError, envelope: ErrorEnvelope = openAiErrorBody): Response => {
  const { status, body, headers } = envelope(err)
  for (const [name, value] of Object.entries({ ...err.headers, ...headers })) c.header(name, value)
  return c.json(body, status as ContentfulStatusCode)
}

/**
 * `app.onError`: known errors render as they are; anything else is a 500 whose
 * message hides internals (I5: nothing upstream or secret leaks).
 */
export const handleError = (err: Error, c: Context): Response => errorResponse(c, asGatewayError(err, c))

/** Routes of a skin with its own envelope render every error in it (auth, validation, the pipeline's). */
export const handleErrorWith = (envelope: ErrorEnvelope) => (err: Error, c: Context): Response =>
  errorResponse(c, asGatewayError(err, c), envelope)

const asGatewayError = (err: Error, c: Context): GatewayError => {
  if (err instanceof GatewayError) return err
  // An unexpected error's text may quote what an upstream said: the log gets it redacted too.
  const redact = redactorOf(c.env ?? {})
  console.error(JSON.stringify({ level: 'error', requestId: c.get('requestId'), message: redact(err.message), stack: err.stack && redact(err.stack) }))
  return new GatewayError('internal', 'Internal server error')
}
