// Every bad input gets the one envelope with an integer code and the right status; none is a 500.
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import { call, chat } from '../helpers/gateway.ts'
import { addKey, seedAccount } from '../helpers/seed.ts'

const expectEnvelope = async (res: Response, status: number, message: RegExp | string) => {
  const body = await res.json<any>()
  expect(res.status, JSON.stringify(body)).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/json')
  expect(body.error.code).toBe(status)
  expect(Number.isInteger(body.error.code)).toBe(true)
  expect(body.error.message).toMatch(message)
  return body
}

const user = (content: string) => [{ role: 'user', content }]

describe('POST /chat/completions (errors)', () => {
  it('401 without credentials, with an unknown key, and with a malformed key', async () => {
    await expectEnvelope(await call('/chat/completions', { method: 'POST', json: { model: 'fake/echo', messages: user('x') } }), 401, 'No auth credentials found')
    await expectEnvelope(await chat(`sk-sb-v1-${'a'.repeat(64)}`, { model: 'fake/echo', messages: user('x') }), 401, 'User not found.')
    await expectEnvelope(await chat('not-a-key', { model: 'fake/echo', messages: user('x') }), 401, 'User not found.')
  })

  it('403 for a management key on inference', async () => {
    const { accountId } = await seedAccount()
    const { key } = await addKey(accountId, 'management')
    await expectEnvelope(await chat(key, { model: 'fake/echo', messages: user('x') }), 403, /Management keys/)
  })

  it('400 for invalid JSON', async () => {
    const { key } = await seedAccount()
    const res = await call('/chat/completions', { method: 'POST', key, body: '{"model": ', headers: { 'content-type': 'application/json' } })
    await expectEnvelope(res, 400, 'Invalid JSON in request body')
  })

  it('400 naming the field for schema violations', async () => {
    const { key } = await seedAccount()
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model: 'fake/echo' }, /messages/],
      [{ model: 'fake/echo', messages: [] }, /messages/],
      [{ model: 'fake/echo', messages: [{ role: 'wizard', content: 'x' }] }, /messages\.0\.role/],
      [{ model: 'fake/echo', messages: user('x'), temperature: 7 }, /temperature/],
      [{ model: 'fake/echo', messages: user('x'), max_tokens: 'lots' }, /max_tokens/],
      [{ model: 42, messages: user('x') }, /model/],
      [{ messages: user('x') }, /model/],
    ]
    for (const [body, field] of cases) {
      const res = await chat(key, body)
      const json = await expectEnvelope(res, 400, field)
      expect(json.error.metadata.error_type).toBe('invalid_request')
    }
  })

  it('tolerates unknown request fields', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, {
      model: 'fake/echo', messages: user('x'), some_future_field: { a: 1 }, transforms: ['middle-out'], route: 'fallback',
      usage: { include: true }, include_reasoning: true, stream_options: { include_usage: true },
    })
    expect(res.status).toBe(200)
  })

  it('400 for an unknown model', async () => {
    const { key } = await seedAccount()
    await expectEnvelope(await chat(key, { model: 'acme/fake', messages: user('x') }), 400, 'acme/fake is not a valid model ID')
  })

  it('404 when every endpoint is filtered out, saying why', async () => {
    const { key } = await seedAccount()
    const res = await chat(key, { model: 'fake/echo', messages: user('x'), provider: { only: ['nobody'] } })
    await expectEnvelope(res, 404, /No endpoints found for fake\/echo.*not_in_only/)
  })

  it('413 for a body over the limit', async () => {
    const { key } = await seedAccount()
    const big = 'x'.repeat(11 * 1024 * 1024)
    await expectEnvelope(await chat(key, { model: 'fake/echo', messages: user(big) }), 413, /larger than/)
  })

  it('402 when the balance cannot cover the worst case, with the affordable token count', async () => {
    const { key } = await seedAccount({ balanceMicro: 100 }) // $0.0001
    const body = await expectEnvelope(await chat(key, { model: 'fake/echo', messages: user('x'), max_tokens: 10_000 }), 402,
      /You requested up to 10000 tokens, but can only afford \d+/)
    expect(body.error.metadata).toMatchObject({ error_type: 'payment_required', limit: 'account_balance' })
  })

  it('404 envelope for unknown routes', async () => {
    await expectEnvelope(await call('/nope'), 404, /No route/)
  })

  it('500 for unexpected exceptions, without internals', async () => {
    const app = createApp()
    app.get('/boom', () => {
      throw new Error('database password is hunter2')
    })
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const res = await app.request('/boom', {}, env)
    const body = await expectEnvelope(res, 500, 'Internal server error')
    expect(JSON.stringify(body)).not.toContain('hunter2')
    expect(log).toHaveBeenCalledOnce() // the operator still sees what went wrong
    log.mockRestore()
  })
})
