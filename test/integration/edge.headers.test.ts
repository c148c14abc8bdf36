// The edge middleware (src/middleware/edge.ts): what every response carries, CORS and the
// body limit on /api/*, on answers, errors and preflights alike.
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { call, chat } from '../helpers/gateway.ts'
import { seedAccount } from '../helpers/seed.ts'
import { SECURITY_HEADERS } from '../../src/middleware/edge.ts'

const BASE = 'https://gateway.test'
const TEN_MB = 10 * 1024 * 1024

const expectSecure = (res: Response) => {
  for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name), name).toBe(value)
  expect(res.headers.get('x-powered-by')).toBeNull()
  expect(res.headers.get('x-request-id')).toMatch(/^[\w\-=]+$/)
  expect(res.headers.get('server-timing')).toMatch(/total;dur=[\d.]+;desc="total"/)
}

describe('edge middleware', () => {
  it('a completion carries the security headers, CORS, its request id and every timed phase', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'client-id-1' })
    expect(res.status).toBe(200)
    expectSecure(res)
    expect(res.headers.get('x-request-id')).toBe('client-id-1')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Generation-Id')
    expect(res.headers.get('server-timing')).toMatch(/^auth;dur=.*plan;dur=.*admission;dur=.*upstream;dur=.*total;dur=/)
  })

  it('a request id that is too long or not plain is replaced with a fresh one', async () => {
    for (const given of ['a'.repeat(256), 'has space', 'semi;colon']) {
      const res = await exports.default.fetch(new Request(`${BASE}/healthz`, { headers: { 'x-request-id': given } }))
      expect(res.status).toBe(200)
      const id = res.headers.get('x-request-id')
      expect(id).not.toBe(given)
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('errors carry the same headers as answers', async () => {
    const res = await call('/chat/completions', { method: 'POST', json: { model: 'fake/echo', messages: [] } })
    expect(res.status).toBe(401)
    expectSecure(res)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const missing = await exports.default.fetch(new Request(`${BASE}/nowhere`))
    expect(missing.status).toBe(404)
    expectSecure(missing)
    expect(missing.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers a preflight on /api/* with 204 and the allowed headers, methods and max age', async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/api/v1/chat/completions`, {
      method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    }))
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
    expect(res.headers.get('access-control-allow-headers')).toContain('X-OpenRouter-Title')
    expect(res.headers.get('access-control-allow-headers')).toContain('Idempotency-Key')
    expect(res.headers.get('access-control-max-age')).toBe('86400')
    expectSecure(res)
  })

  it('routes outside /api/* get no CORS headers', async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/healthz`))
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses a body over MAX_BODY_BYTES with 413 in the envelope, by Content-Length or counted when chunked', async () => {
    const big = 'x'.repeat(TEN_MB + 1)
    const res = await call('/chat/completions', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(413)
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain('larger than')
    expectSecure(res)

    const bytes = new TextEncoder().encode(big)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1024 * 1024) controller.enqueue(bytes.slice(i, i + 1024 * 1024))
        controller.close()
      },
    })
    const chunked = await exports.default.fetch(new Request(`${BASE}/api/v1/chat/completions`, {
      method: 'POST', body: stream, headers: { 'content-type': 'application/json' },
    }))
    expect(chunked.status).toBe(413)
    expect((await chunked.json<{ error: { message: string } }>()).error.message).toContain('larger than')
  })

  it("the 413 speaks the route's own envelope: Anthropic's on /messages, OpenAI's on /responses, whether by Content-Length or chunked", async () => {
    const big = new TextEncoder().encode('x'.repeat(TEN_MB + 1))
    const chunkedBody = () => new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 1024 * 1024) controller.enqueue(big.slice(i, i + 1024 * 1024))
        controller.close()
      },
    })
    for (const body of [() => big, chunkedBody]) {
      const post = (path: string) => exports.default.fetch(new Request(`${BASE}/api/v1${path}`, { method: 'POST', body: body(), headers: { 'content-type': 'application/json' } }))
      for (const path of ['/messages', '/messages/count_tokens']) {
        const res = await post(path)
        expect(res.status, path).toBe(413)
        expect(await res.json(), path).toMatchObject({ type: 'error', error: { type: 'request_too_large', message: expect.stringContaining('larger than') } })
      }
      const res = await post('/responses')
      expect(res.status).toBe(413)
      expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'payload_too_large', param: null, message: expect.stringContaining('larger than') } })
      expectSecure(res)
    }
  })

  it('a chunked body under the limit still reaches the handler', async () => {
    const { key } = await seedAccount()
    const bytes = new TextEncoder().encode(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'chunked' }] }))
    const stream = new ReadableStream<Uint8Array>({ start(controller) { controller.enqueue(bytes); controller.close() } })
    const res = await exports.default.fetch(new Request(`${BASE}/api/v1/chat/completions`, {
      method: 'POST', body: stream, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    }))
    expect(res.status).toBe(200)
    expect((await res.json<{ choices: { message: { content: string } }[] }>()).choices[0]!.message.content).toBe('You said: chunked')
  })
})
