// A skin with an error envelope of its own renders every error on its routes in it:
// those its middleware throws (auth) as well as its handler's, with the error's headers;
// the app's other routes keep the OpenAI envelope.
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { describe, expect, it } from 'vitest'
import { GatewayError, handleError, handleErrorWith, type ErrorEnvelope } from '../../../src/errors.ts'

const anthropicLike: ErrorEnvelope = (err) => ({
  status: err.status,
  body: { type: 'error', error: { type: err.status === 401 ? 'authentication_error' : 'api_error', message: err.message } },
  headers: { 'x-envelope': 'anthropic' },
})

const app = () => {
  const auth = createMiddleware(async (c, next) => {
    if (!c.req.header('x-api-key')) throw new GatewayError('unauthorized', 'No auth credentials found')
    await next()
  })
  const skin = new Hono().post('/messages', auth, () => {
    throw new GatewayError('rate_limited', 'slow down', { headers: { 'retry-after': '3' } })
  }).onError(handleErrorWith(anthropicLike))
  const other = new Hono().post('/chat/completions', auth, (c) => c.text('ok'))
  const root = new Hono().route('/v1', skin).route('/v1', other)
  root.onError(handleError)
  return root
}

describe('route-level error envelopes', () => {
  it("renders a middleware's auth failure in the skin's envelope", async () => {
    const res = await app().request('/v1/messages', { method: 'POST' })
    expect(res.status).toBe(401)
    expect(res.headers.get('x-envelope')).toBe('anthropic')
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'No auth credentials found' } })
  })

  it("renders the handler's error in it, with the error's own headers", async () => {
    const res = await app().request('/v1/messages', { method: 'POST', headers: { 'x-api-key': 'k' } })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'slow down' } })
  })

  it('leaves the other routes on the OpenAI envelope', async () => {
    const res = await app().request('/v1/chat/completions', { method: 'POST' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { code: 401, message: 'No auth credentials found', metadata: { error_type: 'authentication' } } })
  })
})
