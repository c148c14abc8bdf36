// Anthropic's error envelope and statuses for every gateway error, as the SDK classifies them.
import Anthropic from '@anthropic-ai/sdk'
import { describe, expect, it } from 'vitest'
import { GatewayError, type ErrorCode } from '../../../../src/errors.ts'
import { messagesCodec } from '../../../../src/skins/messages/index.ts'
import { sdk } from './_helpers.ts'

describe('errorBody', () => {
  it.each([
    ['invalid_request', 400, 'invalid_request_error'],
    ['context_length_exceeded', 400, 'invalid_request_error'],
    ['unknown_model', 404, 'not_found_error'],
    ['unauthorized', 401, 'authentication_error'],
    ['payment_required', 402, 'billing_error'],
    ['forbidden', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['no_endpoints', 404, 'not_found_error'],
    ['timeout', 408, 'timeout_error'],
    ['conflict', 409, 'invalid_request_error'],
    ['payload_too_large', 413, 'request_too_large'],
    ['unprocessable', 422, 'invalid_request_error'],
    ['rate_limited', 429, 'rate_limit_error'],
    ['internal', 500, 'api_error'],
    ['provider_error', 502, 'api_error'],
    ['unavailable', 529, 'overloaded_error'],
    ['not_configured', 503, 'api_error'],
  ] as const)('%s → %i %s', (code, status, type) => {
    expect(messagesCodec.errorBody(new GatewayError(code as ErrorCode, 'Something happened'))).toEqual({
      status,
      body: { type: 'error', error: { type, message: 'Something happened' } },
    })
  })

  it('a relayed upstream status picks the type by status', () => {
    expect(messagesCodec.errorBody(new GatewayError('provider_error', 'bad tool schema', { status: 400 }))).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } })
    expect(messagesCodec.errorBody(new GatewayError('provider_error', 'slow down', { status: 429 }))).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error' } } })
  })

  it('keeps Retry-After and drops metadata from the body', () => {
    const e = new GatewayError('rate_limited', 'Rate limit exceeded', { headers: { 'retry-after': '7' }, metadata: { limit: 'rpm' } })
    expect(messagesCodec.errorBody(e)).toEqual({
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit exceeded' } },
      headers: { 'retry-after': '7' },
    })
  })
})

describe('read by the Anthropic SDK', () => {
  const raise = async (error: GatewayError) => {
    const { status, body, headers } = messagesCodec.errorBody(error)
    const client = sdk(() => Response.json(body, { status, ...(headers ? { headers } : {}) }))
    try {
      await client.messages.create({ model: 'anthropic/claude-sonnet-4.5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
    } catch (e) {
      return e
    }
    throw new Error('no error raised')
  }

  it.each([
    [new GatewayError('invalid_request', 'Invalid request: max_tokens: required'), Anthropic.BadRequestError, 'invalid_request_error'],
    [new GatewayError('unauthorized', 'Missing API key'), Anthropic.AuthenticationError, 'authentication_error'],
    [new GatewayError('payment_required', 'Insufficient credits'), Anthropic.PaymentRequiredError, 'billing_error'],
    [new GatewayError('unknown_model', 'claude-x is not a valid model ID'), Anthropic.NotFoundError, 'not_found_error'],
    [new GatewayError('rate_limited', 'Too many requests', { headers: { 'retry-after': '3' } }), Anthropic.RateLimitError, 'rate_limit_error'],
    [new GatewayError('unavailable', 'Every provider failed'), Anthropic.OverloadedError, 'overloaded_error'],
  ] as const)('%s', async (error, cls, type) => {
    const e = await raise(error)
    expect(e).toBeInstanceOf(cls)
    expect(e).toMatchObject({ type, apiMessage: error.message })
  })

  it('Retry-After reaches the client', async () => {
    const e = await raise(new GatewayError('rate_limited', 'Too many requests', { headers: { 'retry-after': '3' } }))
    expect((e as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('3')
  })
})
