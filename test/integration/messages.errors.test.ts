// Failures on POST /api/v1/messages as the real @anthropic-ai/sdk sees them: every one in
// Anthropic's envelope `{type: "error", error: {type, message}}` with its statuses, so the
// SDK raises its own error classes; mid-stream failures as an `error` event. On a Claude
// model (native, Anthropic-wire fake) and an open model (translated, OpenAI-wire fakes).
import Anthropic from '@anthropic-ai/sdk'
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client.ts'
import { apiKeys } from '../../src/db/schema.ts'
import { call } from '../helpers/gateway.ts'
import { flush } from '../helpers/ledger.ts'
import { anthropicClient } from '../helpers/sdk.ts'
import { seedAccount } from '../helpers/seed.ts'

/** The SDK's error for a call that must fail. */
const failure = async (promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> => {
  const err = await promise.then(() => null, (e: unknown) => e)
  if (!(err instanceof Anthropic.APIError)) throw new Error(`expected an APIError, got ${String(err)}`)
  return err
}

/** The error object of Anthropic's envelope, as the SDK keeps it. */
const envelope = (err: InstanceType<typeof Anthropic.APIError>) => err.error as { type: string; error: { type: string; message: string } }

const MODELS = [
  { label: 'Claude (native)', model: 'claude-3-5-haiku-20241022' },
  { label: 'open model (translated)', model: 'meta-llama/llama-3.3-70b-instruct' },
]

describe('@anthropic-ai/sdk errors on /messages', () => {
  it('401 authentication_error for a bad or missing key, on /messages and count_tokens', async () => {
    const bad = await failure(anthropicClient('sk-sb-v1-not-a-real-key').messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(bad).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(envelope(bad)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'User not found.' } })
    const counted = await failure(anthropicClient('sk-sb-v1-not-a-real-key').messages.countTokens({ model: 'claude-3-5-haiku-20241022', messages: [{ role: 'user', content: 'hi' }] }))
    expect(counted).toBeInstanceOf(Anthropic.AuthenticationError)
    const none = await call('/messages', { method: 'POST', json: { model: 'x', max_tokens: 1, messages: [] } })
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'No auth credentials found' } })
  })

  it('400 invalid_request_error naming the field, on /messages and count_tokens', async () => {
    const { key } = await seedAccount()
    const client = anthropicClient(key)
    const max = await failure(client.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }))
    expect(max).toBeInstanceOf(Anthropic.BadRequestError)
    expect(envelope(max).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('max_tokens') })
    const tool = await failure(client.messages.create({
      model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 'bad name!', input_schema: { type: 'object' } }],
    }))
    expect(envelope(tool).error.message).toContain('tools.0.name')
    const counted = await failure(client.messages.countTokens({ model: 'claude-3-5-haiku-20241022', messages: [] }))
    expect(counted).toBeInstanceOf(Anthropic.BadRequestError)
    expect(envelope(counted).error.message).toContain('messages')
  })

  it('404 not_found_error for a model the catalog does not have', async () => {
    const { key } = await seedAccount()
    const err = await failure(anthropicClient(key).messages.create({ model: 'claude-nonexistent-9', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(err).toBeInstanceOf(Anthropic.NotFoundError)
    expect(envelope(err).error.type).toBe('not_found_error')
  })

  it('404 not_found_error on count_tokens for an unknown model; a known one in any spelling is counted', async () => {
    const { key } = await seedAccount()
    const messages = [{ role: 'user' as const, content: 'hi' }]
    const err = await failure(anthropicClient(key).messages.countTokens({ model: 'claude-nonexistent-9', messages }))
    expect(err).toBeInstanceOf(Anthropic.NotFoundError)
    expect(envelope(err)).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'anthropic/claude-nonexistent-9 is not a valid model ID' } })
    const raw = await call('/messages/count_tokens', { method: 'POST', key, json: { model: 'nobody/nothing', messages } })
    expect(raw.status).toBe(404)
    expect(await raw.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'nobody/nothing is not a valid model ID' } })
    // An embedding model is a 400 here as on /messages.
    const embed = await call('/messages/count_tokens', { method: 'POST', key, json: { model: 'fake/embed', messages } })
    expect(embed.status).toBe(400)
    for (const model of ['claude-3-5-haiku-20241022', 'anthropic/claude-3.5-haiku', 'fake/echo:nitro', 'openrouter/auto']) {
      const counted = await anthropicClient(key).messages.countTokens({ model, messages })
      expect(counted.input_tokens, model).toBeGreaterThan(0)
    }
  })

  it('429 rate_limit_error from a key over its requests per minute, with Retry-After', async () => {
    const { key, keyHash } = await seedAccount()
    await createDb(env.DB).update(apiKeys).set({ requestsPerMinute: 1 }).where(eq(apiKeys.hash, keyHash))
    const client = anthropicClient(key)
    const ask = () => client.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    await ask()
    const err = await failure(ask())
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    expect(envelope(err).error.type).toBe('rate_limit_error')
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe.each(MODELS)('@anthropic-ai/sdk errors → $label', ({ model }) => {
  it('402 billing_error when the balance cannot cover the request', async () => {
    const { key } = await seedAccount({ balanceMicro: 100 })
    const err = await failure(anthropicClient(key).messages.create({ model, max_tokens: 8_000, messages: [{ role: 'user', content: 'hi' }] }))
    expect(err.status).toBe(402)
    expect(envelope(err).error).toMatchObject({ type: 'billing_error', message: expect.stringMatching(/can only afford/) })
  })

  it('429 rate_limit_error when the upstream is rate limited, with its Retry-After', async () => {
    const { key } = await seedAccount()
    const err = await failure(anthropicClient(key).messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi [[fake status=429 retry_after=9]]' }] }))
    expect(err).toBeInstanceOf(Anthropic.RateLimitError)
    expect(envelope(err).error.type).toBe('rate_limit_error')
    expect(err.headers?.get('retry-after')).toBe('9')
  })

  it('an upstream failure before the answer is 529 overloaded_error / 5xx api_error, never a 200', async () => {
    const { key } = await seedAccount()
    const err = await failure(anthropicClient(key).messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi [[fake status=500]]' }] }))
    expect(err.status).toBeGreaterThanOrEqual(500)
    expect(['api_error', 'overloaded_error']).toContain(envelope(err).error.type)
  })

  it.each(['error_after', 'break_after'])('a mid-stream failure (%s) is an error event the SDK raises, after the text so far; recorded as an error, free', async (fault) => {
    const { accountId, key } = await seedAccount()
    const stream = anthropicClient(key).messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: `one two three four five six [[fake ${fault}=3]]` }] })
    let text = ''
    let id = ''
    stream.on('text', (delta) => (text += delta))
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') id = event.message.id
    })
    const err = await failure(stream.finalMessage())
    expect(err.status).toBeUndefined() // raised from the event, after the 200
    expect(envelope(err)).toMatchObject({ type: 'error', error: { type: expect.stringMatching(/^(api_error|overloaded_error)$/), message: expect.any(String) } })
    // An in-stream error keeps what came before it; a reset connection may lose what was still in flight.
    if (fault === 'error_after') expect(text).toBe('You said: one')
    else expect('You said: one'.startsWith(text)).toBe(true)
    expect(id).toMatch(/^gen-/)
    await flush(accountId)
    const gen = (await (await call(`/generation?id=${id}`, { key })).json<{ data: Record<string, unknown> }>()).data
    expect(gen).toMatchObject({ id, api_type: 'messages', streamed: true, finish_reason: 'error', total_cost: 0 })
  })
})
